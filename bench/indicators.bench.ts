/**
 * Indicator throughput: updates per second of each incremental indicator over
 * 1,000,000 synthetic bars (seeded random walk), against the technicalindicators batch
 * function on the same data, and against a hand-written minimal loop for SMA and RSI
 * (the practical limit). Prints one table with ratios; no pass/fail on time.
 *
 * Each indicator is timed in its own child process: in one process a shared feeding
 * loop would see a dozen classes at one call site and go megamorphic, which no real
 * strategy does.
 *
 * Run: node scripts/bench.mjs indicators
 */
import { spawnSync } from 'node:child_process';
import * as TI from 'technicalindicators';
import {
  ADX, ATR, BollingerBands, Cross, EMA, Highest, Lowest, MACD, OBV, RSI, SMA, Stochastic, VWAP, WMA,
} from 'strategy-lab/indicators';
import { randomWalk } from '../test/indicators/helpers';

const N = 1_000_000;
const walk = randomWalk(N, 42);
const close = walk.close;
const arrays = {
  close: Array.from(walk.close),
  high: Array.from(walk.high),
  low: Array.from(walk.low),
  volume: Array.from(walk.volume),
};
const t0 = Date.UTC(2024, 0, 2);

/** Best of `repeats` wall-clock runs, in ms (the first run also warms the JIT). */
function time(fn: () => unknown, repeats: number): number {
  let best = Infinity;
  for (let r = 0; r < repeats; r++) {
    const start = process.hrtime.bigint();
    sink(fn());
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
  }
  return best;
}

let checksum = 0;
/** Consumes results so the JIT cannot drop the work being timed. */
function sink(x: unknown): void {
  if (checksum !== checksum) console.log(checksum); // never true; keeps `checksum` observable
  if (typeof x === 'number') checksum += x;
  else if (Array.isArray(x)) checksum += x.length;
  else if (x && typeof x === 'object') checksum += Object.keys(x).length;
}

/** Feeds every close through `update` and returns a number derived from the outputs. */
function feedCloses(make: () => { update(x: number): unknown }): () => number {
  return () => {
    const ind = make();
    let acc = 0;
    for (let i = 0; i < N; i++) if (ind.update(close[i]) !== undefined) acc++;
    return acc;
  };
}

/** Feeds every bar (one reused bar object, as a streaming engine would pass) through `update`. */
function feedBars(make: () => { update(b: { high: number; low: number; close: number; volume: number; time: number }): unknown }): () => number {
  return () => {
    const ind = make();
    const bar = { high: 0, low: 0, close: 0, volume: 0, time: 0 };
    let acc = 0;
    for (let i = 0; i < N; i++) {
      bar.high = walk.high[i];
      bar.low = walk.low[i];
      bar.close = close[i];
      bar.volume = walk.volume[i];
      bar.time = t0 + i * 60_000;
      if (ind.update(bar) !== undefined) acc++;
    }
    return acc;
  };
}

/** Minimal SMA: ring buffer + running sum in a Float64Array, no validation, no objects. */
function handSma(period: number): number {
  const buf = new Float64Array(period);
  let sum = 0;
  let pos = 0;
  let acc = 0;
  for (let i = 0; i < N; i++) {
    const x = close[i];
    sum += x - buf[pos];
    buf[pos] = x;
    pos = pos + 1 === period ? 0 : pos + 1;
    if (i >= period - 1) acc += sum / period;
  }
  return acc;
}

/** Minimal Wilder RSI: two running averages, no validation, no objects. */
function handRsi(period: number): number {
  let g = 0;
  let l = 0;
  let acc = 0;
  for (let i = 1; i < N; i++) {
    const d = close[i] - close[i - 1];
    const gain = d > 0 ? d : 0;
    const loss = d < 0 ? -d : 0;
    if (i <= period) {
      g += gain / period;
      l += loss / period;
    } else {
      g = (g * (period - 1) + gain) / period;
      l = (l * (period - 1) + loss) / period;
    }
    if (i >= period) acc += l === 0 ? 100 : 100 - 100 / (1 + g / l);
  }
  return acc;
}

interface Row {
  name: string;
  ours: () => unknown;
  reference?: () => unknown;
  hand?: () => unknown;
}

const ema12 = new EMA(12);
const ema26 = new EMA(26);
const rows: Row[] = [
  { name: 'SMA(20)', ours: feedCloses(() => new SMA(20)), reference: () => TI.SMA.calculate({ period: 20, values: arrays.close }), hand: () => handSma(20) },
  { name: 'EMA(20)', ours: feedCloses(() => new EMA(20)), reference: () => TI.EMA.calculate({ period: 20, values: arrays.close }) },
  { name: 'WMA(20)', ours: feedCloses(() => new WMA(20)), reference: () => TI.WMA.calculate({ period: 20, values: arrays.close }) },
  { name: 'RSI(14)', ours: feedCloses(() => new RSI(14)), reference: () => TI.RSI.calculate({ period: 14, values: arrays.close }), hand: () => handRsi(14) },
  {
    name: 'MACD(12,26,9)',
    ours: feedCloses(() => new MACD()),
    reference: () => TI.MACD.calculate({ values: arrays.close, fastPeriod: 12, slowPeriod: 26, signalPeriod: 9, SimpleMAOscillator: false, SimpleMASignal: false }),
  },
  { name: 'BollingerBands(20,2)', ours: feedCloses(() => new BollingerBands(20, 2)), reference: () => TI.BollingerBands.calculate({ period: 20, stdDev: 2, values: arrays.close }) },
  { name: 'Highest(20)', ours: feedCloses(() => new Highest(20)), reference: () => TI.Highest.calculate({ period: 20, values: arrays.high }) },
  { name: 'Lowest(20)', ours: feedCloses(() => new Lowest(20)), reference: () => TI.Lowest.calculate({ period: 20, values: arrays.low }) },
  { name: 'ATR(14)', ours: feedBars(() => new ATR(14)), reference: () => TI.ATR.calculate({ period: 14, high: arrays.high, low: arrays.low, close: arrays.close }) },
  {
    name: 'Stochastic(14,3)',
    ours: feedBars(() => new Stochastic(14, 3)),
    reference: () => TI.Stochastic.calculate({ period: 14, signalPeriod: 3, high: arrays.high, low: arrays.low, close: arrays.close }),
  },
  { name: 'ADX(14)', ours: feedBars(() => new ADX(14)), reference: () => TI.ADX.calculate({ period: 14, high: arrays.high, low: arrays.low, close: arrays.close }) },
  { name: 'OBV', ours: feedBars(() => new OBV()), reference: () => TI.OBV.calculate({ close: arrays.close, volume: arrays.volume }) },
  {
    name: 'VWAP (cumulative)',
    ours: feedBars(() => new VWAP({ resetDaily: false })),
    reference: () => TI.VWAP.calculate({ high: arrays.high, low: arrays.low, close: arrays.close, volume: arrays.volume }),
  },
  { name: 'VWAP (daily reset)', ours: feedBars(() => new VWAP()) },
];

// Cross over two precomputed lines (the EMAs), so only the crossing logic is timed.
const lineA = arrays.close.map((x) => ema12.update(x) ?? x);
const lineB = arrays.close.map((x) => ema26.update(x) ?? x);
rows.push({
  name: 'Cross',
  ours: () => {
    const cross = new Cross();
    let n = 0;
    for (let i = 0; i < N; i++) if (cross.update(lineA[i], lineB[i])) n++;
    return n;
  },
  // CrossUp + CrossDown together are the reference's equivalent of one Cross.
  reference: () => [TI.CrossUp.calculate({ lineA, lineB }), TI.CrossDown.calculate({ lineA, lineB })],
});

const mps = (ms: number) => N / (ms / 1000) / 1e6;

interface Result {
  name: string;
  oursMs: number;
  referenceMs?: number;
  handMs?: number;
}

/** "1.6× slower" / "1.1× faster": our time against another's. */
function relative(oursMs: number, otherMs: number): string {
  return oursMs >= otherMs ? `${(oursMs / otherMs).toFixed(2)}× slower` : `${(otherMs / oursMs).toFixed(2)}× faster`;
}

/** Child mode: time one row and print its result as JSON. */
function measure(row: Row): Result {
  // Ours and the hand loop first: the reference's large arrays would leave GC work behind.
  const oursMs = time(row.ours, 9);
  const handMs = row.hand ? time(row.hand, 9) : undefined;
  const referenceMs = row.reference ? time(row.reference, 2) : undefined;
  return { name: row.name, oursMs, referenceMs, handMs };
}

const child = process.argv[2];
if (child !== undefined) {
  const row = rows.find((r) => r.name === child);
  if (!row) throw new Error(`No benchmark row named ${child}`);
  console.log(JSON.stringify(measure(row)));
} else {
  const table: Record<string, string>[] = [];
  for (const row of rows) {
    const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, row.name], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${row.name}: ${r.stderr}`);
    const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Result;
    table.push({
      indicator: res.name,
      'ours M/s': mps(res.oursMs).toFixed(1),
      'reference M/s': res.referenceMs ? mps(res.referenceMs).toFixed(2) : '—',
      'ours ÷ reference': res.referenceMs ? `${(res.referenceMs / res.oursMs).toFixed(1)}× faster` : '—',
      'hand loop M/s': res.handMs ? mps(res.handMs).toFixed(1) : '—',
      'ours vs hand': res.handMs ? relative(res.oursMs, res.handMs) : '—',
    });
  }
  console.log(`Indicator updates over ${N.toLocaleString('en-US')} synthetic bars (seeded random walk); one child process per row;`);
  console.log('best of 9 runs (ours, hand loop) / best of 2 (technicalindicators batch .calculate on plain arrays).');
  console.table(table);
}
