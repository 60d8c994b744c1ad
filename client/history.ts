/** Run history, comparison and export commands. */
import * as vscode from 'vscode';
import { compareRuns } from '../core/history/compare';
import type { RunStore } from '../core/history/store';
import type { RunRecord, RunSummary } from '../core/history/types';
import { tradesToCsv } from '../core/report/csv';
import { buildHtmlReport, readPanelAssets } from '../core/report/html';
import { formatMetric } from '../core/report/metricCatalog';
import { verdictBrief } from '../core/report/verdictText';
import type { Log } from './output';

export interface HistoryScope {
  root: string;
  store: RunStore;
}

interface RunPick extends vscode.QuickPickItem { run: RunSummary }

function item(r: RunSummary): RunPick {
  return {
    label: `${r.strategyName} · ${r.symbols.join(', ')}`,
    description: `${verdictBrief(r)} · ${formatMetric(r.returnPct, '%')} · Sharpe ${formatMetric(r.sharpeRatio, 'ratio')} · DD ${formatMetric(r.maxDrawdownPct, '%')} · ${r.tradeCount} trades`,
    detail: `${r.createdAt.slice(0, 19).replace('T', ' ')} · ${r.file} · ${r.start ?? '?'} → ${r.end ?? '?'} · ${r.sandbox}`,
    run: r,
  };
}

/** Lets the user pick a run (newest first); reports unreadable files in the log, never deletes them. */
export async function pickRun(scope: HistoryScope, log: Log, title: string, exclude?: string): Promise<RunSummary | undefined> {
  const { runs, problems } = await scope.store.list();
  for (const p of problems) log.warn(`Run history: skipped ${p}`);
  const candidates = runs.filter((r) => r.id !== exclude);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(exclude ? 'There is no other run to compare with yet: run a backtest again (e.g. with other options).' : 'No runs yet: click "▶ Backtest" above a strategy class.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(candidates.map(item), { title, matchOnDescription: true, matchOnDetail: true }))?.run;
}

export async function comparePick(scope: HistoryScope, log: Log, a?: RunRecord): Promise<[RunRecord, RunRecord] | undefined> {
  const first = a ?? (await pickRun(scope, log, 'Compare runs: pick run A').then((s) => (s ? scope.store.load(s.id) : undefined)));
  if (!first) return undefined;
  const second = await pickRun(scope, log, `Compare with ${first.strategy.name} (${first.createdAt.slice(0, 16).replace('T', ' ')}): pick run B`, first.id);
  if (!second) return undefined;
  const b = await scope.store.load(second.id);
  const diff = compareRuns(first, b);
  log.info(`Compare ${diff.a.label} vs ${diff.b.label}: verdict ${diff.verdict.a} vs ${diff.verdict.b}, return ${formatMetric(first.result.metrics.returnPct, '%')} vs ${formatMetric(b.result.metrics.returnPct, '%')}.`);
  return [first, b];
}

export async function exportRun(run: RunRecord, format: 'csv' | 'html', scope: HistoryScope, extensionUri: vscode.Uri, log: Log): Promise<vscode.Uri | undefined> {
  const base = `${run.strategy.name}-${run.id.slice(0, 15)}`;
  const target = await vscode.window.showSaveDialog({
    title: format === 'csv' ? 'Export trades as CSV' : 'Export the report as a self-contained HTML file',
    defaultUri: vscode.Uri.joinPath(vscode.Uri.file(scope.root), format === 'csv' ? `${base}-trades.csv` : `${base}-report.html`),
    filters: format === 'csv' ? { CSV: ['csv'] } : { HTML: ['html'] },
  });
  if (!target) return undefined;
  await writeExport(run, format, target, extensionUri);
  log.info(`Exported ${format.toUpperCase()} of run ${run.id} to ${target.fsPath}.`);
  void vscode.window.showInformationMessage(`Exported ${format === 'csv' ? `${run.result.trades.length} trades` : 'the report'} to ${vscode.workspace.asRelativePath(target)}.`);
  return target;
}

/** Writes the export file (no dialog): used by the commands when a target is given, and by the e2e suite. */
export async function writeExport(run: RunRecord, format: 'csv' | 'html', target: vscode.Uri, extensionUri: vscode.Uri): Promise<void> {
  const text = format === 'csv' ? tradesToCsv(run.result.trades) : buildHtmlReport(run, await readPanelAssets(vscode.Uri.joinPath(extensionUri, 'dist').fsPath));
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
}
