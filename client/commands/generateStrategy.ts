/**
 * VS Code commands "Strategy Lab: Generate Strategy" and "Strategy Lab: Set
 * API Key". Only the editor side lives here (input, progress, files, buttons);
 * generation itself is core/generate.
 */
import * as vscode from 'vscode';
// Module by module, not the index: the index also loads the validator and the TypeScript compiler.
import { GenerateError } from '../../core/generate/errors';
import { describeEvent } from '../../core/generate/events';
import { writeNewFile } from '../../core/generate/files';
import { defaultStrategyPath } from '../../core/generate/naming';
import { generateStrategy } from '../../core/generate/provider';
import { IDEA_EXAMPLES, readGenerateSettings } from '../../core/generate/settings';
import type { GeneratedStrategy } from '../../core/generate/types';
import { editorColumn } from '../workspace';

export const GENERATE_COMMAND = 'strategyLab.generateStrategy';
export const SET_API_KEY_COMMAND = 'strategyLab.setApiKey';
const TITLE = 'Strategy Lab: Generate Strategy';
/** The refusal's button that reopens the input box with the idea kept, to fix the parts not understood. */
export const EDIT_IDEA_ACTION = 'Edit idea';
const RUN_BACKTEST_COMMAND = 'strategyLab.runBacktest';
/** SecretStorage key of the OpenAI(-compatible) API key. */
export const API_KEY_SECRET = 'strategyLab.llm.apiKey';

export function registerGenerateCommands(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(GENERATE_COMMAND, (idea?: unknown) => generateCommand(context, typeof idea === 'string' ? idea : undefined)),
    vscode.commands.registerCommand(SET_API_KEY_COMMAND, () => setApiKey(context)),
  );
}

async function generateCommand(context: vscode.ExtensionContext, givenIdea?: string): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Strategy Lab: open a folder first; generated strategies are saved in its strategies/ folder.');
    return;
  }
  const idea = givenIdea ?? (await askIdea(TITLE));
  if (!idea?.trim()) return;

  const config = vscode.workspace.getConfiguration('strategyLab', folder.uri);
  const settings = readGenerateSettings((key, fallback) => config.get(key, fallback));
  const apiKey = await readApiKey(context);

  let result: GeneratedStrategy;
  try {
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Strategy Lab: generating strategy', cancellable: true },
      (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return generateStrategy(idea, {
          provider: settings.provider,
          apiKey,
          llm: settings.llm,
          signal: controller.signal,
          onEvent: (event) => progress.report({ message: describeEvent(event) }),
        });
      },
    );
  } catch (err) {
    // A refusal offers "Edit idea": the same text back in the input box, to change only what was not understood.
    const edited = await showFailure(err, idea);
    if (edited?.trim()) await generateCommand(context, edited);
    return;
  }

  const path = await writeNewFile(defaultStrategyPath(folder.uri.fsPath, idea), result.source);
  const uri = vscode.Uri.file(path);
  // In the editor group: the results panel may have had the focus, and a strategy file does not belong beside it.
  await vscode.window.showTextDocument(uri, { viewColumn: editorColumn(), preview: false });
  const how = result.provider === 'offline' ? 'offline generator' : `${settings.llm.model}, ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
  const notes = result.notes.length ? ` Note: ${result.notes.join(' ')}` : '';
  const choice = await vscode.window.showInformationMessage(`Generated ${vscode.workspace.asRelativePath(uri)} (${how}).${notes}`, 'Run backtest');
  if (choice === 'Run backtest') await vscode.commands.executeCommand(RUN_BACKTEST_COMMAND, uri);
}

/** The idea input box with examples (Generate Strategy, Generate and Refine); `value` pre-fills it; undefined when dismissed. */
export function askIdea(title: string, value?: string, prompt?: string): Thenable<string | undefined> {
  return vscode.window.showInputBox({
    title,
    value,
    prompt: prompt ?? `Describe the trading idea. Examples: ${IDEA_EXAMPLES.slice(0, 3).map((e) => `"${e}"`).join(' · ')}`,
    placeHolder: IDEA_EXAMPLES[0],
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'Describe the idea, e.g. "Buy AAPL when RSI drops below 35, sell when it rises above 65".'),
  });
}

/** Secret Storage first; OPENAI_API_KEY from the environment VS Code was started in as a fallback. */
export async function readApiKey(context: vscode.ExtensionContext): Promise<string | undefined> {
  return (await context.secrets.get(API_KEY_SECRET)) ?? (process.env.OPENAI_API_KEY?.trim() || undefined);
}

/**
 * A generation failure as a message with what to do (Set API Key, Open Settings); nothing for a cancel.
 * Given the idea, a refusal or invalid code offers "Edit idea" and returns the edited text (undefined otherwise).
 */
export async function showFailure(err: unknown, idea?: string): Promise<string | undefined> {
  if (!(err instanceof GenerateError)) {
    void vscode.window.showErrorMessage(`Strategy Lab: generation failed: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  if (err.kind === 'cancelled') return undefined;
  if (err.kind === 'not-understood' || err.kind === 'invalid-code') {
    // Long, multi-line explanations read best in a modal.
    const actions = idea === undefined ? [] : [EDIT_IDEA_ACTION];
    const detail = err.message.replace(/^Rephrase those parts with the words in docs\/generate\.md/m, 'Click "Edit idea" and rephrase only those parts');
    const choice = await vscode.window.showErrorMessage('Strategy Lab could not generate this strategy.', { modal: true, detail }, ...actions);
    return choice === EDIT_IDEA_ACTION ? askIdea(TITLE, idea, editPrompt(err)) : undefined;
  }
  const actions = err.kind === 'auth' || err.kind === 'no-api-key' ? ['Set API Key'] : ['Open Settings'];
  const choice = await vscode.window.showErrorMessage(`Strategy Lab: ${err.message}`, ...actions);
  if (choice === 'Set API Key') await vscode.commands.executeCommand(SET_API_KEY_COMMAND);
  else if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'strategyLab.llm');
  return undefined;
}

/** The reopened input's prompt: each part not understood with the generator's nearest phrasings. */
export function editPrompt(err: GenerateError): string | undefined {
  const notUnderstood = err.details?.notUnderstood ?? [];
  if (!notUnderstood.length) return undefined;
  const parts = notUnderstood.map((t) => {
    const near = err.details?.suggestions?.[t] ?? [];
    return `"${t}"${near.length ? ` → try ${near.map((p) => `"${p}"`).join(' or ')}` : ''}`;
  });
  return `Not understood: ${parts.join('; ')}. Change those parts and press Enter.`;
}

async function setApiKey(context: vscode.ExtensionContext): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: 'Strategy Lab: Set API Key',
    prompt: 'API key for the OpenAI-compatible provider. Kept in VS Code Secret Storage, never in settings or logs. Leave empty to remove the stored key.',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (!value.trim()) {
    await context.secrets.delete(API_KEY_SECRET);
    void vscode.window.showInformationMessage('Strategy Lab: API key removed. Generate Strategy now uses the offline generator (unless strategyLab.llm.provider is "openai").');
    return;
  }
  await context.secrets.store(API_KEY_SECRET, value.trim());
  void vscode.window.showInformationMessage('Strategy Lab: API key saved in Secret Storage.');
}
