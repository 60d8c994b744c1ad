/**
 * One-sentence definition of every statistic, for tooltips, reports and the CLI,
 * so no other module writes its own. Each is a summary of the full definition in
 * docs/metrics.md (test/metrics/definitions.test.ts checks both cover every field).
 */
import type { TradePerformance } from './performance';
import type { Metrics } from './types';

export const METRIC_DEFINITIONS: Readonly<Record<keyof Metrics, string>> = {
  start: 'Time of the first bar.',
  end: 'Time of the last bar.',
  durationDays: 'Calendar days from the first to the last bar.',
  exposureTimePct: 'Share of bars inside at least one trade (entry and exit bars included).',
  equityFinal: 'Equity at the last bar: cash plus open positions marked to market.',
  equityPeak: 'Highest equity at any bar close.',
  returnPct: '(Final equity / starting equity − 1) × 100.',
  buyHoldReturnPct: 'Return of buying the traded symbols and holding them to the last bar (equal weight for several symbols).',
  returnAnnPct: 'Geometric mean daily return compounded over 252 trading days (365 when the data has weekend bars; 52 weeks for weekly data).',
  volatilityAnnPct: 'Standard deviation of the compounded annual return implied by the daily returns\' mean and variance.',
  cagrPct: 'Compound annual growth rate: (final / starting equity)^(1 / years) − 1, years of 365.25 calendar days.',
  sharpeRatio: '(Annualised return − risk-free rate) / annualised volatility.',
  sortinoRatio: '(Annualised return − risk-free rate) / annualised downside deviation (root mean square of negative daily returns).',
  calmarRatio: 'Annualised return / |max drawdown|.',
  alphaPct: 'Jensen\'s alpha: return − risk-free rate − beta × (buy & hold return − risk-free rate), in percent points.',
  beta: 'Covariance of the strategy\'s bar-to-bar log returns with buy & hold\'s, divided by buy & hold\'s variance.',
  maxDrawdownPct: 'Largest fall of equity below its running peak, in percent (negative).',
  avgDrawdownPct: 'Mean depth of the drawdown periods (negative).',
  maxDrawdownDurationDays: 'Longest drawdown period: from the last bar at a peak until equity is back at a peak (or the last bar).',
  avgDrawdownDurationDays: 'Mean length of the drawdown periods.',
  tradeCount: 'Number of trades, including those still open at the end (marked to market).',
  winRatePct: 'Share of trades with a positive P&L after commissions.',
  bestTradePct: 'Highest trade return.',
  worstTradePct: 'Lowest trade return.',
  avgTradePct: 'Geometric mean of the trade returns.',
  maxTradeDurationDays: 'Longest time from a trade\'s entry to its exit.',
  avgTradeDurationDays: 'Mean time from a trade\'s entry to its exit.',
  profitFactor: 'Sum of the winning trades\' returns / |sum of the losing trades\' returns|.',
  expectancyPct: 'Arithmetic mean of the trade returns.',
  sqn: 'System Quality Number: √(trades) × mean trade P&L / standard deviation of trade P&L.',
  kellyCriterion: 'Kelly fraction: win rate − (1 − win rate) / (mean win / |mean loss|), on cash P&L.',
  commissionsPaid: 'Total commissions and fees paid.',
};

/** The performance basics (core/metrics/performance.ts), one sentence each, summarising docs/metrics.md. */
export const PERFORMANCE_DEFINITIONS: Readonly<Record<keyof TradePerformance, string>> = {
  netProfit: 'Sum of every trade\'s P&L in cash after commissions (open trades marked at the last close).',
  grossProfit: 'Sum of the P&L of the winning trades (P&L > 0).',
  grossLoss: 'Sum of the P&L of the losing trades (P&L < 0); negative.',
  winners: 'Number of trades with a P&L above 0.',
  losers: 'Number of trades with a P&L below 0.',
  breakeven: 'Number of trades with a P&L of exactly 0.',
  avgWin: 'Gross profit / winners.',
  avgLoss: 'Gross loss / losers (negative).',
  winLossRatio: 'Average win / |average loss|.',
  largestWin: 'Highest P&L of a winning trade.',
  largestLoss: 'Lowest P&L of a losing trade (negative).',
  maxConsecutiveWins: 'Longest run of winning trades in entry order (a break-even trade ends a run).',
  maxConsecutiveLosses: 'Longest run of losing trades in entry order (a break-even trade ends a run).',
  avgBarsInTrade: 'Mean of exit bar − entry bar over the trades (open trades to the last bar).',
};
