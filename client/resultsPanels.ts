/**
 * Where the one results webview comes from: created beside the editor the first time, revealed after that,
 * and restored after a window reload (the serializer). What it shows is ResultsPanel's (resultsPanel.ts).
 */
import * as vscode from 'vscode';
import { webviewPage } from './webviewPage';
import type { ViewModel } from '../media/protocol';
import { ResultsPanel, type PanelActionHandler } from './resultsPanel';

/** The webview type; the serializer and the activation event use it. */
export const VIEW_TYPE = 'strategyLab.results';

/** The key of the one results panel. */
const MAIN = 'results';

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
