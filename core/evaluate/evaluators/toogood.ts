/**
 * Too good to be true: results no honest daily strategy shows over many trades, for a person to look at
 * before believing them: an annualised Sharpe ratio above `toogood.maxSharpe` (3), a win rate above
 * `toogood.maxWinRatePct` (85 %), or an equity curve smoother than `toogood.maxSmoothness` (R² of log
 * equity against time, 0.99). Only over at least `toogood.minTrades` trades: with fewer, a high number is
 * noise and the evidence check speaks. Typical causes: future information pasted into the code (a table of
 * the best dates), a fill that could not happen, or a bug that lets the strategy see the bar it trades on.
 */
import type { BacktestResult } from '../../engine/types';
import type { EvalContext } from '../context';
import { fmt } from '../context';
import { closedTrades } from '../verdict/evidence';
import { scored, skipped, type EvaluatorResult } from '../types';

export const TOOGOOD = { id: 'toogood', name: 'Too good to be true', kind: 'deterministic' } as const;

export function evaluateTooGood(ctx: EvalContext): EvaluatorResult {
  const r = ctx.result;
  if (!r) return skipped(TOOGOOD, 'Skipped: the backtest did not complete.');
  const t = ctx.settings.toogood;
  const trades = closedTrades(r);
  if (trades < t.minTrades) return skipped(TOOGOOD, `Skipped: ${trades} closed trade(s), fewer than the ${t.minTrades} needed to call a result too good (strategyLab.evaluate.toogood.minTrades).`, { trades });
  const m = r.metrics;
  const smooth = smoothness(r);
  const flags: string[] = [];
  if (m.sharpeRatio !== null && m.sharpeRatio > t.maxSharpe) flags.push(`Sharpe ratio ${fmt(m.sharpeRatio)} above ${t.maxSharpe}`);
  if (m.winRatePct !== null && m.winRatePct > t.maxWinRatePct) flags.push(`win rate ${fmt(m.winRatePct, 1)}% above ${t.maxWinRatePct}%`);
  if (smooth !== null && smooth > t.maxSmoothness && (m.returnPct ?? 0) > 0) flags.push(`an equity curve as smooth as a straight line (R² ${fmt(smooth, 4)} above ${t.maxSmoothness})`);
  const details = { trades, sharpe: m.sharpeRatio, winRatePct: m.winRatePct, smoothness: smooth, flags };
  if (flags.length) {
    return scored(TOOGOOD, 0, false, [
      `Too good to be true over ${trades} trades: ${flags.join('; ')}. A person should look before believing it: future information in the code (a table of dates), fills that could not happen, or a bug that sees the traded bar are the usual causes.`,
    ], details, [{ message: `Too good to be true: ${flags.join('; ')}.`, severity: 'warning', anchor: { kind: 'method', name: 'onBar' } }]);
  }
  return scored(TOOGOOD, 1, true, [`Nothing too good to be true over ${trades} trades: Sharpe ${fmt(m.sharpeRatio)} (≤ ${t.maxSharpe}), win rate ${fmt(m.winRatePct, 1)}% (≤ ${t.maxWinRatePct}%), smoothness R² ${fmt(smooth, 3)} (≤ ${t.maxSmoothness}).`], details);
}

/** R² of a least-squares line through log equity against time; null with non-positive equity or no spread. */
export function smoothness(r: BacktestResult): number | null {
  const n = r.equity.length;
  if (n < 3) return null;
  let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  for (let i = 0; i < n; i++) {
    const e = r.equity[i].equity;
    if (!(e > 0)) return null;
    const y = Math.log(e);
    sx += i; sy += y; sxx += i * i; syy += y * y; sxy += i * y;
  }
  const cov = sxy - (sx * sy) / n;
  const vx = sxx - (sx * sx) / n;
  const vy = syy - (sy * sy) / n;
  if (!(vx > 0) || !(vy > 1e-18)) return null;
  return (cov * cov) / (vx * vy);
}
