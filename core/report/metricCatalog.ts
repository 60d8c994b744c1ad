/**
 * How every metric is labelled, grouped, formatted and explained in the results
 * view, the HTML report and run comparisons. The definitions follow
 * backtesting.py's `compute_stats` (see docs/metrics.md).
 *
 * TODO(lead): the metrics module should own one catalog (e.g. core/metrics/definitions.ts)
 * that docs/metrics.md, core/cli/summary.ts and this file all read; until it lands the
 * labels and definitions live here.
 */
import type { Metrics } from '../metrics/types';

export type MetricUnit = '%' | 'days' | '$' | 'ratio' | 'count' | 'date';
/** Which way is better when two runs are compared; null when neither is. */
export type MetricDirection = 'higher' | 'lower' | null;

export interface MetricInfo {
  key: keyof Metrics;
  label: string;
  unit: MetricUnit;
  direction: MetricDirection;
  definition: string;
}

export interface MetricGroup {
  id: 'returns' | 'risk' | 'trades';
  title: string;
  metrics: MetricInfo[];
}

const m = (key: keyof Metrics, label: string, unit: MetricUnit, direction: MetricDirection, definition: string): MetricInfo => ({
  key, label, unit, direction, definition,
});

export const METRIC_GROUPS: readonly MetricGroup[] = [
  {
    id: 'returns',
    title: 'Returns',
    metrics: [
      m('start', 'Start', 'date', null, 'Time of the first bar of the backtest.'),
      m('end', 'End', 'date', null, 'Time of the last bar of the backtest.'),
      m('durationDays', 'Duration', 'days', null, 'Calendar days from the first to the last bar.'),
      m('equityFinal', 'Equity final', '$', 'higher', 'Cash plus open positions marked to market at the last close.'),
      m('equityPeak', 'Equity peak', '$', 'higher', 'Highest equity reached at any bar close.'),
      m('returnPct', 'Return', '%', 'higher', '(Final equity / starting cash − 1) × 100.'),
      m('buyHoldReturnPct', 'Buy & hold return', '%', null, 'Return of buying the traded symbols at the first close and holding to the last close (equal weight for several symbols).'),
      m('returnAnnPct', 'Return (ann.)', '%', 'higher', 'Geometric mean daily return, annualized over 252 trading days (365 for data that trades every day).'),
      m('cagrPct', 'CAGR', '%', 'higher', 'Compound annual growth rate: (final / initial equity)^(1 / years) − 1, years from calendar time.'),
      m('alphaPct', 'Alpha', '%', 'higher', 'Return not explained by market exposure: return − beta × buy-and-hold return (risk-free rate 0).'),
      m('beta', 'Beta', 'ratio', null, 'Covariance of the strategy\'s daily log returns with buy-and-hold\'s, divided by buy-and-hold\'s variance.'),
    ],
  },
  {
    id: 'risk',
    title: 'Risk',
    metrics: [
      m('volatilityAnnPct', 'Volatility (ann.)', '%', 'lower', 'Standard deviation of daily returns, annualized consistently with Return (ann.).'),
      m('sharpeRatio', 'Sharpe ratio', 'ratio', 'higher', '(Return (ann.) − risk-free rate) / Volatility (ann.).'),
      m('sortinoRatio', 'Sortino ratio', 'ratio', 'higher', '(Return (ann.) − risk-free rate) / annualized downside deviation (only negative daily returns count).'),
      m('calmarRatio', 'Calmar ratio', 'ratio', 'higher', 'Return (ann.) / |Max drawdown|.'),
      m('maxDrawdownPct', 'Max drawdown', '%', 'higher', 'Largest fall of equity from a running peak, in percent (negative).'),
      m('avgDrawdownPct', 'Avg drawdown', '%', 'higher', 'Mean of the deepest point of every drawdown period (negative).'),
      m('maxDrawdownDurationDays', 'Max drawdown duration', 'days', 'lower', 'Longest time from a peak until equity regained it (or the end of the data).'),
      m('avgDrawdownDurationDays', 'Avg drawdown duration', 'days', 'lower', 'Mean length of the drawdown periods.'),
      m('exposureTimePct', 'Exposure time', '%', null, 'Share of bars with an open position.'),
    ],
  },
  {
    id: 'trades',
    title: 'Trades',
    metrics: [
      m('tradeCount', 'Trades', 'count', null, 'Number of round trips, including trades still open at the end.'),
      m('winRatePct', 'Win rate', '%', 'higher', 'Share of trades with a positive profit after commissions.'),
      m('bestTradePct', 'Best trade', '%', 'higher', 'Highest return of a single trade.'),
      m('worstTradePct', 'Worst trade', '%', 'higher', 'Lowest return of a single trade.'),
      m('avgTradePct', 'Avg trade', '%', 'higher', 'Geometric mean of the trade returns.'),
      m('maxTradeDurationDays', 'Max trade duration', 'days', null, 'Longest time a trade was held.'),
      m('avgTradeDurationDays', 'Avg trade duration', 'days', null, 'Mean time a trade was held.'),
      m('profitFactor', 'Profit factor', 'ratio', 'higher', 'Gross profit of winning trades / gross loss of losing trades.'),
      m('expectancyPct', 'Expectancy', '%', 'higher', 'Mean trade return: what one trade earns on average.'),
      m('sqn', 'SQN', 'ratio', 'higher', 'System Quality Number: √(number of trades) × mean trade P&L / standard deviation of trade P&L.'),
      m('kellyCriterion', 'Kelly criterion', 'ratio', 'higher', 'Fraction of capital the Kelly formula would risk: win rate − (1 − win rate) / (avg win / avg loss).'),
      m('commissionsPaid', 'Commissions', '$', 'lower', 'Total commissions and fixed fees paid.'),
    ],
  },
];

export const ALL_METRICS: readonly MetricInfo[] = METRIC_GROUPS.flatMap((g) => g.metrics);

const BY_KEY = new Map(ALL_METRICS.map((info) => [info.key, info]));

export function metricInfo(key: keyof Metrics): MetricInfo {
  const info = BY_KEY.get(key);
  if (!info) throw new Error(`No catalog entry for metric '${String(key)}'. Add it to core/report/metricCatalog.ts.`);
  return info;
}

/** One way to show a value everywhere (view, report, compare): null reads "n/a". */
export function formatMetric(value: number | string | null | undefined, unit: MetricUnit): string {
  if (value === null || value === undefined) return 'n/a';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case '%': return `${formatNumber(value, 2)} %`;
    case '$': return formatNumber(value, 2);
    case 'days': return `${formatNumber(value, 1)} d`;
    case 'count': return formatNumber(value, 0);
    case 'date': return String(value);
    default: return formatNumber(value, 2);
  }
}

export function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}
