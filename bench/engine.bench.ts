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

function scenario(name: string): void {
  const [symbols, bars] = name === 'one' ? [1, 1_000_000] : [10, 100_000];
  const series = Array.from({ length: symbols }, (_, i) => syntheticSeries(`SYN${i}`, bars));
  const total = symbols * bars;
  const cls = (symbols === 1 ? AaplRsiReversion : RsiReversion) as unknown as StrategyClass;
  const loop = time(() => simulate(cls, series, { cash: 100_000 }));
  const full = time(() => runBacktest(cls, series, { cash: 100_000 }));
  const hand = time(() => handLoop(series, 100_000));
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({
      name: `${symbols} symbol(s) × ${bars.toLocaleString('en-US')} bars`,
      engineLoopMs: loop.ms,
      engineLoopBarsPerSec: total / (loop.ms / 1000),
      fullResultMs: full.ms,
      fullResultBarsPerSec: total / (full.ms / 1000),
      handLoopMs: hand.ms,
      handLoopBarsPerSec: total / (hand.ms / 1000),
      trades: full.value.metrics.tradeCount,
      maxRssMb,
    }),
  );
}

if (process.argv[2] === '--scenario') {
  scenario(process.argv[3]);
} else {
  const fmt = (n: number) => `${(n / 1e6).toFixed(2)} M bars/s`;
  for (const name of ['one', 'ten']) {
    const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename ?? process.argv[1], '--scenario', name], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(r.stderr);
      process.exit(1);
    }
    const m = JSON.parse(r.stdout.trim().split('\n').pop()!);
    console.log(`\n${m.name}  (${m.trades} trades)`);
    console.log(`  engine loop (simulate)        ${m.engineLoopMs.toFixed(1).padStart(8)} ms   ${fmt(m.engineLoopBarsPerSec)}`);
    console.log(`  engine + result + metrics     ${m.fullResultMs.toFixed(1).padStart(8)} ms   ${fmt(m.fullResultBarsPerSec)}`);
    console.log(`  hand-written loop (limit)     ${m.handLoopMs.toFixed(1).padStart(8)} ms   ${fmt(m.handLoopBarsPerSec)}`);
    console.log(`  ratio engine loop / hand loop ${(m.engineLoopMs / m.handLoopMs).toFixed(2)}×   (target ≤ 4×; target ≥ 5 M bars/s for one symbol)`);
    console.log(`  ratio full result / hand loop ${(m.fullResultMs / m.handLoopMs).toFixed(2)}×`);
    console.log(`  peak memory (max RSS)         ${m.maxRssMb.toFixed(0)} MB`);
  }
}
