/**
 * One results webview per strategy file, reused by the next run of that file. The
 * extension keeps each panel's ViewModel, so a panel that reloads (or is opened
 * while a run is going) gets the whole picture on its 'ready' message.
 */
import * as vscode from 'vscode';
import type { RunLogLine, RunRecord } from '../core/history/types';
import { buildPanelHtml, newNonce } from '../core/report/shell';
import { emptyModel, type FromWebview, type PanelError, type RunStatus, type ToWebview, type ViewModel } from '../media/protocol';

/** The webview type; the serializer and the activation event use it. */
export const VIEW_TYPE = 'strategyLab.results';

export type PanelActionHandler = (panel: ResultsPanel, action: string, runId: string | undefined) => void;

/** Log lines are batched: a strategy logging every bar must not flood the webview with messages. */
const LOG_FLUSH_MS = 100;

export class ResultsPanel {
  readonly model: ViewModel = emptyModel();
  private pendingLogs: RunLogLine[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | undefined;
  private ready = false;
  private readonly disposeListeners: (() => void)[] = [];

  constructor(readonly key: string, readonly panel: vscode.WebviewPanel, onAction: PanelActionHandler) {
    panel.webview.onDidReceiveMessage((msg: FromWebview) => {
      if (msg?.type === 'ready') { this.ready = true; this.send({ type: 'model', model: this.model }); }
      else if (msg?.type === 'action') onAction(this, msg.action, msg.runId);
    });
    panel.onDidDispose(() => { clearTimeout(this.flushTimer); for (const l of this.disposeListeners) l(); });
  }

  onDispose(listener: () => void): void { this.disposeListeners.push(listener); }

  reveal(): void { this.panel.reveal(undefined, true); }

  showRun(run: RunRecord, compareWith: RunRecord | null = null): void {
    this.flushLogs();
    Object.assign(this.model, { run, compareWith, status: { state: 'done' }, error: null, logs: [...run.logs] });
    this.panel.title = compareWith ? `Compare: ${run.strategy.name}` : `Results: ${run.strategy.name}`;
    this.send({ type: 'model', model: this.model });
  }

  setStatus(status: RunStatus): void {
    if (status.state === 'running' && this.model.status.state !== 'running') { this.model.logs = []; this.model.error = null; this.model.compareWith = null; }
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
    // Before 'ready' the webview cannot listen yet; it gets the whole model on 'ready'.
    if (this.ready) void this.panel.webview.postMessage(message);
  }
}

export class ResultsPanels implements vscode.Disposable {
  private readonly panels = new Map<string, ResultsPanel>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly onAction: PanelActionHandler) {}

  /** The panel of one strategy file (key: its workspace-relative path), created when needed. */
  open(key: string, title: string): ResultsPanel {
    const existing = this.panels.get(key);
    if (existing) { existing.reveal(); return existing; }
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.webviewOptions());
    return this.attach(key, panel);
  }

  /**
   * A panel VS Code kept across a window reload (webview serializer): same page, and the model it last
   * showed, from the state the webview saved. A run that was going when the window closed is not going now.
   */
  restore(panel: vscode.WebviewPanel, state: unknown): ResultsPanel {
    const saved = (state as { model?: ViewModel } | undefined)?.model;
    const key = saved?.run ? (saved.compareWith ? `compare:${saved.run.id}:${saved.compareWith.id}` : saved.run.strategy.file) : `restored:${Date.now()}`;
    panel.webview.options = this.webviewOptions();
    const results = this.attach(key, panel);
    if (saved) {
      Object.assign(results.model, saved);
      if (saved.status?.state === 'running') results.model.status = { state: 'cancelled' };
    }
    return results;
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'media')] };
  }

  private attach(key: string, panel: vscode.WebviewPanel): ResultsPanel {
    const media = vscode.Uri.joinPath(this.extensionUri, 'dist', 'media');
    panel.webview.html = buildPanelHtml({
      title: panel.title,
      nonce: newNonce(),
      cspSource: panel.webview.cspSource,
      script: { uri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'main.js')).toString() },
      style: { uri: panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'main.css')).toString() },
    });
    const results = new ResultsPanel(key, panel, this.onAction);
    results.onDispose(() => this.panels.delete(key));
    this.panels.set(key, results);
    return results;
  }

  get(key: string): ResultsPanel | undefined { return this.panels.get(key); }

  dispose(): void { for (const p of [...this.panels.values()]) p.panel.dispose(); }
}
