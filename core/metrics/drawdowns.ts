/**
 * Drawdowns of the equity curve, with drawdown periods delimited the way
 * backtesting.py's `compute_drawdown_duration_peaks` finds them
 * (docs/metrics.md, "Drawdowns").
 */
import { DAY_MS, mean } from './numeric';

export interface DrawdownStats {
  /** Deepest fall below the running peak, as a positive fraction (0 when equity never fell). */
  maxDepth: number;
  /** Mean of the deepest point of each drawdown period (positive fraction); null without periods. */
  avgDepth: number | null;
  /** Longest drawdown period in days; null without periods. */
  maxDurationDays: number | null;
  /** Mean drawdown period length in days; null without periods. */
  avgDurationDays: number | null;
  /** Number of drawdown periods. */
  periods: number;
}

/**
 * depthᵢ = 1 − equityᵢ / max(equity₀..ᵢ). A drawdown period runs from a bar at its
 * running peak (depth exactly 0) to the next bar at a peak, or to the last bar,
 * and needs at least one bar strictly between them. Its duration is the time
 * between those two bars; its depth the largest depth within.
 */
export function drawdowns(time: ArrayLike<number>, equity: ArrayLike<number>): DrawdownStats {
  const n = equity.length;
  let peak = -Infinity;
  let maxDepth = 0;
  const depths: number[] = [];
  const durations: number[] = [];
  let lastPeakBar = -1;
  // The deepest point of a period is its lowest equity over its one peak: 1 − low/peak is the largest 1 − e/peak
  // of the period to the last bit (division by a positive number and 1 − x are monotone when correctly rounded),
  // so one division per period instead of one per bar. A bar is at its peak (depth exactly 0) when e ≥ peak: a
  // lower e gives e/peak ≤ 1 − 2⁻⁵³, never rounded to 1.
  let low = Infinity;
  for (let i = 0; i < n; i++) {
    const e = equity[i];
    const atPeak = e >= peak;
    if (!atPeak && e < low) low = e;
    if (atPeak || i === n - 1) {
      const trough = low === Infinity ? 0 : 1 - low / peak;
      if (trough > maxDepth) maxDepth = trough;
      if (lastPeakBar >= 0 && i > lastPeakBar + 1) {
        depths.push(trough);
        durations.push((time[i] - time[lastPeakBar]) / DAY_MS);
      }
      if (atPeak) {
        peak = e;
        lastPeakBar = i;
        low = Infinity;
      }
    }
  }
  let maxDuration: number | null = null;
  for (const d of durations) if (maxDuration === null || d > maxDuration) maxDuration = d;
  return {
    maxDepth,
    avgDepth: mean(depths),
    maxDurationDays: maxDuration,
    avgDurationDays: mean(durations),
    periods: depths.length,
  };
}
