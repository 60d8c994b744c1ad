/**
 * How every metric is labelled, grouped and formatted in the results view, the
 * HTML report and run comparisons. The definitions are the metrics module's own
 * (core/metrics/definitions.ts, summarising docs/metrics.md): one source.
 */
import { METRIC_DEFINITIONS, PERFORMANCE_DEFINITIONS } from '../metrics/definitions';
import type { TradePerformance } from '../metrics/performance';
import type { Metrics } from '../metrics/types';
import { formatDuration, formatNumber, formatPercent } from './format';

export { formatNumber } from './format';

/** 'pp': percent points of a total (alpha), which can run into thousands over decades and is not a return. */
export type MetricUnit = '%' | 'pp' | 'days' | '$' | 'ratio' | 'count' | 'bars' | 'date';
/** Which way is better when two runs are compared; null when neither is. */
export type MetricDirection = 'higher' | 'lower' | null;

export interface MetricInfo<K extends string = keyof Metrics> {
  key: K;
  label: string;
  unit: MetricUnit;
  direction: MetricDirection;
  /**
   * The figure is an amount of money that scales with the starting cash (equity final, net profit, …):
   * two runs with different cash are not better or worse on it (compare shows it, marks neither).
   */
  cash?: true;
  definition: string;
}

export interface MetricGroup {
  id: 'returns' | 'risk' | 'trades';
  title: string;
  metrics: MetricInfo[];
}

/** A catalog entry maker over one set of definitions; money figures are marked `cash`. */
function entries<K extends string>(definitions: Readonly<Record<K, string>>) {
  return (key: K, label: string, unit: MetricUnit, direction: MetricDirection): MetricInfo<K> => ({
    key, label, unit, direction, ...(unit === '$' ? { cash: true as const } : {}), definition: definitions[key],
  });
}
const m = entries<keyof Metrics>(METRIC_DEFINITIONS);
const p = entries<keyof TradePerformance>(PERFORMANCE_DEFINITIONS);

export const METRIC_GROUPS: readonly MetricGroup[] = [
  {
    id: 'returns',
    title: 'Returns',
    metrics: [
      m('start', 'Start', 'date', null),
      m('end', 'End', 'date', null),
      m('durationDays', 'Duration', 'days', null),
      m('equityFinal', 'Equity final', '$', 'higher'),
      m('equityPeak', 'Equity peak', '$', 'higher'),
      m('returnPct', 'Return', '%', 'higher'),
      m('buyHoldReturnPct', 'Buy & hold return', '%', null),
      m('returnAnnPct', 'Return (ann.)', '%', 'higher'),
      m('cagrPct', 'CAGR', '%', 'higher'),
      m('alphaPct', 'Alpha (total)', 'pp', 'higher'),
      m('beta', 'Beta', 'ratio', null),
    ],
  },
  {
    id: 'risk',
    title: 'Risk',
    metrics: [
      m('volatilityAnnPct', 'Volatility (ann.)', '%', 'lower'),
      m('sharpeRatio', 'Sharpe ratio', 'ratio', 'higher'),
      m('sortinoRatio', 'Sortino ratio', 'ratio', 'higher'),
      m('calmarRatio', 'Calmar ratio', 'ratio', 'higher'),
      m('maxDrawdownPct', 'Max drawdown', '%', 'higher'),
      m('avgDrawdownPct', 'Avg drawdown', '%', 'higher'),
      m('maxDrawdownDurationDays', 'Max drawdown duration', 'days', 'lower'),
      m('avgDrawdownDurationDays', 'Avg drawdown duration', 'days', 'lower'),
      m('exposureTimePct', 'Exposure time', '%', null),
    ],
  },
  {
    id: 'trades',
    title: 'Trades',
    metrics: [
      m('tradeCount', 'Trades', 'count', null),
      m('winRatePct', 'Win rate', '%', 'higher'),
      m('bestTradePct', 'Best trade', '%', 'higher'),
      m('worstTradePct', 'Worst trade', '%', 'higher'),
      m('avgTradePct', 'Avg trade', '%', 'higher'),
      m('maxTradeDurationDays', 'Max trade duration', 'days', null),
      m('avgTradeDurationDays', 'Avg trade duration', 'days', null),
      m('profitFactor', 'Profit factor', 'ratio', 'higher'),
      m('expectancyPct', 'Expectancy', '%', 'higher'),
      m('sqn', 'SQN', 'ratio', 'higher'),
      m('kellyCriterion', 'Kelly criterion', 'ratio', 'higher'),
      m('commissionsPaid', 'Commissions', '$', 'lower'),
    ],
  },
];

/** TradingView's performance basics (core/metrics/performance.ts), shown beside the 32 statistics. */
export const PERFORMANCE_METRICS: readonly MetricInfo<keyof TradePerformance>[] = [
  p('netProfit', 'Net profit', '$', 'higher'),
  p('grossProfit', 'Gross profit', '$', null),
  p('grossLoss', 'Gross loss', '$', null),
  p('winners', 'Winning trades', 'count', null),
  p('losers', 'Losing trades', 'count', null),
  p('breakeven', 'Break-even trades', 'count', null),
  p('avgWin', 'Avg win', '$', 'higher'),
  p('avgLoss', 'Avg loss', '$', 'higher'),
  p('winLossRatio', 'Avg win / avg loss', 'ratio', 'higher'),
  p('largestWin', 'Largest win', '$', null),
  p('largestLoss', 'Largest loss', '$', 'higher'),
  p('maxConsecutiveWins', 'Max consecutive wins', 'count', null),
  p('maxConsecutiveLosses', 'Max consecutive losses', 'count', 'lower'),
  p('avgBarsInTrade', 'Avg bars in trade', 'bars', null),
];

export const ALL_METRICS: readonly MetricInfo[] = METRIC_GROUPS.flatMap((g) => g.metrics);

const BY_KEY = new Map(ALL_METRICS.map((info) => [info.key, info]));

export function metricInfo(key: keyof Metrics): MetricInfo {
  const info = BY_KEY.get(key);
  if (!info) throw new Error(`No catalog entry for metric '${String(key)}'. Add it to core/report/metricCatalog.ts.`);
  return info;
}

/** One way to show a value everywhere (view, report, compare, CLI): null reads "n/a"; rules in core/report/format.ts. */
export function formatMetric(value: number | string | null | undefined, unit: MetricUnit): string {
  if (value === null || value === undefined) return 'n/a';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  switch (unit) {
    case '%': return formatPercent(value);
    case 'pp': return `${formatNumber(value, Math.abs(value) >= 1000 ? 0 : 2)} pp`;
    case '$': return formatNumber(value, 2);
    case 'days': return formatDuration(value);
    case 'count': return formatNumber(value, 0);
    case 'bars': return formatNumber(value, Number.isInteger(value) ? 0 : 1);
    case 'date': return String(value);
    default: return formatNumber(value, 2);
  }
}
