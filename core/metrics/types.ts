/**
 * Every statistic of a backtest. Definitions: docs/metrics.md (they follow
 * backtesting.py's `compute_stats`). Percentages are percent numbers (12.5 =
 * 12.5 %), drawdowns are negative, durations are in days. A statistic that
 * cannot be computed is null, never NaN or Infinity.
 */
export interface Metrics {
  start: string | null;
  end: string | null;
  durationDays: number | null;
  exposureTimePct: number | null;
  equityFinal: number | null;
  equityPeak: number | null;
  returnPct: number | null;
  buyHoldReturnPct: number | null;
  returnAnnPct: number | null;
  volatilityAnnPct: number | null;
  cagrPct: number | null;
  sharpeRatio: number | null;
  sortinoRatio: number | null;
  calmarRatio: number | null;
  alphaPct: number | null;
  beta: number | null;
  maxDrawdownPct: number | null;
  avgDrawdownPct: number | null;
  maxDrawdownDurationDays: number | null;
  avgDrawdownDurationDays: number | null;
  tradeCount: number;
  winRatePct: number | null;
  bestTradePct: number | null;
  worstTradePct: number | null;
  avgTradePct: number | null;
  maxTradeDurationDays: number | null;
  avgTradeDurationDays: number | null;
  profitFactor: number | null;
  expectancyPct: number | null;
  sqn: number | null;
  kellyCriterion: number | null;
  commissionsPaid: number;
}

/** One closed or still-open trade, as the metrics need it. Times are ms since epoch UTC. */
export interface TradeStat {
  entryBar: number;
  /** Bar index on the equity time grid; for open trades, the last bar. */
  exitBar: number;
  entryTime: number;
  /** For open trades, the last bar's time. */
  exitTime: number;
  /** Cash P&L after commissions. */
  pnl: number;
  /** Percent return of the trade after commissions. */
  returnPct: number;
}

/** Everything `computeMetrics` needs; all arrays share one time grid. */
export interface MetricsInput {
  /** Bar times on the portfolio grid (ms since epoch UTC), strictly increasing. */
  time: Float64Array;
  /** Equity at each bar's close. */
  equity: Float64Array;
  /** Trades in entry order; open ones marked to market at the last bar. */
  trades: TradeStat[];
  /** Buy-and-hold benchmark value on the same grid (see docs/metrics.md for multi-symbol). */
  benchmark: Float64Array;
  /**
   * Bar from which the buy-and-hold return is measured (default 0). backtesting.py
   * starts it where the strategy's indicators have all warmed up; pass that bar to
   * compare Buy & hold return and Alpha with it.
   */
  benchmarkStartBar?: number;
  /** Total commissions paid. */
  commissionsPaid: number;
  /** Annual risk-free rate as a fraction (0.02 = 2 %). Default 0. */
  riskFreeRate?: number;
}
