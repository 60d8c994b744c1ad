/**
 * How every metric is labelled, grouped and formatted in the results view, the
 * HTML report and run comparisons. The definitions are the metrics module's own
 * (core/metrics/definitions.ts, summarising docs/metrics.md): one source.
 */
import { METRIC_DEFINITIONS } from '../metrics/definitions';
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

const m = (key: keyof Metrics, label: string, unit: MetricUnit, direction: MetricDirection): MetricInfo => ({
  key, label, unit, direction, definition: METRIC_DEFINITIONS[key],
});

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
      m('alphaPct', 'Alpha', '%', 'higher'),
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

/** One formatter per precision: `toLocaleString` builds a new Intl.NumberFormat at every call (~0.3 ms each). */
const formatters = new Map<number, Intl.NumberFormat>();

export function formatNumber(value: number, digits: number): string {
  let f = formatters.get(digits);
  if (!f) formatters.set(digits, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f.format(value);
}
