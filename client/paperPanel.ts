/**
 * The paper trading panel: one webview per session (media/paper.ts) under the strict CSP of every Strategy Lab
 * panel (core/report/shell.ts: nonce'd script and style from the extension, nothing remote). It shows whatever
 * PaperView it was last given; the mode is in its title. Closing it never stops the session; opening it again
 * reattaches (the current view is sent when the page says it is ready).
 */
import * as vscode from 'vscode';
import { webviewPage } from './webviewPage';
import type { PaperView } from '../core/paper/view';
import type { FromPaperWebview, ToPaperWebview } from '../media/paperProtocol';

export const PAPER_VIEW_TYPE = 'strategyLab.paper';

export class PaperPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private view: PaperView | undefined;
  private ready = false;
  /** How many views reached the page (tests: the panel renders what the session publishes). */
  sent = 0;
  disposed = false;

  constructor(extensionUri: vscode.Uri, readonly sessionId: string, view: PaperView | undefined, onMessage: (m: FromPaperWebview) => void, onDispose: () => void) {
    const media = vscode.Uri.joinPath(extensionUri, 'dist', 'media');
    this.view = view;
    this.panel = vscode.window.createWebviewPanel(PAPER_VIEW_TYPE, this.title(), { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [media] });
    this.panel.webview.html = webviewPage(this.panel.webview, media, 'paper', this.title());
    this.panel.webview.onDidReceiveMessage((m: FromPaperWebview) => {
      if (m?.type === 'ready') {
        this.ready = true;
        this.flush();
      } else onMessage(m);
    });
    this.panel.onDidDispose(() => {
      this.disposed = true;
      onDispose();
    });
  }

  /** The title names the mode first, so a LIVE panel can never pass for a paper one. */
  private title(): string {
    return `${this.view?.mode ?? 'PAPER'} ${this.sessionId}${this.view && !this.view.running ? ` (${this.view.status})` : ''}`;
  }

  update(view: PaperView): void {
    this.view = view;
    this.panel.title = this.title();
    this.flush();
  }

  private flush(): void {
    if (!this.ready || !this.view || this.disposed) return;
    const message: ToPaperWebview = { type: 'view', view: this.view };
    void this.panel.webview.postMessage(message).then((ok) => { if (ok) this.sent++; });
  }

  get lastView(): PaperView | undefined {
    return this.view;
  }

  get isReady(): boolean {
    return this.ready;
  }

  get panelTitle(): string {
    return this.panel.title;
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  dispose(): void {
    if (!this.disposed) this.panel.dispose();
  }
}
