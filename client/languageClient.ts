/**
 * Starts the Strategy Lab language server (dist/server.js) for strategy files.
 * Call from `activate`: `await startLanguageClient(context)`.
 */
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { EVALUATION_FINDINGS, type EvaluationFindingsParams } from '../server/protocol';

export const STRATEGY_GLOB_SETTING = 'strategyGlob';
export const DEFAULT_STRATEGY_GLOB = '**/*.strategy.ts';

export async function startLanguageClient(context: vscode.ExtensionContext): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const strategyGlob = vscode.workspace.getConfiguration('strategyLab').get<string>(STRATEGY_GLOB_SETTING, DEFAULT_STRATEGY_GLOB);
  const clientOptions: LanguageClientOptions = {
    // TypeScript documents are offered to the server, which acts only on strategies: files matching
    // the glob or importing 'strategy-lab' (that cannot be told from the path). For every other file
    // it publishes nothing and answers hover/completion with nothing, so ordinary TypeScript is untouched.
    documentSelector: [
      { language: 'typescript', pattern: strategyGlob },
      { language: 'typescript', scheme: 'file' },
      { language: 'typescript', scheme: 'untitled' },
    ],
    initializationOptions: { strategyGlob },
    // Sends `strategyLab.*` on change; the server re-reads strategyGlob and re-validates open files.
    synchronize: { configurationSection: 'strategyLab' },
    diagnosticCollectionName: 'strategy-lab',
    outputChannelName: 'Strategy Lab Language Server',
  };
  const client = new LanguageClient('strategyLab', 'Strategy Lab Language Server', serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => void client.stop() });
  await client.start();
  return client;
}

/** Sends the evaluators' findings for a strategy to the language server, which shows them on their lines. */
export function publishEvaluationFindings(client: LanguageClient, params: EvaluationFindingsParams): Promise<void> {
  return client.sendNotification(EVALUATION_FINDINGS, params);
}
