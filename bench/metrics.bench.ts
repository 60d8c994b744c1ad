/**
 * computeMetrics on 1,000,000 equity points with 10,000 trades: minute bars in
 * US trading hours (390 a weekday, ≈ 10 years), a random-walk equity curve and
 * trades of 50 bars each. Prints the best of several runs in ms and points/s,
 * and the ratio to a floor: one pass over the points computing the running
 * peak and max drawdown (the least any metric needs to do per point).
 */
import { computeMetrics } from '../core/metrics';
import type { MetricsInput, TradeStat } from '../core/metrics/types';
import { Rng } from '../core/data/prng';

const POINTS = 1_000_000;
const TRADES = 10_000;
const BARS_PER_DAY = 390;
const DAY = 86_400_000;

function syntheticInput(): MetricsInput {
  const rng = new Rng('metrics-bench');
  const time = new Float64Array(POINTS);
  const equity = new Float64Array(POINTS);
  const benchmark = new Float64Array(POINTS);
  let day = Date.UTC(2010, 0, 4); // a Monday
  let value = 100_000;
  let price = 100;
  for (let i = 0; i < POINTS; i++) {
    const minute = i % BARS_PER_DAY;
    if (i > 0 && minute === 0) {
      day += DAY;
      while ([0, 6].includes(new Date(day).getUTCDay())) day += DAY;
    }
    time[i] = day + (14 * 60 + 30 + minute) * 60_000;
    value *= 1 + 0.0005 * rng.normal();
    price *= 1 + 0.0005 * rng.normal();
    equity[i] = value;
    benchmark[i] = price;
  }
  const spacing = POINTS / TRADES;
  const trades: TradeStat[] = Array.from({ length: TRADES }, (_, k) => {
    const entryBar = Math.floor(k * spacing);
    const exitBar = Math.min(POINTS - 1, entryBar + 50);
    const returnPct = 2 * rng.normal();
    return { entryBar, exitBar, entryTime: time[entryBar], exitTime: time[exitBar], pnl: returnPct * 100, returnPct };
  });
  return { time, equity, benchmark, trades, commissionsPaid: 1234 };
}

function best<T>(fn: () => T, repeats: number): { ms: number; value: T } {
  let ms = Infinity;
  let value!: T;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    value = fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms, value };
}

function floorPass(equity: Float64Array): number {
  let peak = -Infinity;
  let deepest = 0;
  for (let i = 0; i < equity.length; i++) {
    if (equity[i] > peak) peak = equity[i];
    const depth = 1 - equity[i] / peak;
    if (depth > deepest) deepest = depth;
  }
  return deepest;
}

const input = syntheticInput();
best(() => computeMetrics(input), 2); // warm-up (JIT)
const metrics = best(() => computeMetrics(input), 7);
const floor = best(() => floorPass(input.equity), 7);
console.log(JSON.stringify({
  name: `computeMetrics: ${POINTS.toLocaleString('en-US')} points, ${TRADES.toLocaleString('en-US')} trades`,
  ms: Number(metrics.ms.toFixed(2)),
  pointsPerSec: Math.round(POINTS / (metrics.ms / 1000)),
  floorPassMs: Number(floor.ms.toFixed(2)),
  ratioToFloorPass: Number((metrics.ms / floor.ms).toFixed(1)),
  check: { returnAnnPct: metrics.value.returnAnnPct, maxDrawdownPct: metrics.value.maxDrawdownPct, tradeCount: metrics.value.tradeCount },
}, null, 2));
