/** "▶ Backtest", "Backtest with options…", "Optimize Parameters…", "Paper trade" and "Results" above every class that extends BaseStrategy. */
import * as vscode from 'vscode';

const STRATEGY_CLASS = /^\s*(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)\s+extends\s+BaseStrategy\b/;

export class StrategyCodeLens implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;

  /** @param hasRun whether a saved run exists for this document */
  constructor(private readonly hasRun: (doc: vscode.TextDocument) => Promise<boolean>) {}

  refresh(): void {
    this.changed.fire();
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const lenses: vscode.CodeLens[] = [];
    let withResults: boolean | undefined;
    for (let line = 0; line < doc.lineCount; line++) {
      const match = STRATEGY_CLASS.exec(doc.lineAt(line).text);
      if (!match) continue;
      const range = new vscode.Range(line, 0, line, 0);
      lenses.push(
        new vscode.CodeLens(range, { title: '▶ Backtest', command: 'strategyLab.runBacktest', arguments: [doc.uri], tooltip: `Backtest ${match[1]} in the sandbox` }),
        new vscode.CodeLens(range, { title: 'Backtest with options…', command: 'strategyLab.runBacktestWithOptions', arguments: [doc.uri], tooltip: 'Choose dates, cash, commission and data source' }),
        new vscode.CodeLens(range, { title: 'Optimize Parameters…', command: 'strategyLab.optimizeParameters', arguments: [doc.uri], tooltip: 'Sweep the declared params: ranked table, heatmap, overfitting checks' }),
        new vscode.CodeLens(range, { title: 'Paper trade', command: 'strategyLab.startPaperTrading', arguments: [doc.uri], tooltip: `Trade ${match[1]} forward on your Alpaca paper account (keys from Set Alpaca Keys)` }),
      );
      withResults ??= await this.hasRun(doc);
      if (withResults) lenses.push(new vscode.CodeLens(range, { title: 'Results', command: 'strategyLab.openResults', arguments: [doc.uri], tooltip: 'Open the last run of this strategy' }));
    }
    return lenses;
  }
}
