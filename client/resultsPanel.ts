/**
 * The one results webview, reused by every run, every strategy and Compare (a run picker in it lists the
 * recent runs). It opens beside the editor once and stays in its column, so opening results never splits the
 * editor area again. The extension keeps its ViewModel, so a panel that reloads (or is opened while a run is
 * going) gets the whole picture on its 'ready' message.
 */
import type * as vscode from 'vscode';
import type { RunLogLine, RunRecord } from '../core/history/types';
import { emptyModel, type EvaluatorProgress, type FromWebview, type PanelError, type RecentRun, type RunStatus, type ToWebview, type ViewModel } from '../media/protocol';

export type PanelActionHandler = (panel: ResultsPanel, message: Extract<FromWebview, { type: 'action' }>) => Promise<void>;

/** One message the panel was sent, as the e2e tests read it (results first: the run shown before the evaluation). */
export interface PanelTraceEntry {
  /** Date.now() when sent. */
  at: number;
  type: ToWebview['type'];
  state: RunStatus['state'];
  stage?: string;
  /** The run the model shows then, and whether it has its evaluation yet. */
  runId?: string;
  evaluated: boolean;
  evaluators?: string;
}

const TRACE_LIMIT = 500;

/** Log lines are batched: a strategy logging every bar must not flood the webview with messages. */
const LOG_FLUSH_MS = 100;

export class ResultsPanel {
  readonly model: ViewModel = emptyModel();
  /** The last messages sent (newest last). */
  readonly trace: PanelTraceEntry[] = [];
  /** The strategy file (workspace-relative) the panel shows or runs now, and its URI when known. */
  file: string | undefined;
  uri: vscode.Uri | undefined;
  private pendingLogs: RunLogLine[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;
  /**
   * The run attempt whose progress the panel follows (startRun), until the user opens another run or a
   * comparison in it: a run going on in the background never takes the panel back from what the user chose.
   */
  private following: string | undefined;
  private readonly disposeListeners: (() => void)[] = [];

  constructor(readonly key: string, readonly panel: vscode.WebviewPanel, private readonly onAction: PanelActionHandler) {
    panel.webview.onDidReceiveMessage((msg: FromWebview) => {
      if (msg?.type === 'ready') { this.ready = true; this.send({ type: 'model', model: this.model }); }
      else if (msg?.type === 'action') void onAction(this, msg);
    });
    panel.onDidDispose(() => { clearTimeout(this.flushTimer); for (const l of this.disposeListeners) l(); });
  }

  onDispose(listener: () => void): void { this.disposeListeners.push(listener); }

  reveal(): void { this.panel.reveal(undefined, true); }

  /** Runs one of the panel's actions as if its button was clicked (the error notification offers the same buttons). */
  act(message: Extract<FromWebview, { type: 'action' }>): Promise<void> { return this.onAction(this, message); }

  /** Shows a saved run (or two, compared) that the user opened: the panel stops following a run going on. */
  showRun(run: RunRecord, compareWith: RunRecord | null = null): void {
    this.following = undefined;
    this.flushLogs();
    this.file = run.strategy.file;
    Object.assign(this.model, { run, compareWith, status: { state: 'done' }, error: null, logs: [...run.logs], stale: false });
    this.panel.title = compareWith ? `Compare: ${run.strategy.name}` : `Results: ${run.strategy.name}`;
    this.send({ type: 'model', model: this.model });
  }

  /**
   * A new run starts: the webview scrolls to the top (running strip, errors and the cancel notice are there) and
   * the previous result, still shown, is marked stale until this run's result replaces it.
   */
  startRun(start: { runId: string; strategy: string; file: string; uri: vscode.Uri; startedAt: string }): void {
    this.flushLogs();
    this.following = start.runId;
    this.file = start.file;
    this.uri = start.uri;
    Object.assign(this.model, {
      status: { state: 'running', stage: 'data', runId: start.runId, strategy: start.strategy, startedAt: start.startedAt },
      error: null, compareWith: null, logs: [], stale: this.model.run !== null,
    });
    this.panel.title = `Results: ${start.strategy}`;
    this.send({ type: 'running', runId: start.runId, strategy: start.strategy, file: start.file, startedAt: start.startedAt });
    this.send({ type: 'model', model: this.model });
  }

  /** Results first: the backtest's record (no evaluation yet) while the evaluators still run. */
  showResult(runId: string, run: RunRecord): void {
    if (this.following !== runId) return;
    this.flushLogs();
    Object.assign(this.model, { run, compareWith: null, stale: false, logs: [...run.logs] });
    this.model.status = { ...this.model.status, stage: 'evaluators' };
    this.panel.title = `Results: ${run.strategy.name}`;
    this.send({ type: 'model', model: this.model });
  }

  /**
   * The run `runId` is saved with its evaluation: the panel shows it, if it still follows that run (returns
   * whether it did). A user who opened another run or a comparison meanwhile keeps it on screen.
   */
  finishRun(runId: string, run: RunRecord): boolean {
    if (this.following !== runId) return false;
    this.showRun(run);
    return true;
  }

  /** "n of N" and the current step of the evaluators, while the results are already on screen. */
  setEvaluatorProgress(progress: EvaluatorProgress): void {
    if (this.model.status.state !== 'running') return; // setStatus ignores a run the panel no longer follows
    this.setStatus({ ...this.model.status, stage: 'evaluators', evaluators: progress });
  }

  /** The run picker's rows (newest first). */
  setRecent(runs: RecentRun[]): void {
    this.model.recent = runs;
    this.send({ type: 'recent', runs });
  }

  /**
   * A running status counts only for the run the panel follows; an error or a cancel is the run's outcome and
   * is shown whatever the panel showed (its notification's "Show results" leads here).
   */
  setStatus(status: RunStatus): void {
    if (status.state === 'running' && status.runId !== this.following) return;
    if (status.state !== 'running') this.following = undefined;
    if (status.state === 'running' && this.model.status.state !== 'running') { this.model.logs = []; this.model.error = null; this.model.compareWith = null; }
    // A run that failed or was cancelled leaves the earlier result on screen: it stays labelled as not this run's.
    this.model.status = status;
    this.send({ type: 'status', status });
  }

  appendLog(line: RunLogLine): void {
    if (this.following === undefined) return; // the run's record keeps its log; the panel shows another run
    this.model.logs.push(line);
    if (this.model.logs.length > 5000) this.model.logs.splice(0, this.model.logs.length - 5000);
    this.pendingLogs.push(line);
    this.flushTimer ??= setTimeout(() => this.flushLogs(), LOG_FLUSH_MS);
  }

  showError(error: PanelError | null): void {
    this.flushLogs();
    this.model.error = error;
    this.send({ type: 'error', error });
  }

  private flushLogs(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.pendingLogs.length === 0) return;
    const lines = this.pendingLogs;
    this.pendingLogs = [];
    this.send({ type: 'log', lines });
  }

  private send(message: ToWebview): void {
    const { status, run } = this.model;
    this.trace.push({
      at: Date.now(), type: message.type, state: status.state, stage: status.stage, runId: run?.id, evaluated: !!run?.evaluation,
      ...(status.evaluators ? { evaluators: `${status.evaluators.done} of ${status.evaluators.total}: ${status.evaluators.current}` } : {}),
    });
    if (this.trace.length > TRACE_LIMIT) this.trace.splice(0, this.trace.length - TRACE_LIMIT);
    // Before 'ready' the webview cannot listen yet; it gets the whole model on 'ready'.
    if (this.ready) void this.panel.webview.postMessage(message);
  }
}
