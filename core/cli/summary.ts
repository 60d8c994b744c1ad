import { overviewOf, type RunOverview } from '../engine/backtest';
import type { BacktestResult } from '../engine/types';
import { METRIC_GROUPS, formatMetric } from '../report/metricCatalog';
import { escapeLine } from './terminal';
import { formatNumber } from '../report/format';

/** The human-readable summary `strategy-lab backtest` prints: the same labels, groups and formats as the results view. */
export function formatSummary(run: BacktestResult | RunOverview, dataLabel: string): string {
  const result = 'openTrades' in run ? run : overviewOf(run);
  const r = result.run;
  const lines = [
    `${escapeLine(r.strategy)} on ${escapeLine(r.symbols.join(', '))} — ${formatNumber(r.bars, 0)} ${r.bars === 1 ? 'bar' : 'bars'} (${escapeLine(dataLabel)})`,
    `cash ${r.options.cash}, commission ${r.options.commission}, fixed fee ${r.options.commissionFixed}, slippage ${r.options.slippageBps} bps, fill ${r.options.fill}`,
  ];
  const width = Math.max(...METRIC_GROUPS.flatMap((g) => g.metrics.map((m) => m.label.length)));
  for (const group of METRIC_GROUPS) {
    lines.push('', group.title);
    for (const m of group.metrics) lines.push(`  ${m.label.padEnd(width)}  ${formatMetric(result.metrics[m.key], m.unit)}`);
  }
  const open = result.openTrades;
  if (open) lines.push('', `  ${open} trade(s) still open at the end, marked to market at the last close.`);
  // A backtest alone has no checks and no verdict: say where they come from rather than leave numbers to be read as one.
  lines.push('', `Verdict: none (a backtest alone is not evaluated): \`strategy-lab evaluate <file>\` gives the checks and the verdict.`);
  return `${lines.join('\n')}\n`;
}
