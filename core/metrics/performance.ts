/**
 * TradingView's performance basics, beside the 32 statistics of computeMetrics: cash figures over the trade
 * list (net profit, gross profit and loss, winners and losers, average and largest win and loss, streaks, bars
 * in trade) and, per trade, its run-up and drawdown while open (MFE/MAE), the cumulative P&L and bars held.
 * One definition each, in docs/metrics.md ("Performance basics" and "Per trade"); pure functions of a finished
 * result, so old saved runs get them too and nothing here feeds back into the engine.
 */
import { lowerBound } from '../data/series';
import { parseTime } from '../engine/time';
import { finiteOrNull, mean, ratioOrNull } from './numeric';

/** The fields of a trade these figures read (structurally core/engine/types.ts Trade). */
export interface PerformanceTrade {
  side: 'long' | 'short';
  symbol: string;
  size: number;
  entryPrice: number;
  exitPrice: number | null;
  /** ISO time of the entry fill (engine format). */
  entryTime: string;
  exitTime: string | null;
  /** Bar index on the portfolio grid. */
  entryBar: number;
  /** null while open at the end (then the last bar counts). */
  exitBar: number | null;
  /** Cash P&L after commissions (open trades marked at the last close). */
  pnl: number;
}

export interface TradePerformance {
  netProfit: number;
  grossProfit: number;
  /** Negative (or 0). */
  grossLoss: number;
  winners: number;
  losers: number;
  breakeven: number;
  avgWin: number | null;
  /** Negative. */
  avgLoss: number | null;
  winLossRatio: number | null;
  largestWin: number | null;
  /** Negative. */
  largestLoss: number | null;
  maxConsecutiveWins: number;
  maxConsecutiveLosses: number;
  avgBarsInTrade: number | null;
}

/** Bars a trade was held: exit bar − entry bar on the portfolio grid (0 when entered and left on one bar). */
export function barsHeld(trade: PerformanceTrade, lastBar: number): number {
  return (trade.exitBar ?? lastBar) - trade.entryBar;
}

/**
 * The performance basics over all trades (those still open marked to market, as for the 32 statistics), in
 * the order given (entry order). `lastBar` is the index of the last bar of the grid (for open trades).
 */
export function tradePerformance(trades: readonly PerformanceTrade[], lastBar: number): TradePerformance {
  let grossProfit = 0;
  let grossLoss = 0;
  let winners = 0;
  let losers = 0;
  let largestWin = -Infinity;
  let largestLoss = Infinity;
  let winStreak = 0;
  let lossStreak = 0;
  let maxWins = 0;
  let maxLosses = 0;
  const bars: number[] = [];
  for (const t of trades) {
    if (t.pnl > 0) {
      winners++; grossProfit += t.pnl; largestWin = Math.max(largestWin, t.pnl);
      winStreak++; lossStreak = 0;
    } else if (t.pnl < 0) {
      losers++; grossLoss += t.pnl; largestLoss = Math.min(largestLoss, t.pnl);
      lossStreak++; winStreak = 0;
    } else {
      // A break-even trade ends both streaks: it is neither a win nor a loss.
      winStreak = 0; lossStreak = 0;
    }
    maxWins = Math.max(maxWins, winStreak);
    maxLosses = Math.max(maxLosses, lossStreak);
    bars.push(barsHeld(t, lastBar));
  }
  const avgWin = winners ? grossProfit / winners : null;
  const avgLoss = losers ? grossLoss / losers : null;
  return {
    netProfit: grossProfit + grossLoss,
    grossProfit,
    grossLoss,
    winners,
    losers,
    breakeven: trades.length - winners - losers,
    avgWin,
    avgLoss,
    winLossRatio: avgWin === null || avgLoss === null ? null : ratioOrNull(avgWin, -avgLoss),
    largestWin: finiteOrNull(largestWin),
    largestLoss: finiteOrNull(largestLoss),
    maxConsecutiveWins: maxWins,
    maxConsecutiveLosses: maxLosses,
    avgBarsInTrade: mean(bars),
  };
}

/** Bars of one symbol, columnar, times in ms (structurally core/history/types.ts CandleSeries). */
export interface PriceBars {
  time: ArrayLike<number>;
  high: ArrayLike<number>;
  low: ArrayLike<number>;
}

export interface TradeExcursion {
  /** Max run-up (MFE): the largest unrealised profit while open, in cash before commissions, ≥ 0. */
  runUp: number;
  /** runUp / (entry price × size) × 100. */
  runUpPct: number;
  /** Max drawdown (MAE): the largest unrealised loss while open, in cash before commissions, ≤ 0. */
  drawdown: number;
  drawdownPct: number;
}

/**
 * Run-up and drawdown of one trade: over the symbol's bars from the entry bar to the exit bar (both included;
 * to the last bar for an open trade), the best and worst price reached (high and low; for a short the low is
 * its best) and the exit price, against the entry price, times the size.
 */
export function tradeExcursion(trade: PerformanceTrade, bars: PriceBars): TradeExcursion {
  const from = lowerBound(bars.time, parseTime(trade.entryTime));
  const to = trade.exitTime === null ? bars.time.length - 1 : lowerBound(bars.time, parseTime(trade.exitTime));
  let high = Math.max(trade.entryPrice, trade.exitPrice ?? trade.entryPrice);
  let low = Math.min(trade.entryPrice, trade.exitPrice ?? trade.entryPrice);
  for (let i = from; i <= Math.min(to, bars.time.length - 1); i++) {
    if (bars.high[i] > high) high = bars.high[i];
    if (bars.low[i] < low) low = bars.low[i];
  }
  const long = trade.side === 'long';
  const best = long ? high - trade.entryPrice : trade.entryPrice - low;
  const worst = long ? low - trade.entryPrice : trade.entryPrice - high;
  const runUp = Math.max(0, best) * trade.size;
  const drawdown = Math.min(0, worst) * trade.size;
  const basis = trade.entryPrice * trade.size;
  return {
    runUp,
    runUpPct: basis > 0 ? (runUp / basis) * 100 : 0,
    drawdown: drawdown === 0 ? 0 : drawdown,
    drawdownPct: basis > 0 && drawdown !== 0 ? (drawdown / basis) * 100 : 0,
  };
}

/** Running sum of the trades' P&L in the order given (entry order): element k is the P&L of trades 1 … k. */
export function cumulativePnl(trades: readonly Pick<PerformanceTrade, 'pnl'>[]): number[] {
  let sum = 0;
  return trades.map((t) => (sum += t.pnl));
}
