/**
 * computeMetrics: every statistic of a backtest from its equity curve, trades and
 * buy-and-hold benchmark. One definition per statistic, written in docs/metrics.md
 * and following backtesting.py's `compute_stats`; this file only wires the pure
 * modules together and converts fractions to percent.
 */
import { formatTime } from '../engine/time';
import { drawdowns } from './drawdowns';
import { alphaPct, beta } from './market';
import { DAY_MS, noNegativeZero } from './numeric';
import { detectSampling, periodReturns } from './periods';
import { annualise, cagr, calmar, DAYS_PER_YEAR, simpleReturn } from './returns';
import { exposurePct, tradeStats } from './trades';
import type { Metrics, MetricsInput } from './types';

const pct = (fraction: number | null): number | null => (fraction === null ? null : fraction * 100);

export function computeMetrics(input: MetricsInput): Metrics {
  validate(input);
  const { time, equity, benchmark, trades } = input;
  const riskFreeRate = input.riskFreeRate ?? 0;
  const n = time.length;
  const trade = tradeStats(trades);
  const base = {
    tradeCount: trades.length,
    ...trade,
    commissionsPaid: input.commissionsPaid,
  };
  if (n === 0) {
    return {
      start: null, end: null, durationDays: null, exposureTimePct: null, equityFinal: null, equityPeak: null,
      returnPct: null, buyHoldReturnPct: null, returnAnnPct: null, volatilityAnnPct: null, cagrPct: null,
      sharpeRatio: null, sortinoRatio: null, calmarRatio: null, alphaPct: null, beta: null,
      maxDrawdownPct: null, avgDrawdownPct: null, maxDrawdownDurationDays: null, avgDrawdownDurationDays: null,
      ...base,
    };
  }

  const first = equity[0];
  const last = equity[n - 1];
  let peak = -Infinity;
  for (let i = 0; i < n; i++) if (equity[i] > peak) peak = equity[i];
  const durationDays = (time[n - 1] - time[0]) / DAY_MS;

  const returnPct = pct(simpleReturn(first, last));
  const startBar = input.benchmarkStartBar ?? 0;
  const buyHoldReturnPct = pct(simpleReturn(benchmark[startBar], benchmark[n - 1]));

  const sampling = detectSampling(time);
  const annual = annualise(periodReturns(time, equity, sampling.period), sampling.periodsPerYear, riskFreeRate);
  const dd = drawdowns(time, equity);
  const b = beta(equity, benchmark);

  return {
    start: formatTime(time[0]),
    end: formatTime(time[n - 1]),
    durationDays,
    exposureTimePct: exposurePct(trades, n),
    equityFinal: last,
    equityPeak: peak,
    returnPct,
    buyHoldReturnPct,
    returnAnnPct: pct(annual.returnAnn),
    volatilityAnnPct: pct(annual.volatilityAnn),
    cagrPct: pct(cagr(first, last, durationDays / DAYS_PER_YEAR)),
    sharpeRatio: annual.sharpe,
    sortinoRatio: annual.sortino,
    calmarRatio: calmar(annual.returnAnn, dd.maxDepth),
    alphaPct: alphaPct(returnPct, buyHoldReturnPct, b, riskFreeRate * 100),
    beta: b,
    maxDrawdownPct: noNegativeZero(-dd.maxDepth * 100),
    avgDrawdownPct: dd.avgDepth === null ? null : noNegativeZero(-dd.avgDepth * 100),
    maxDrawdownDurationDays: dd.maxDurationDays,
    avgDrawdownDurationDays: dd.avgDurationDays,
    ...base,
  };
}

/** Input errors are the caller's bugs (the engine's): say exactly what is wrong. */
function validate(input: MetricsInput): void {
  const { time, equity, benchmark, trades } = input;
  const n = time.length;
  const problems: string[] = [];
  if (equity.length !== n) problems.push(`equity has ${equity.length} points but time has ${n}; pass one equity value per bar`);
  if (benchmark.length !== n) problems.push(`benchmark has ${benchmark.length} points but time has ${n}; pass the buy-and-hold value on the same grid`);
  for (let i = 1; i < n; i++) {
    if (!(time[i] > time[i - 1])) {
      problems.push(`time is not strictly increasing at index ${i} (${time[i - 1]} then ${time[i]})`);
      break;
    }
  }
  for (let i = 0; i < equity.length; i++) {
    if (!Number.isFinite(equity[i])) {
      problems.push(`equity[${i}] is ${equity[i]}; every equity value must be a finite number`);
      break;
    }
  }
  if (n > 0 && !(equity[0] > 0)) problems.push(`equity[0] is ${equity[0]}; the starting equity must be positive`);
  const rf = input.riskFreeRate ?? 0;
  if (!(rf > -1 && rf < 1)) problems.push(`riskFreeRate is ${rf}; give an annual rate as a fraction between -1 and 1 (0.02 = 2 %)`);
  const startBar = input.benchmarkStartBar ?? 0;
  if (n > 0 && !(Number.isInteger(startBar) && startBar >= 0 && startBar < n)) {
    problems.push(`benchmarkStartBar is ${startBar}; it must be a bar index from 0 to ${n - 1}`);
  }
  trades.forEach((t, i) => {
    if (!(Number.isInteger(t.entryBar) && Number.isInteger(t.exitBar) && t.entryBar >= 0 && t.entryBar <= t.exitBar && t.exitBar < n)) {
      problems.push(`trades[${i}] has entryBar ${t.entryBar} and exitBar ${t.exitBar}; both must be bar indices with entryBar ≤ exitBar < ${n}`);
    }
  });
  if (problems.length) throw new RangeError(`computeMetrics: invalid input:\n- ${problems.slice(0, 10).join('\n- ')}`);
}
