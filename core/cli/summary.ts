import type { BacktestResult } from '../engine/types';
import type { Metrics } from '../metrics/types';

type Row = [label: string, key: keyof Metrics, unit: '%' | 'days' | '' | '$' | 'count'];

const ROWS: Row[] = [
  ['Start', 'start', ''],
  ['End', 'end', ''],
  ['Duration', 'durationDays', 'days'],
  ['Exposure time', 'exposureTimePct', '%'],
  ['Equity final', 'equityFinal', '$'],
  ['Equity peak', 'equityPeak', '$'],
  ['Return', 'returnPct', '%'],
  ['Buy & hold return', 'buyHoldReturnPct', '%'],
  ['Return (ann.)', 'returnAnnPct', '%'],
  ['Volatility (ann.)', 'volatilityAnnPct', '%'],
  ['CAGR', 'cagrPct', '%'],
  ['Sharpe ratio', 'sharpeRatio', ''],
  ['Sortino ratio', 'sortinoRatio', ''],
  ['Calmar ratio', 'calmarRatio', ''],
  ['Alpha', 'alphaPct', '%'],
  ['Beta', 'beta', ''],
  ['Max drawdown', 'maxDrawdownPct', '%'],
  ['Avg drawdown', 'avgDrawdownPct', '%'],
  ['Max drawdown duration', 'maxDrawdownDurationDays', 'days'],
  ['Avg drawdown duration', 'avgDrawdownDurationDays', 'days'],
  ['Trades', 'tradeCount', 'count'],
  ['Win rate', 'winRatePct', '%'],
  ['Best trade', 'bestTradePct', '%'],
  ['Worst trade', 'worstTradePct', '%'],
  ['Avg trade', 'avgTradePct', '%'],
  ['Max trade duration', 'maxTradeDurationDays', 'days'],
  ['Avg trade duration', 'avgTradeDurationDays', 'days'],
  ['Profit factor', 'profitFactor', ''],
  ['Expectancy', 'expectancyPct', '%'],
  ['SQN', 'sqn', ''],
  ['Kelly criterion', 'kellyCriterion', ''],
  ['Commissions', 'commissionsPaid', '$'],
];

function formatValue(value: unknown, unit: Row[2]): string {
  if (value === null || value === undefined) return 'n/a';
  if (typeof value !== 'number') return String(value);
  const digits = unit === 'count' ? 0 : unit === 'days' ? 1 : 2;
  const text = value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === '%' ? `${text} %` : unit === 'days' ? `${text} days` : unit === '$' ? text : text;
}

/** The human-readable summary `strategy-lab backtest` prints. */
export function formatSummary(result: BacktestResult, dataLabel: string): string {
  const r = result.run;
  const lines = [
    `${r.strategy} on ${r.symbols.join(', ')} — ${r.bars} bars (${dataLabel})`,
    `cash ${r.options.cash}, commission ${r.options.commission}, fixed fee ${r.options.commissionFixed}, slippage ${r.options.slippageBps} bps, fill ${r.options.fill}`,
    '',
  ];
  const width = Math.max(...ROWS.map(([l]) => l.length));
  for (const [label, key, unit] of ROWS) lines.push(`  ${label.padEnd(width)}  ${formatValue(result.metrics[key], unit)}`);
  const open = result.trades.filter((t) => t.open).length;
  if (open) lines.push('', `  ${open} trade(s) still open at the end, marked to market at the last close.`);
  return `${lines.join('\n')}\n`;
}
