/**
 * VS Code command "Strategy Lab: Generate and Refine": the refine loop of
 * core/evaluate/refine.ts (generate → validate → backtest → evaluate → feed
 * the findings back → regenerate) with the editor's input box, settings,
 * sandbox runner and data settings, a cancellable progress notification
 * ("iteration 2/3: backtesting"), every iteration in the output channel, and
 * the best iteration written to strategies/<slug>.strategy.ts (never
 * overwriting). The loop, its texts and its outcome are core/; only the
 * editor side lives here.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { alpacaProvidersFromSecrets } from '../../core/data/alpaca';
import { resolveSeries, type ResolveOptions, type SourceId } from '../../core/data/provider';
import type { RefineResult } from '../../core/evaluate/refine';
import { evaluateSettingsFromFlat } from '../../core/evaluate/settings';
import { describeRefineEvent, iterationLine, iterationsInBrief, refineCountProblem, refineOutcome, refineSummary, REFINE_ITERATIONS } from '../../core/evaluate/refineReport';
import { recordRefineTrials } from '../../core/history/store';
import { writeNewFile } from '../../core/generate/files';
import { defaultStrategyPath } from '../../core/generate/naming';
import { resolveProvider } from '../../core/generate/provider';
import { readGenerateSettings } from '../../core/generate/settings';
import type { BacktestController } from '../backtest';
import type { Log } from '../output';
import { readSettings, type Settings } from '../settings';
import { askIdea, readApiKey, showFailure } from './generateStrategy';
import { editorColumn } from '../workspace';

export const GENERATE_AND_REFINE_COMMAND = 'strategyLab.generateAndRefine';
const RUN_BACKTEST_COMMAND = 'strategyLab.runBacktest';
const TITLE = 'Strategy Lab: Generate and Refine';

export interface RefineCommandDeps {
  context: vscode.ExtensionContext;
  /** Its long-lived sandbox runner (warm pool, strategyLab.sandbox.*) runs every backtest and re-run. */
  controller: BacktestController;
  log: Log;
}

/** What the command returns (for scripts and the integration tests): the file written and every iteration. */
export interface GenerateAndRefineResult {
  file: vscode.Uri;
  result: RefineResult;
}

/** `strategyLab.refine.iterations`, or the default when it is out of range. */
export function refineIterationsSetting(scope?: vscode.Uri): number {
  const n = vscode.workspace.getConfiguration('strategyLab', scope).get<number>('refine.iterations', REFINE_ITERATIONS.default);
  return refineCountProblem(n) ? REFINE_ITERATIONS.default : n;
}

/** The bars of a run as Run Backtest loads them: strategyLab.data.*, the cache in global storage, Alpaca keys from Secret Storage. */
async function dataOptions(context: vscode.ExtensionContext, root: string, settings: Settings, log: Log): Promise<ResolveOptions> {
  const source: SourceId = settings.data.source;
  return {
    source,
    cacheDir: vscode.Uri.joinPath(context.globalStorageUri, 'data-cache').fsPath,
    csvPath: settings.data.csvPath ? path.resolve(root, settings.data.csvPath) : path.join(root, 'data'),
    adjusted: settings.data.adjusted,
    providers: source === 'alpaca' ? await alpacaProvidersFromSecrets(context.secrets) : {},
    onWarning: (m) => log.warn(m),
  };
}

/**
 * Asks the idea (unless given) and the number of iterations (unless given; default from the setting), runs the
 * loop, writes and opens the best iteration, and offers a backtest of it. Undefined when dismissed, cancelled or failed.
 */
export async function generateAndRefine(deps: RefineCommandDeps, givenIdea?: unknown, givenIterations?: unknown): Promise<GenerateAndRefineResult | undefined> {
  const { context, controller, log } = deps;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showErrorMessage('Strategy Lab: open a folder first; generated strategies are saved in its strategies/ folder.');
    return undefined;
  }
  const idea = typeof givenIdea === 'string' && givenIdea.trim() ? givenIdea : await askIdea(TITLE);
  if (!idea?.trim()) return undefined;

  let iterations: number;
  if (givenIterations !== undefined) {
    const problem = refineCountProblem(givenIterations as number);
    if (problem) throw new Error(`${TITLE}: ${problem}.`);
    iterations = Number(givenIterations);
  } else {
    const typed = await vscode.window.showInputBox({
      title: TITLE,
      prompt: `How many generate → backtest → evaluate iterations (${REFINE_ITERATIONS.min}–${REFINE_ITERATIONS.max})? The best one is written. Default: the strategyLab.refine.iterations setting.`,
      value: String(refineIterationsSetting(folder.uri)),
      ignoreFocusOut: true,
      validateInput: (v) => refineCountProblem(v, 'The number of iterations'),
    });
    if (typed === undefined) return undefined;
    iterations = Number(typed.trim());
  }

  const settings = readSettings(folder.uri);
  const config = vscode.workspace.getConfiguration('strategyLab', folder.uri);
  const generate = readGenerateSettings((key, fallback) => config.get(key, fallback));
  const apiKey = await readApiKey(context);
  const provider = resolveProvider(generate.provider, apiKey);
  // LLM reviews as after a backtest: with a key, unless the provider is set to offline.
  const judge = generate.provider === 'offline' ? undefined : (await import('../../core/evaluate/llm/client')).chatClientFrom({ apiKey, settings: generate.llm });
  const mode = settings.sandbox.mode;
  log.info(`Generate and Refine: "${idea}", up to ${iterations} iteration(s), ${provider === 'offline' ? 'offline generator' : `model ${generate.llm.model}`}, sandbox ${mode}, data ${settings.data.source}.`);

  let result: RefineResult;
  const abort = new AbortController();
  try {
    const data = await dataOptions(context, folder.uri.fsPath, settings, log);
    result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `${TITLE} (up to ${iterations})`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        // The refine loop (generators, validator, evaluators) is loaded when used, not at activation.
        return import('../../core/evaluate/refine').then(({ refine }) => refine({
          idea,
          iterations,
          provider,
          apiKey,
          llm: generate.llm,
          judge,
          loadSeries: (symbols, timeframe) => resolveSeries({ symbols, timeframe }, { ...data, signal: abort.signal }),
          mode,
          runner: controller.sandbox(),
          options: { ...settings.defaults },
          // strategyLab.evaluate.* weights and thresholds, as after a backtest (a bad value fails here, named)
          settings: evaluateSettingsFromFlat(settings.evaluateRaw),
          signal: abort.signal,
          onEvent: (event) => {
            const text = describeRefineEvent(event, iterations);
            if (event.type === 'scored') {
              log.info(iterationLine(event.result, iterations));
              progress.report({ message: text, increment: 100 / iterations });
            } else if (text) progress.report({ message: text });
          },
        }));
      },
    );
  } catch (err) {
    if (abort.signal.aborted) {
      log.info('Generate and Refine cancelled; nothing was written.');
      return undefined;
    }
    log.error('Generate and Refine failed', err);
    await showFailure(err);
    return undefined;
  }

  log.info(refineSummary(result));
  const outcome = refineOutcome(result);
  if (!outcome.write) {
    log.error(`Generate and Refine: ${outcome.problem}; nothing was written.`);
    const choice = await vscode.window.showErrorMessage(`Strategy Lab: ${outcome.problem}; nothing was written.`, 'Show Output');
    if (choice) log.show();
    return undefined;
  }
  const written = await writeNewFile(defaultStrategyPath(folder.uri.fsPath, idea), outcome.write.source);
  const uri = vscode.Uri.file(written);
  const shown = vscode.workspace.asRelativePath(uri);
  log.info(`Wrote ${shown} (iteration ${outcome.write.iteration} of ${result.iterations.length}).`);
  try {
    const counted = await recordRefineTrials(folder.uri.fsPath, written, outcome.write.source, result.trials);
    log.info(`Counted ${result.trials} trial(s) for ${counted.key} (${counted.total} in all).`);
  } catch (err) {
    log.warn(`The trial count was not updated: ${(err as Error).message}`);
  }
  await vscode.window.showTextDocument(uri, { viewColumn: editorColumn(), preview: false });

  const worse = outcome.worseThanFirst.length ? ` Worse than the first version: ${outcome.worseThanFirst.join('; ')}.` : '';
  const head = `Generated ${shown} from iteration ${outcome.write.iteration} of ${result.iterations.length}: ${iterationsInBrief(result)}.${worse}`;
  const buttons = ['Run backtest', 'Show all iterations'];
  // Not awaited: the command is done once the file is written (scripts and tests get the result at once).
  const shownMessage = outcome.criticalFailures.length || worse
    ? vscode.window.showWarningMessage(`${head}${outcome.criticalFailures.length ? ` Its numbers cannot be trusted: ${outcome.criticalFailures.join(', ')} failed.` : ''}`, ...buttons)
    : vscode.window.showInformationMessage(head, ...buttons);
  void shownMessage.then((choice) => {
    if (choice === 'Run backtest') void vscode.commands.executeCommand(RUN_BACKTEST_COMMAND, uri);
    else if (choice === 'Show all iterations') log.show();
  });
  return { file: uri, result };
}
