/** Backtest statistics. Definitions: docs/metrics.md. */
export { computeMetrics } from './compute';
export type { Metrics, MetricsInput, TradeStat } from './types';
export { METRIC_DEFINITIONS } from './definitions';
