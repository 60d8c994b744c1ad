/**
 * Shared by the indicator tests and bench/indicators.bench.ts: real OHLCV from
 * ../shared/data (never copied into the repo), a seeded random walk, and the
 * comparison used against the technicalindicators reference.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { seededRandom } from '../../core/evaluate/verdict/stats';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const dataDir = resolve(repoRoot, '..', 'shared', 'data');

/** Column arrays of one CSV, plus the bars as objects (the shape indicators take). */
export interface Ohlcv {
  name: string;
  time: number[];
  /** `YYYY-MM-DD` of each bar (the session it belongs to). */
  day: string[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
  volume: number[];
  bars: { time: number; high: number; low: number; close: number; volume: number }[];
}

export const DATASETS = {
  spyDaily: 'SPY_daily_1998_2021_lean.csv',
  aaplDaily: 'AAPL_daily_1998_2021_lean.csv',
  spyMinute: 'SPY_1min_2013-10-04_2013-10-11_lean.csv',
} as const;

const cache = new Map<string, Ohlcv>();

/**
 * Loads `Date,Open,High,Low,Close,Volume[,Adj Close]`. Times are read as UTC (the
 * intraday file holds naive New York times, so UTC days are its sessions).
 */
export function loadCsv(file: string): Ohlcv {
  const hit = cache.get(file);
  if (hit) return hit;
  const lines = readFileSync(resolve(dataDir, file), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${file}: no ${name} column in header ${lines[0]}`);
    return i;
  };
  const [d, o, h, l, c, v] = ['Date', 'Open', 'High', 'Low', 'Close', 'Volume'].map(col);
  const out: Ohlcv = { name: file, time: [], day: [], open: [], high: [], low: [], close: [], volume: [], bars: [] };
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    const date = f[d];
    const time = Date.parse(date.length === 10 ? `${date}T00:00:00Z` : `${date.replace(' ', 'T')}Z`);
    const bar = { time, high: Number(f[h]), low: Number(f[l]), close: Number(f[c]), volume: Number(f[v]) };
    for (const x of [time, Number(f[o]), bar.high, bar.low, bar.close, bar.volume]) {
      if (!Number.isFinite(x)) throw new Error(`${file}: unreadable row "${line}"`);
    }
    out.time.push(time);
    out.day.push(date.slice(0, 10));
    out.open.push(Number(f[o]));
    out.high.push(bar.high);
    out.low.push(bar.low);
    out.close.push(bar.close);
    out.volume.push(bar.volume);
    out.bars.push(bar);
  }
  cache.set(file, out);
  return out;
}

/** All three required datasets: SPY daily, AAPL daily (split-adjusted, prices from 0.12), SPY 1-minute. */
export function allDatasets(): Ohlcv[] {
  return Object.values(DATASETS).map(loadCsv);
}

/** mulberry32: small, fast, deterministic PRNG in [0, 1) (the one the evaluation's bootstrap uses). */
export const prng = seededRandom;

/** Synthetic bars: a multiplicative random walk from 100 with plausible high/low/volume. */
export function randomWalk(n: number, seed = 42): { close: Float64Array; high: Float64Array; low: Float64Array; volume: Float64Array } {
  const rand = prng(seed);
  const close = new Float64Array(n);
  const high = new Float64Array(n);
  const low = new Float64Array(n);
  const volume = new Float64Array(n);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    price *= 1 + (rand() - 0.5) * 0.02;
    close[i] = price;
    high[i] = Math.max(open, price) * (1 + rand() * 0.005);
    low[i] = Math.min(open, price) * (1 - rand() * 0.005);
    volume[i] = 1000 + Math.floor(rand() * 100_000);
  }
  return { close, high, low, volume };
}

/**
 * |actual − expected| <= tol · max(1, |expected|): absolute near zero, relative for large
 * values; with `absolute`, plainly |actual − expected| <= tol.
 */
export function assertClose(actual: number | undefined, expected: number | undefined, tol: number, where: string, absolute = false): void {
  if (typeof actual !== 'number' || typeof expected !== 'number' || !Number.isFinite(actual) || !Number.isFinite(expected)) {
    assert.fail(`${where}: expected ${expected}, got ${actual}`);
  }
  const err = Math.abs(actual - expected);
  if (err > (absolute ? tol : tol * Math.max(1, Math.abs(expected)))) {
    assert.fail(`${where}: expected ${expected}, got ${actual} (diff ${err.toExponential(2)} > tol ${tol})`);
  }
}

/** Feeds `inputs` one by one and collects every return value (undefined while warming up). */
export function run<TIn, TOut>(indicator: { update(x: TIn): TOut | undefined }, inputs: ArrayLike<TIn>): (TOut | undefined)[] {
  const out: (TOut | undefined)[] = [];
  for (let i = 0; i < inputs.length; i++) out.push(indicator.update(inputs[i]));
  return out;
}
