/** The "Strategy Lab Runs" view in the Explorer: saved runs of every workspace folder, newest first. */
import * as vscode from 'vscode';
import { RunStore } from '../core/history/store';
import type { RunSummary } from '../core/history/types';
import { formatMetric } from '../core/report/metricCatalog';
import { summaryLabel, verdictBrief } from '../core/report/verdictText';
import type { Log } from './output';

export class RunItem extends vscode.TreeItem {
  constructor(readonly run: RunSummary, readonly root: string) {
    super(`${run.strategyName} · ${formatMetric(run.returnPct, '%')}`, vscode.TreeItemCollapsibleState.None);
    const verdict = verdictBrief(run);
    this.description = `${verdict} · ${run.createdAt.slice(0, 16).replace('T', ' ')} · ${run.tradeCount} trades`;
    this.tooltip = new vscode.MarkdownString([
      `**${run.strategyName}** (${run.file})`,
      `${run.symbols.join(', ')} · ${run.start ?? '?'} → ${run.end ?? '?'} · sandbox ${run.sandbox}`,
      `Return ${formatMetric(run.returnPct, '%')} · Sharpe ${formatMetric(run.sharpeRatio, 'ratio')} · max drawdown ${formatMetric(run.maxDrawdownPct, '%')} · ${run.tradeCount} trades`,
      `Verdict: ${verdict}`,
    ].join('\n\n'));
    this.iconPath = verdictIcon(run);
    this.contextValue = 'strategyLab.run';
    this.id = `${root}:${run.id}`;
    this.command = { title: 'Open Run', command: 'strategyLab.openRun', arguments: [vscode.Uri.joinPath(vscode.Uri.file(root), ...run.file.split('/')), run.id] };
  }
}

/** The row's icon says the verdict (capped by failed checks), not the sign of the return. */
function verdictIcon(run: RunSummary): vscode.ThemeIcon {
  switch (summaryLabel(run)) {
    case 'do-not-trust': return new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'));
    case 'insufficient-evidence': return new vscode.ThemeIcon('question');
    case 'fragile':
    case 'weak-evidence': return new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.yellow'));
    case 'promising': return new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'));
    default: return new vscode.ThemeIcon('circle-outline');
  }
}

export class RunsView implements vscode.TreeDataProvider<RunItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly log: Log) {}

  refresh(): void { this.changed.fire(); }

  getTreeItem(item: RunItem): vscode.TreeItem { return item; }

  async getChildren(): Promise<RunItem[]> {
    const items: RunItem[] = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const { runs, problems } = await new RunStore(folder.uri.fsPath).list();
      for (const p of problems) this.log.warn(`Run history: skipped ${p}`);
      items.push(...runs.map((r) => new RunItem(r, folder.uri.fsPath)));
    }
    return items.sort((a, b) => (a.run.createdAt < b.run.createdAt ? 1 : -1));
  }
}
