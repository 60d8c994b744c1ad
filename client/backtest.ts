/**
 * Runs backtests for the editor: progress notification with stages and Cancel,
 * the results panel fed live, the run saved to history, the status bar updated.
 * The work itself is core/history/pipeline.ts; this file only connects it to VS Code.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { alpacaProvidersFromSecrets } from '../core/data/alpaca';
import type { EvaluatorStep } from '../core/evaluate/pipeline';
import { evaluateSettingsFromFlat, type EvaluateSettings } from '../core/evaluate/settings';
import { readRequestFromSource } from '../core/generate/header';
import { readGenerateSettings } from '../core/generate/settings';
import { describeError } from '../core/history/describeError';
import { RunErrorDiagnostics } from './runDiagnostics';
import type { EvaluationRequest, SandboxRun, Stage } from '../core/history/pipeline';
import { RunStore, strategyKey } from '../core/history/store';
import { summarize } from '../core/history/record';
import type { RunOptions, RunRecord, RunSummary } from '../core/history/types';
import { formatMetric } from '../core/report/metricCatalog';
import { verdictBrief } from '../core/report/verdictText';
import { SandboxRunner } from '../core/sandbox/runner';
import { evaluationFindingsParams, type EvaluationFindingsParams } from '../server/protocol';
import { API_KEY_SECRET } from './commands/generateStrategy';
import type { Log } from './output';
import type { ResultsPanel } from './resultsPanel';
import type { ResultsPanels } from './resultsPanels';
import type { PanelError, RunStatus } from '../media/protocol';
import { readSandboxSettings, readSettings, type ExtensionSandboxMode } from './settings';
import { locate, type StrategyLocation } from './workspace';

const STAGE_TEXT: Record<Stage, string> = {
  data: 'Loading price data…',
  compile: 'Compiling the strategy…',
  sandbox: 'Running in the sandbox…',
  metrics: 'Computing metrics and saving the run…',
  evaluators: 'Running evaluators…',
};

/** How long after activation the backtest pipeline is loaded in the background. */
const PRELOAD_AFTER_MS = 1500;

export interface RunRequest {
  uri: vscode.Uri;
  /** Options chosen for this run (merged over the settings' defaults). */
  options?: RunOptions;
  /** Run once in this mode instead of the configured one (e.g. process mode after Docker failed). */
  modeOverride?: ExtensionSandboxMode;
}

export class BacktestController implements vscode.Disposable {
  private runner: SandboxRunner | undefined;
  private current: { controller: AbortController; file: string } | undefined;
  private readonly status: vscode.StatusBarItem;
  private readonly saved = new vscode.EventEmitter<RunRecord>();
  /** Fires after a run is saved to history. */
  readonly onDidSaveRun = this.saved.event;
  /**
   * Sends a run's evaluator findings to the language server (set by extension.ts once the language
   * client exists), which shows them on their lines while the file's text is the source that ran.
   */
  publishFindings: ((params: EvaluationFindingsParams) => Promise<void>) | undefined;
  /** The result the status bar shows when no run is going; kept across a cancel or a failure. */
  private lastResult: { run: RunSummary; uri: vscode.Uri } | undefined;
  /** The last failed run's runtime error on its source line (runDiagnostics.ts). */
  private readonly runErrors = new RunErrorDiagnostics();

  constructor(private readonly context: vscode.ExtensionContext, private readonly panels: ResultsPanels, private readonly log: Log) {
    this.status = vscode.window.createStatusBarItem('strategyLab.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Strategy Lab';
    this.idleStatus();
  }

  get running(): boolean { return this.current !== undefined; }

  /** True once the warm pool has a container waiting (activation starts it in Docker mode). */
  get warm(): boolean { return this.warmed; }
  private warmed = false;

  /** What the status bar item says now. */
  get statusText(): string { return this.status.text; }

  store(root: string): RunStore { return new RunStore(root); }

  location(uri: vscode.Uri): StrategyLocation { return locate(uri, this.context.globalStorageUri); }

  /** The long-lived runner (warm pool); rebuilt when sandbox settings change. */
  sandbox(): SandboxRunner {
    if (!this.runner) {
      const s = readSandboxSettings();
      this.runner = new SandboxRunner({
        ...s,
        runtimePath: vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'sandbox', 'runtime.js').fsPath,
        onProgress: (line) => this.log.info(`[sandbox] ${line}`),
      });
      this.log.info(`Sandbox: ${s.mode} mode${s.mode === 'docker' ? ` (${s.docker?.host || process.env.DOCKER_HOST || 'local socket'}${s.docker?.certPath ? ', TLS' : ''}, pool ${s.poolSize})` : ' (weaker isolation: a separate Node process, not a container)'}; limits ${s.limits.memoryMb} MB, ${s.limits.cpus} CPU, ${s.limits.timeMs / 1000} s.`);
    }
    return this.runner;
  }

  async resetSandbox(): Promise<void> {
    const old = this.runner;
    this.runner = undefined;
    await old?.dispose();
  }

  /** Starts Docker checks, the image build and the warm pool in the background, so the first click is fast. */
  warmUp(): void {
    // The pipeline and the evaluators (they bring the TypeScript compiler) load in the background shortly after
    // activation, so neither activation nor the first click pays for them.
    setTimeout(() => {
      Promise.all([import('../core/history/pipeline'), import('../core/evaluate/index')]).catch((err) => this.log.warn(`Preloading the backtest pipeline failed: ${(err as Error).message}`));
    }, PRELOAD_AFTER_MS).unref?.();
    if (readSettings().sandbox.mode !== 'docker') return;
    this.sandbox().warm().then(
      () => { this.warmed = true; this.log.info('Sandbox ready (warm container waiting).'); },
      (err) => this.log.warn(`Sandbox not ready yet: ${(err as Error).message}`),
    );
  }

  cancel(): void {
    this.current?.controller.abort();
  }

  async run(request: RunRequest): Promise<RunRecord | undefined> {
    if (this.current) {
      const choice = await vscode.window.showWarningMessage(`A backtest of ${this.current.file} is running.`, 'Cancel it and run this one', 'Keep it');
      if (choice !== 'Cancel it and run this one') return undefined;
      this.cancel();
      while (this.current) await new Promise((r) => setTimeout(r, 50));
    }
    const where = this.location(request.uri);
    const settings = readSettings(request.uri);
    const doc = await vscode.workspace.openTextDocument(request.uri);
    const name = path.basename(where.file).replace(/\.(strategy\.)?ts$/, '');
    const options: RunOptions = { ...settings.defaults, source: settings.data.source, ...request.options };
    const mode = request.modeOverride ?? settings.sandbox.mode;
    const panel = this.panels.open(`Results: ${name}`);
    const controller = new AbortController();
    this.current = { controller, file: where.file };
    void vscode.commands.executeCommand('setContext', 'strategyLab.running', true);
    const clicked = performance.now();
    const startedAt = new Date().toISOString();
    const runId = `${startedAt.replace(/[-:.]/g, '')}-${Math.random().toString(36).slice(2, 6)}`;
    panel.startRun({ runId, strategy: name, file: where.file, uri: request.uri, startedAt });
    const running: RunStatus = { state: 'running', stage: 'data', runId, strategy: name, startedAt };
    this.setRunningStatus(name, 'data');
    this.log.info(`Backtest ${where.file}: source ${options.source}${options.from || options.to ? `, ${options.from ?? '…'} → ${options.to ?? '…'}` : ''}, cash ${options.cash}, commission ${options.commission}, sandbox ${mode}.`);

    // The exact text that runs: the record keeps it, the findings are computed on it.
    const source = doc.getText();
    const evaluatorSettings = settings.evaluate ? this.evaluatorSettings(settings.evaluateRaw) : undefined;
    // Results first: the backtest's record, shown before the evaluators start; kept if they are cancelled.
    let shown: RunRecord | undefined;
    try {
      // Inside the try: invalid sandbox settings are shown in the panel like any other failure.
      const runner = this.sandbox();
      const sandboxRun: SandboxRun = (req) => runner.run({ ...req, mode });
      // The notification lives exactly as long as the work: the job, the evaluators, saving, the findings.
      const record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Backtest ${name}`, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        // Keys saved with "Set Alpaca Keys" (Secret Storage) win over the environment's; they only go into the provider.
        const providers = options.source === 'alpaca' ? await alpacaProvidersFromSecrets(this.context.secrets) : {};
        const onStep = (step: EvaluatorStep) => {
          progress.report({ message: `Evaluators ${step.done} of ${step.total}: ${step.current}` });
          panel.setEvaluatorProgress(step);
          this.setRunningStatus(name, 'evaluators', `${step.done}/${step.total}`);
        };
        // Loaded at the first run, not at activation: reading `static config` and compiling use the TypeScript compiler.
        const { runBacktestJob } = await import('../core/history/pipeline');
        const done = await runBacktestJob({
          source,
          file: where.file,
          request: readRequestFromSource(source)?.trim() || undefined,
          options,
          data: {
            cacheDir: vscode.Uri.joinPath(this.context.globalStorageUri, 'data-cache').fsPath,
            csvPath: settings.data.csvPath ? path.resolve(where.root, settings.data.csvPath) : path.join(where.root, 'data'),
            adjusted: settings.data.adjusted,
            requestTimeoutMs: Math.max(1, settings.data.requestTimeoutSeconds) * 1000,
            providers,
            onWarning: (m) => this.log.warn(m),
          },
          sandbox: { mode, run: sandboxRun },
          ...(evaluatorSettings ? { evaluate: (input: EvaluationRequest, signal?: AbortSignal) => this.evaluate(input, runner, evaluatorSettings, signal, onStep, where) } : {}),
          signal: controller.signal,
          onStage: (stage) => {
            progress.report({ message: STAGE_TEXT[stage] });
            panel.setStatus({ ...running, stage });
            this.setRunningStatus(name, stage);
          },
          onResult: (result) => {
            shown = result;
            panel.showResult(runId, result);
            this.log.info(`Results on screen ${Math.round(performance.now() - clicked)} ms after the click (the evaluators go on).`);
          },
          onLog: (line) => panel.appendLog(line),
        });
        progress.report({ message: 'Saving the run…' });
        await this.store(where.root).save(done);
        await this.sendFindings(doc.uri, done);
        return done;
      });
      if (!panel.finishRun(runId, record)) this.log.info(`The results panel shows what you opened while ${where.file} ran; run ${record.id} is in the run history.`);
      this.runErrors.clear(doc.uri);
      this.showLastResult(summarize(record), where.uri);
      this.log.info(`Saved run ${record.id}: return ${formatMetric(record.result.metrics.returnPct, '%')}, ${record.result.metrics.tradeCount} trades, ${record.sandbox.durationMs} ms in the sandbox; ${Math.round(performance.now() - clicked)} ms from the click.`);
      this.saved.fire(record);
      return record;
    } catch (err) {
      const cancelled = controller.signal.aborted;
      if (cancelled) return this.cancelled(where, name, panel, runId, shown);
      const error = describeError(err);
      this.log.error(`Backtest ${where.file} failed: ${error.title}`, err);
      if (error.location) this.runErrors.show(doc.uri, source, error.location, error.message);
      else this.runErrors.clear(doc.uri);
      panel.setStatus({ state: 'error' });
      panel.showError(error);
      this.restoreStatus();
      void this.showErrorWithActions(error, panel);
      return undefined;
    } finally {
      this.current = undefined;
      void vscode.commands.executeCommand('setContext', 'strategyLab.running', false);
    }
  }

  /**
   * A cancel is confirmed in a message, the status bar goes back to the last result, and nothing half-done is
   * saved — except a backtest that had finished: cancelling its evaluators keeps it, saved without a verdict.
   */
  private async cancelled(where: StrategyLocation, name: string, panel: ResultsPanel, runId: string, finished: RunRecord | undefined): Promise<RunRecord | undefined> {
    this.log.info(`Backtest ${where.file} cancelled${finished ? ' during the evaluators: the backtest is saved without an evaluation' : ''}.`);
    if (finished) {
      try {
        await this.store(where.root).save(finished);
        panel.finishRun(runId, finished);
        this.showLastResult(summarize(finished), where.uri);
        this.saved.fire(finished);
        void vscode.window.showInformationMessage(`Evaluation of ${name} cancelled: the backtest is saved without a verdict.`);
        return finished;
      } catch (err) {
        this.log.error('The finished backtest could not be saved after the cancel', err);
      }
    }
    panel.setStatus({ state: 'cancelled' });
    panel.showError(null);
    this.restoreStatus();
    void vscode.window.showInformationMessage(`Backtest of ${name} cancelled; nothing was saved${this.lastResult ? ' (the last result is kept)' : ''}.`);
    return undefined;
  }

  /** The error as a notification with the panel's own buttons (Open Settings, Run Sandbox Doctor, Use process mode …). */
  private async showErrorWithActions(error: PanelError, panel: ResultsPanel): Promise<void> {
    const actions = error.actions ?? [];
    const choice = await vscode.window.showErrorMessage(`${error.title}: ${error.message.split('\n')[0].slice(0, 300)}`, ...actions.map((a) => a.label), 'Show results');
    const picked = actions.find((a) => a.label === choice);
    if (picked) await panel.act({ type: 'action', action: picked.id, ...(picked.setting ? { setting: picked.setting } : {}) });
    else if (choice) panel.reveal();
  }

  /**
   * `strategyLab.evaluate.*` as evaluator settings; bad values are shown (with the setting's name) and the
   * run is then saved without an evaluation, never evaluated with settings the user did not ask for.
   */
  private evaluatorSettings(raw: Record<string, unknown>): EvaluateSettings | undefined {
    try {
      return evaluateSettingsFromFlat(raw);
    } catch (err) {
      this.log.error('Evaluator settings are invalid; this run is saved without an evaluation', err);
      void vscode.window.showWarningMessage(`${(err as Error).message} This run is saved without an evaluation.`, 'Open Settings').then((c) => {
        if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'strategyLab.evaluate');
      });
      return undefined;
    }
  }

  /** The run's findings to the language server (an empty list clears the previous run's); a failure is only logged. */
  /** Shows `record`'s evaluator findings on `uri`'s lines while its text is the source that ran (the server checks). */
  async sendFindings(uri: vscode.Uri, record: RunRecord): Promise<void> {
    if (!this.publishFindings) return;
    const params = evaluationFindingsParams(uri.toString(), record);
    try {
      await this.publishFindings(params);
      if (params.findings.length) this.log.info(`${params.findings.length} evaluator finding(s) shown in ${record.strategy.file} (until it is edited).`);
    } catch (err) {
      this.log.warn(`Could not send the evaluator findings to the language server: ${(err as Error).message}`);
    }
  }

  /**
   * The evaluation pipeline (core/evaluate) on the finished run, with the user's evaluator settings; its re-runs
   * go through the same long-lived runner (warm pool, Docker host, image, limits) and mode as the backtest.
   * LLM evaluators run only with an API key (SecretStorage or OPENAI_API_KEY), else they are skipped.
   * An evaluation that fails costs the run nothing: it is saved without one, and the log says why.
   */
  private async evaluate(input: EvaluationRequest, runner: SandboxRunner, settings: EvaluateSettings, signal: AbortSignal | undefined, onStep: (step: EvaluatorStep) => void, where: StrategyLocation) {
    try {
      const trials = await this.countVariant(input, where);
      const llmSettings = readGenerateSettings((key, fallback) => vscode.workspace.getConfiguration('strategyLab').get(key, fallback));
      const apiKey = llmSettings.provider === 'offline' ? undefined : (await this.context.secrets.get(API_KEY_SECRET)) || process.env.OPENAI_API_KEY || undefined;
      // Loaded on the first evaluation, not at activation: the evaluators bring the TypeScript compiler (~0.5 s).
      const [{ evaluateStrategy }, { summarizeEvaluation }, { chatClientFrom }] = await Promise.all([
        import('../core/evaluate/index'), import('../core/history/evaluation'), import('../core/evaluate/llm/client'),
      ]);
      const report = await evaluateStrategy({ ...input, runner, settings, signal, onStep, trials, llm: chatClientFrom({ apiKey, settings: llmSettings.llm }) });
      this.log.info(`Evaluation: ${report.summary} (${report.elapsedMs} ms).`);
      return summarizeEvaluation(report, { source: input.source, fileName: input.fileName });
    } catch (err) {
      if (signal?.aborted) throw err;
      this.log.error('The evaluators failed; the run is saved without an evaluation', err);
      return null;
    }
  }

  /**
   * Each distinct variant (source and parameters) evaluated from the editor is a trial of this strategy, so the
   * deflated Sharpe counts what was tried; the same code run again is not a new trial. A count that cannot be
   * kept (unreadable trials file) leaves the run evaluated as a first trial, and the log says why.
   */
  private async countVariant(input: EvaluationRequest, where: StrategyLocation): Promise<number | undefined> {
    try {
      const variant = createHash('sha256').update(input.source).update('\0').update(JSON.stringify(input.options.params ?? {})).digest('hex');
      return await new RunStore(where.root).addVariant(strategyKey(where.file, input.result.run.strategy), variant, 'editor');
    } catch (err) {
      this.log.warn(`The trial count of ${where.file} could not be kept: ${(err as Error).message}`);
      return undefined;
    }
  }

  private setRunningStatus(name: string, stage: Stage, detail?: string): void {
    this.status.text = `$(sync~spin) ${name}: ${stage}${detail ? ` ${detail}` : ''}…`;
    this.status.tooltip = 'Backtest running — click to cancel';
    this.status.command = 'strategyLab.cancelBacktest';
    this.status.show();
  }

  /** The status bar shows this run as the last result (after a run, and at start-up from the history). */
  showLastResult(run: RunSummary, uri: vscode.Uri): void {
    this.lastResult = { run, uri };
    const verdict = verdictBrief(run);
    // The status bar is narrow: the word only when there is one; the tooltip says the rest.
    this.status.text = `$(graph-line) ${run.strategyName}: ${run.verdict ? `${verdict} · ` : ''}${formatMetric(run.returnPct, '%')}`;
    this.status.tooltip = `Last backtest (${run.createdAt.slice(0, 16).replace('T', ' ')}): verdict ${verdict}; return ${formatMetric(run.returnPct, '%')}, Sharpe ${formatMetric(run.sharpeRatio, 'ratio')}, max drawdown ${formatMetric(run.maxDrawdownPct, '%')}, ${run.tradeCount} trades. Click to open the results.`;
    this.status.command = { title: 'Open Results', command: 'strategyLab.openRun', arguments: [uri, run.id] };
    this.status.show();
  }

  /** After a failed or cancelled run: the last result again (not a blank "Strategy Lab"). */
  private restoreStatus(): void {
    if (this.lastResult) this.showLastResult(this.lastResult.run, this.lastResult.uri);
    else this.idleStatus();
  }

  private idleStatus(): void {
    this.status.text = '$(graph-line) Strategy Lab';
    this.status.tooltip = 'Strategy Lab: show run history';
    this.status.command = 'strategyLab.showRunHistory';
    this.status.show();
  }

  dispose(): void {
    this.cancel();
    this.status.dispose();
    this.saved.dispose();
    this.runErrors.dispose();
  }

  /** Removes every container this window started; awaited on deactivate. */
  async shutdown(): Promise<void> {
    this.cancel();
    await this.runner?.dispose();
  }
}
