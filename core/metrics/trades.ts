/**
 * Trade statistics and exposure (docs/metrics.md, "Trades" and "Exposure time").
 * Trade returns are percent numbers in TradeStat and stay percent here.
 */
import { DAY_MS, finiteOrNull, geometricMeanReturn, mean, ratioOrNull, sampleVariance } from './numeric';
import type { Metrics, TradeStat } from './types';

export type TradeStats = Pick<
  Metrics,
  'winRatePct' | 'bestTradePct' | 'worstTradePct' | 'avgTradePct' | 'maxTradeDurationDays' | 'avgTradeDurationDays' | 'profitFactor' | 'expectancyPct' | 'sqn' | 'kellyCriterion'
>;

export function tradeStats(trades: readonly TradeStat[]): TradeStats {
  const n = trades.length;
  const returns = new Float64Array(n);
  const pnls = new Float64Array(n);
  const durations = new Float64Array(n);
  let wins = 0;
  let grossWinPct = 0;
  let grossLossPct = 0;
  let winPnl = 0;
  let lossPnl = 0;
  let losses = 0;
  let best = -Infinity;
  let worst = Infinity;
  let longest = -Infinity;
  for (let i = 0; i < n; i++) {
    const t = trades[i];
    returns[i] = t.returnPct / 100;
    pnls[i] = t.pnl;
    durations[i] = (t.exitTime - t.entryTime) / DAY_MS;
    if (t.pnl > 0) { wins++; winPnl += t.pnl; }
    if (t.pnl < 0) { losses++; lossPnl += t.pnl; }
    // Profit factor is on returns, not cash P&L (as in backtesting.py).
    if (t.returnPct > 0) grossWinPct += t.returnPct;
    if (t.returnPct < 0) grossLossPct -= t.returnPct;
    if (t.returnPct > best) best = t.returnPct;
    if (t.returnPct < worst) worst = t.returnPct;
    if (durations[i] > longest) longest = durations[i];
  }
  if (n === 0) {
    return {
      winRatePct: null, bestTradePct: null, worstTradePct: null, avgTradePct: null,
      maxTradeDurationDays: null, avgTradeDurationDays: null, profitFactor: null,
      expectancyPct: null, sqn: null, kellyCriterion: null,
    };
  }
  const winRate = wins / n;
  const geometric = geometricMeanReturn(returns);
  const pnlVariance = sampleVariance(pnls);
  const meanPnl = mean(pnls);
  const meanReturn = mean(returns);
  // Kelly: W − (1 − W) / R, R = mean winning P&L / |mean losing P&L|.
  const payoff = wins && losses ? ratioOrNull(winPnl / wins, -lossPnl / losses) : null;
  return {
    winRatePct: winRate * 100,
    bestTradePct: finiteOrNull(best),
    worstTradePct: finiteOrNull(worst),
    avgTradePct: geometric === null ? null : geometric * 100,
    maxTradeDurationDays: finiteOrNull(longest),
    avgTradeDurationDays: mean(durations),
    profitFactor: ratioOrNull(grossWinPct, grossLossPct),
    expectancyPct: meanReturn === null ? null : meanReturn * 100,
    sqn: pnlVariance === null || meanPnl === null ? null : ratioOrNull(Math.sqrt(n) * meanPnl, Math.sqrt(pnlVariance)),
    kellyCriterion: payoff === null ? null : finiteOrNull(winRate - (1 - winRate) / payoff),
  };
}

/**
 * Share of bars (percent) that lie inside at least one trade, counting its entry
 * and exit bars; bars, not clock time.
 */
export function exposurePct(trades: readonly TradeStat[], bars: number): number | null {
  if (bars === 0) return null;
  // The union of the trades' bar ranges [entry, exit], clipped to the run, merged in entry order: a pass over
  // the trades, not the bars (a million-bar run has a few thousand trades).
  let order: readonly TradeStat[] = trades;
  for (let i = 1; i < trades.length; i++) {
    if (trades[i].entryBar < trades[i - 1].entryBar) {
      order = [...trades].sort((a, b) => a.entryBar - b.entryBar);
      break;
    }
  }
  let exposed = 0;
  let runFrom = 0;
  let runTo = -1; // the merged range being grown; empty at first
  for (const t of order) {
    const from = Math.max(0, t.entryBar);
    const to = Math.min(bars - 1, t.exitBar);
    if (to < from) continue;
    if (from > runTo) {
      exposed += runTo - runFrom + 1;
      runFrom = from;
      runTo = to;
    } else if (to > runTo) runTo = to;
  }
  exposed += runTo - runFrom + 1;
  return (exposed / bars) * 100;
}
