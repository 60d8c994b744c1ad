/**
 * The one results webview, reused by every run, every strategy and Compare (a run picker in it lists the
 * recent runs). It opens beside the editor once and stays in its column, so opening results never splits the
 * editor area again. The extension keeps its ViewModel, so a panel that reloads (or is opened while a run is
 * going) gets the whole picture on its 'ready' message.
 */
import * as vscode from 'vscode';
import { webviewPage } from './webviewPage';
import type { RunLogLine, RunRecord } from '../core/history/types';
import { emptyModel, type EvaluatorProgress, type FromWebview, type PanelError, type RecentRun, type RunStatus, type ToWebview, type ViewModel } from '../media/protocol';

/** The webview type; the serializer and the activation event use it. */
export const VIEW_TYPE = 'strategyLab.results';

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

/** The key of the one results panel. */
const MAIN = 'results';

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

  showRun(run: RunRecord, compareWith: RunRecord | null = null): void {
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
  showResult(run: RunRecord): void {
    this.flushLogs();
    Object.assign(this.model, { run, compareWith: null, stale: false, logs: [...run.logs] });
    this.model.status = { ...this.model.status, stage: 'evaluators' };
    this.panel.title = `Results: ${run.strategy.name}`;
    this.send({ type: 'model', model: this.model });
  }

  /** "n of N" and the current step of the evaluators, while the results are already on screen. */
  setEvaluatorProgress(progress: EvaluatorProgress): void {
    if (this.model.status.state !== 'running') return;
    this.setStatus({ ...this.model.status, stage: 'evaluators', evaluators: progress });
  }

  /** The run picker's rows (newest first). */
  setRecent(runs: RecentRun[]): void {
    this.model.recent = runs;
    this.send({ type: 'recent', runs });
  }

  setStatus(status: RunStatus): void {
    if (status.state === 'running' && this.model.status.state !== 'running') { this.model.logs = []; this.model.error = null; this.model.compareWith = null; }
    // A run that failed or was cancelled leaves the earlier result on screen: it stays labelled as not this run's.
    this.model.status = status;
    this.send({ type: 'status', status });
  }

  appendLog(line: RunLogLine): void {
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

export class ResultsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ResultsPanel>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly onAction: PanelActionHandler) {}

  /**
   * The one results panel, created beside the active editor the first time and revealed where it is after
   * that (its own column: it never opens another group beside itself, so it does not shrink run after run).
   */
  open(title: string): ResultsPanel {
    const existing = this.panels.get(MAIN);
    if (existing) { existing.reveal(); return existing; }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.webviewOptions());
    return this.attach(MAIN, panel);
  }

  /**
   * A panel VS Code kept across a window reload (webview serializer): same page, and the model it last
   * showed, from the state the webview saved. A run that was going when the window closed is not going now.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): ResultsPanel | undefined {
    // One panel: a window saved with several (older versions opened one per strategy) keeps the first.
    if (this.panels.has(MAIN)) { panel.dispose(); return undefined; }
    const saved = (state as { model?: ViewModel } | undefined)?.model;
    panel.webview.options = this.webviewOptions();
    const results = this.attach(MAIN, panel);
    if (saved) {
      Object.assign(results.model, saved);
      results.file = saved.run?.strategy.file;
      if (saved.status?.state === 'running') results.model.status = { state: 'cancelled' };
    }
    return results;
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'media')] };
  }

  private attach(key: string, panel: vscode.WebviewPanel): ResultsPanel {
    const media = vscode.Uri.joinPath(this.extensionUri, 'dist', 'media');
    panel.webview.html = webviewPage(panel.webview, media, 'main', panel.title);
    const results = new ResultsPanel(key, panel, this.onAction);
    results.onDispose(() => this.panels.delete(key));
    this.panels.set(key, results);
    return results;
  }

  /** The results panel, if it is open. */
  get(): ResultsPanel | undefined { return this.panels.get(MAIN); }

  dispose(): void { for (const p of [...this.panels.values()]) p.panel.dispose(); }
}
