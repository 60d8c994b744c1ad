/** Backtest statistics. Definitions: docs/metrics.md. */
export { computeMetrics } from './compute';
export type { Metrics, MetricsInput, TradeStat } from './types';
export { METRIC_DEFINITIONS, PERFORMANCE_DEFINITIONS } from './definitions';
export { tradePerformance, tradeExcursion, cumulativePnl, barsHeld, type TradePerformance, type TradeExcursion } from './performance';
export { calendarReturns, type CalendarReturns } from './calendarReturns';
