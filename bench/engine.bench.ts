/**
 * Engine throughput: the RSI 35/65 strategy on 1,000,000 bars (one symbol) and
 * on 10 symbols × 100,000 bars, against a hand-written loop doing the same
 * arithmetic (incremental Wilder RSI, all-in next-open fills, equity marked
 * every bar): the practical limit. Each scenario runs in its own child process
 * so its peak memory (max RSS) is its own.
 *
 * Targets (issue 2): ≥ 5 M bars/s for one symbol, within 4× of the hand loop.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { BaseStrategy, type Bar } from 'strategy-lab';
import { RSI } from 'strategy-lab/indicators';
import { createSeries, type BarSeries } from '../core/data/series';
import { Rng } from '../core/data/prng';
import { runBacktest, simulate } from '../core/engine/backtest';
import type { StrategyClass } from '../core/strategy/load';

/** The example, verbatim but for 10 % sizing: the one-symbol scenario. */
class AaplRsiReversion extends BaseStrategy {
  static override config = { symbols: ['SYN0'], timeframe: '1m' as const };
  override params = { period: 14, buyBelow: 35, sellAbove: 65 };
  private rsi = new RSI(this.params.period);

  onBar(bar: Bar) {
    const value = this.rsi.update(bar.close);
    if (value === undefined) return;
    if (value < this.params.buyBelow && !this.position(bar.symbol)) this.buy(bar.symbol, { percent: 10 });
    else if (value > this.params.sellAbove && this.position(bar.symbol)) this.close(bar.symbol);
  }
}

/** The same rules over several symbols, one RSI per symbol. */
class RsiReversion extends BaseStrategy {
  static override config = { symbols: ['SYN0'], timeframe: '1m' as const };
  override params = { period: 14, buyBelow: 35, sellAbove: 65 };
  private rsi = new Map<string, RSI>();

  onBar(bar: Bar) {
    let rsi = this.rsi.get(bar.symbol);
    if (!rsi) this.rsi.set(bar.symbol, (rsi = new RSI(this.params.period)));
    const value = rsi.update(bar.close);
    if (value === undefined) return;
    if (value < this.params.buyBelow && !this.position(bar.symbol)) this.buy(bar.symbol, { percent: 100 / 10 });
    else if (value > this.params.sellAbove && this.position(bar.symbol)) this.close(bar.symbol);
  }
}

function syntheticSeries(symbol: string, n: number): BarSeries {
  const rng = new Rng(symbol);
  const s = createSeries(symbol, n);
  let price = 100;
  const t0 = Date.UTC(2000, 0, 3);
  for (let i = 0; i < n; i++) {
    const open = price;
    const close = Math.max(1, open * (1 + 0.002 * rng.normal()));
    s.time[i] = t0 + i * 60_000;
    s.open[i] = open;
    s.close[i] = close;
    s.high[i] = Math.max(open, close) * (1 + 0.0005 * rng.next());
    s.low[i] = Math.min(open, close) * (1 - 0.0005 * rng.next());
    s.volume[i] = 1000 + Math.floor(rng.next() * 1000);
    price = close;
  }
  return s;
}

/** The same arithmetic as RsiReversion + the engine's next-open fills, with nothing else. */
function handLoop(series: BarSeries[], cash: number, period = 14): number {
  const k = series.length;
  const n = series[0].length;
  const avgGain = new Float64Array(k), avgLoss = new Float64Array(k), prev = new Float64Array(k);
  const shares = new Float64Array(k), seen = new Int32Array(k);
  const pending = new Int8Array(k); // +1 buy, -1 close at next open
  let equity = 0;
  for (let t = 0; t < n; t++) {
    for (let i = 0; i < k; i++) {
      const s = series[i];
      const open = s.open[t];
      if (pending[i] === 1) {
        const q = Math.floor((Math.min(equity * 0.1, cash)) / open);
        if (q > 0) { shares[i] += q; cash -= q * open; }
      } else if (pending[i] === -1) { cash += shares[i] * open; shares[i] = 0; }
      pending[i] = 0;
    }
    for (let i = 0; i < k; i++) {
      const c = series[i].close[t];
      const cnt = ++seen[i];
      if (cnt > 1) {
        const d = c - prev[i];
        const g = d > 0 ? d : 0, l = d < 0 ? -d : 0;
        if (cnt <= period + 1) { avgGain[i] += g / period; avgLoss[i] += l / period; }
        else { avgGain[i] = (avgGain[i] * (period - 1) + g) / period; avgLoss[i] = (avgLoss[i] * (period - 1) + l) / period; }
      }
      prev[i] = c;
      if (cnt > period) {
        const rsi = avgLoss[i] === 0 ? 100 : 100 - 100 / (1 + avgGain[i] / avgLoss[i]);
        if (rsi < 35 && shares[i] === 0) pending[i] = 1;
        else if (rsi > 65 && shares[i] !== 0) pending[i] = -1;
      }
    }
    equity = cash;
    for (let i = 0; i < k; i++) equity += shares[i] * series[i].close[t];
  }
  return equity;
}

function time<T>(fn: () => T, repeats = 5): { ms: number; value: T } {
  let best = Infinity;
  let value!: T;
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    value = fn();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (ms < best) best = ms;
  }
  return { ms: best, value };
}

/** One measurement in this process: best of 5 timings, and this process's peak memory. */
function scenario(name: string, phase: string): void {
  const [symbols, bars] = name === 'one' ? [1, 1_000_000] : [10, 100_000];
  const series = Array.from({ length: symbols }, (_, i) => syntheticSeries(`SYN${i}`, bars));
  const cls = (symbols === 1 ? AaplRsiReversion : RsiReversion) as unknown as StrategyClass;
  const baseRss = process.resourceUsage().maxRSS / 1024;
  const run =
    phase === 'loop' ? () => simulate(cls, series, { cash: 100_000 }).equity.length
    : phase === 'full' ? () => runBacktest(cls, series, { cash: 100_000 }).metrics.tradeCount
    : () => handLoop(series, 100_000);
  const { ms, value } = time(run);
  console.log(JSON.stringify({ name: `${symbols} symbol(s) × ${bars.toLocaleString('en-US')} bars`, bars: symbols * bars, ms, value, maxRssMb: process.resourceUsage().maxRSS / 1024, dataRssMb: baseRss }));
}

if (process.argv[2] === '--scenario') {
  scenario(process.argv[3], process.argv[4]);
} else {
  const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M bars/s`;
  const measure = (name: string, phase: string) => {
    const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename ?? process.argv[1], '--scenario', name, phase], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    return JSON.parse(r.stdout.trim().split('\n').pop()!);
  };
  for (const name of ['one', 'ten']) {
    const loop = measure(name, 'loop');
    const full = measure(name, 'full');
    const hand = measure(name, 'hand');
    console.log(`\n${loop.name}  (${full.value} trades; best of 5 runs, each phase in its own process)`);
    console.log(`  engine loop (simulate)        ${loop.ms.toFixed(1).padStart(8)} ms   ${fmt(loop.bars / (loop.ms / 1000))}   peak RSS ${loop.maxRssMb.toFixed(0)} MB`);
    console.log(`  engine + result + metrics     ${full.ms.toFixed(1).padStart(8)} ms   ${fmt(full.bars / (full.ms / 1000))}   peak RSS ${full.maxRssMb.toFixed(0)} MB`);
    console.log(`  hand-written loop (limit)     ${hand.ms.toFixed(1).padStart(8)} ms   ${fmt(hand.bars / (hand.ms / 1000))}   peak RSS ${hand.maxRssMb.toFixed(0)} MB (data alone: ${hand.dataRssMb.toFixed(0)} MB)`);
    console.log(`  ratio engine loop / hand loop ${(loop.ms / hand.ms).toFixed(2)}×   (targets: ≤ 4×, and ≥ 5 M bars/s for one symbol)`);
    console.log(`  ratio full result / hand loop ${(full.ms / hand.ms).toFixed(2)}×   (the full result builds one equity point and time string per bar)`);
  }
  console.log(`\nload average: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (2 cores; numbers are noisy above ~2)`);
}
