/**
 * "Optimize Parameters…": one webview per strategy file (media/sweep.ts) with the form, the table and the
 * heatmap. The sweep runs through `variantEngineFor` with the extension's sandbox mode and long-lived runner,
 * journals under the workspace's .strategy-lab/sweeps/ (so a closed window resumes), shows a cancellable
 * progress notification with count and ETA, and counts its variants in the strategy's trials. The best
 * variant's full result is a normal backtest with its params (results panel, run history).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { webviewPage } from './webviewPage';
import { strategyReader } from './strategyReader';
import { alpacaProvidersFromSecrets } from '../core/data/alpaca';
import { resolveSeries, type SourceId } from '../core/data/provider';
import { RunStore, strategyKey } from '../core/history/store';
import { variantEngineFor } from '../core/run/engineFor';
import { compileStrategy } from '../core/strategy/compile';
import { progressGate, progressLine } from '../core/sweep/execute';
import { requestFromForm, viewOfResult } from '../core/sweep/form';
import { SweepInputError } from '../core/sweep/space';
import { runSweep } from '../core/sweep/sweep';
import type { FromSweepWebview, SweepForm, ToSweepWebview } from '../media/sweepProtocol';
import type { BacktestController } from './backtest';
import type { Log } from './output';
import { readSettings } from './settings';
import { targetUri } from './workspace';

export const OPTIMIZE_COMMAND = 'strategyLab.optimizeParameters';
const VIEW_TYPE = 'strategyLab.sweep';

export class SweepPanels implements vscode.Disposable {
  private readonly panels = new Map<string, { panel: vscode.WebviewPanel; abort?: AbortController }>();

  constructor(private readonly context: vscode.ExtensionContext, private readonly controller: BacktestController, private readonly log: Log) {}

  /** The command: opens (or reveals) the form for the file in the argument or the active editor. */
  async open(arg: unknown): Promise<void> {
    const uri = targetUri(arg);
    if (!uri) {
      void vscode.window.showWarningMessage('Open a strategy file (a class that extends BaseStrategy) first.');
      return;
    }
    const where = this.controller.location(uri);
    const existing = this.panels.get(where.file);
    if (existing) {
      existing.panel.reveal();
      return;
    }
    const source = (await vscode.workspace.openTextDocument(uri)).getText();
    const { readDeclaredParams, readStrategyInfo } = await strategyReader();
    const declared = readDeclaredParams(source, where.file);
    if (!declared.params || !Object.keys(declared.params).length) {
      void vscode.window.showWarningMessage(`Cannot optimize ${where.file}: ${declared.problem ?? 'it declares no params'}. Give the class \`params = { name: value, … }\` with literal numbers or booleans.`);
      return;
    }
    const media = vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'media');
    const panel = vscode.window.createWebviewPanel(VIEW_TYPE, `Optimize: ${path.basename(where.file)}`, vscode.ViewColumn.Beside, { enableScripts: true, retainContextWhenHidden: true, localResourceRoots: [media] });
    panel.webview.html = webviewPage(panel.webview, media, 'sweep', panel.title);
    const entry: { panel: vscode.WebviewPanel; abort?: AbortController } = { panel };
    this.panels.set(where.file, entry);
    const send = (m: ToSweepWebview) => void panel.webview.postMessage(m);
    const className = readStrategyInfo(source, where.file).className ?? path.basename(where.file);
    panel.onDidDispose(() => {
      entry.abort?.abort();
      this.panels.delete(where.file);
    });
    panel.webview.onDidReceiveMessage(async (m: FromSweepWebview) => {
      try {
        switch (m.type) {
          case 'ready':
            send({ type: 'init', strategy: className, params: Object.entries(declared.params!).map(([name, value]) => ({ name, value })) });
            break;
          case 'cancel':
            entry.abort?.abort();
            break;
          case 'openVariant':
            await this.controller.run({ uri, options: { params: m.params } });
            break;
          case 'run':
            await this.run(uri, m.form, entry, send);
            break;
        }
      } catch (err) {
        this.log.error(`Optimize ${where.file} failed`, err);
        send({ type: 'error', message: (err as Error).message });
      }
    });
  }

  private async run(uri: vscode.Uri, form: SweepForm, entry: { abort?: AbortController }, send: (m: ToSweepWebview) => void): Promise<void> {
    if (entry.abort) return; // one sweep per panel at a time
    const where = this.controller.location(uri);
    // The text that runs is the editor's; params are read from it again (the file may have changed since the form opened).
    const source = (await vscode.workspace.openTextDocument(uri)).getText();
    const { readDeclaredParams, readStrategyInfo } = await strategyReader();
    const declared = readDeclaredParams(source, where.file).params ?? {};
    let request;
    try {
      request = requestFromForm(form, declared);
    } catch (err) {
      if (err instanceof SweepInputError) return send({ type: 'error', message: err.message });
      throw err;
    }
    const info = readStrategyInfo(source, where.file);
    if (!info.config || !info.className) return send({ type: 'error', message: `Cannot tell which data to load (${info.problem ?? 'no strategy class'}): give the class a literal \`static config = { symbols: […], timeframe: '1d' }\`.` });
    const settings = readSettings(uri);
    const abort = new AbortController();
    entry.abort = abort;
    const name = path.basename(where.file);
    const engine = variantEngineFor({ engine: 'local', mode: settings.sandbox.mode, runner: this.controller.sandbox() });
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Optimize ${name}`, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => abort.abort());
        progress.report({ message: 'loading data…' });
        const sourceId = settings.data.source as SourceId;
        const series = await resolveSeries(
          { symbols: info.config!.symbols ?? [], timeframe: info.config!.timeframe ?? '1d', start: info.config!.start, end: info.config!.end },
          {
            source: sourceId,
            cacheDir: vscode.Uri.joinPath(this.context.globalStorageUri, 'data-cache').fsPath,
            csvPath: settings.data.csvPath ? path.resolve(where.root, settings.data.csvPath) : path.join(where.root, 'data'),
            adjusted: settings.data.adjusted,
            requestTimeoutMs: Math.max(1, settings.data.requestTimeoutSeconds) * 1000,
            providers: sourceId === 'alpaca' ? await alpacaProvidersFromSecrets(this.context.secrets) : {},
            signal: abort.signal,
            onWarning: (m) => this.log.warn(m),
          },
        );
        const compiled = await compileStrategy(source, where.file);
        let shown = 0;
        // At most 5 updates a second: each one re-renders the webview and the notification.
        const due = progressGate(200);
        const result = await runSweep({
          compiled,
          source,
          series,
          options: { ...settings.defaults },
          ...request,
          engine,
          journalRoot: where.root,
          signal: abort.signal,
          onProgress: (p) => {
            if (!due(p)) return;
            const pct = p.total ? (p.done / p.total) * 100 : 100;
            progress.report({ message: progressLine(p), increment: pct - shown });
            shown = pct;
            send({ type: 'progress', done: p.done, total: p.total, etaMs: p.etaMs });
          },
          onWarning: (w) => this.log.warn(w),
          countTrials: (n) => new RunStore(where.root).addTrials(strategyKey(where.file, info.className!), n, 'optimize'),
        });
        this.log.info(`Optimize ${where.file}: ${result.variantsTried} variants (${result.resumed} from the journal), best ${result.best?.id ?? 'none'}, PBO ${result.pbo.pbo ?? '—'}, journal ${result.journal}.`);
        send({ type: 'result', view: viewOfResult(result, request.space) });
      });
    } catch (err) {
      if (abort.signal.aborted) {
        send({ type: 'cancelled' });
        return;
      }
      throw err;
    } finally {
      entry.abort = undefined;
      await engine.dispose();
    }
  }

  dispose(): void {
    for (const { panel, abort } of this.panels.values()) {
      abort?.abort();
      panel.dispose();
    }
    this.panels.clear();
  }
}
