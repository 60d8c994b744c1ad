/**
 * Market data speed and size:
 *  - loading 20 years of daily bars from the warm on-disk cache (target < 20 ms), via
 *    BarCache.read and via the cached provider, and as the data step of a whole 20-year
 *    backtest (resolveSeries on the yahoo source with a warm cache, then the RSI example);
 *  - CSV parsing: 20 years of daily bars, and throughput on a 1,000,000-row file,
 *    against the obvious split/Number/Date.parse parser;
 *  - synthetic sample generation;
 *  - bytes on disk per 10,000 bars.
 * Prints numbers and ratios; no pass/fail on time.
 *
 * Run: node scripts/bench.mjs data
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BarCache, CachedProvider, type CacheKey } from '../core/data/cache';
import { loadCsv, parseCsv } from '../core/data/csv';
import { resolveSeries, type BarRequest, type DataProvider } from '../core/data/provider';
import { runInThisProcess } from '../core/run/runStrategy';
import { compileStrategy } from '../core/strategy/compile';
import { sampleSeries } from '../core/data/sample';
import { sliceByIndex, type BarSeries } from '../core/data/series';

const sharedDir = resolve(__dirname, '..', '..', 'shared', 'data');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function timeIt(runs: number, fn: () => unknown): Promise<{ median: number; min: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { median: median(times), min: Math.min(...times) };
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

/** Naive reference parser: what most code would write. */
function naiveParse(text: string): number {
  const lines = text.trim().split('\n');
  const rows = lines.slice(1).map((l) => {
    const c = l.split(',');
    return { t: Date.parse(c[0].length === 10 ? `${c[0]}T00:00:00Z` : `${c[0].replace(' ', 'T')}Z`), o: Number(c[1]), h: Number(c[2]), l: Number(c[3]), c: Number(c[4]), v: Number(c[5]) };
  });
  return rows.length;
}

/** 20 years of weekday bars: ORCL's real 1995–2014 file when present, else two sample decades back to back. */
async function twentyYears(): Promise<{ series: BarSeries; label: string; csvPath?: string }> {
  const orcl = join(sharedDir, 'ORCL_daily_1995_2014_backtrader.csv');
  try {
    statSync(orcl);
    return { series: await loadCsv(orcl), label: 'ORCL 1995–2014 (5,036 bars, with Adj Close)', csvPath: orcl };
  } catch {
    const a = sampleSeries('SPY');
    return { series: a, label: 'sample SPY 2015–2024 (shared data missing)' };
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sl-bench-data-'));
  try {
    const { series, label, csvPath } = await twentyYears();
    console.log(`20-year daily series: ${label}`);

    // Warm cache load.
    const key: CacheKey = { provider: 'bench', symbol: series.symbol, interval: '1d', adjusted: true };
    const cache = new BarCache(dir);
    const from = series.time[0];
    const to = series.time[series.length - 1] + 86_400_000;
    await cache.write(key, series, from, to);
    const read = await timeIt(50, () => cache.read(key));
    const refuse: DataProvider = { id: 'bench', fetch: async () => { throw new Error('cache miss in a warm-cache benchmark'); } };
    const cached = new CachedProvider(refuse, cache, () => to + 86_400_000 * 10);
    const request: BarRequest = { symbol: series.symbol, interval: '1d', start: from, end: to, adjusted: true };
    const viaProvider = await timeIt(50, () => cached.fetch(request));
    console.log(`warm cache, BarCache.read:         median ${fmt(read.median)}  (min ${fmt(read.min)})  target < 20 ms → ${(20 / read.median).toFixed(1)}× headroom`);
    console.log(`warm cache, cached provider fetch: median ${fmt(viaProvider.median)}  (min ${fmt(viaProvider.min)})  target < 20 ms → ${(20 / viaProvider.median).toFixed(1)}× headroom`);

    // The data step of a real 20-year backtest: the strategy's config resolved through the yahoo source
    // with a warm cache (the provider refuses: any network request would fail the bench), then the run.
    const yahooDir = join(dir, 'yahoo-cache');
    const yahooKey: CacheKey = { ...key, provider: 'yahoo' };
    await new BarCache(yahooDir).write(yahooKey, series, from, to);
    const offline: DataProvider = { id: 'yahoo', fetch: refuse.fetch };
    const resolveOpts = { source: 'yahoo' as const, cacheDir: yahooDir, providers: { yahoo: offline }, from, to: to - 1, now: () => to + 86_400_000 * 10 };
    const config = { symbols: [series.symbol], timeframe: '1d' as const };
    const loading = await timeIt(30, () => resolveSeries(config, resolveOpts));
    const rsiSource = readFileSync(resolve(__dirname, '..', 'examples', 'rsi-reversion.strategy.ts'), 'utf8').replace(/symbols: \['AAPL'\]/, `symbols: ['${series.symbol}']`);
    const compiledRsi = await compileStrategy(rsiSource, 'rsi-reversion.strategy.ts');
    const [bars] = await resolveSeries(config, resolveOpts);
    const backtest = await timeIt(30, () => runInThisProcess({ compiled: compiledRsi, series: [bars] }));
    console.log(`20-year backtest, warm cache: data loading median ${fmt(loading.median)} (target < 20 ms → ${(20 / loading.median).toFixed(1)}× headroom), the backtest itself ${fmt(backtest.median)}: data is ${(100 * loading.median / (loading.median + backtest.median)).toFixed(0)} % of the run`);

    if (csvPath) {
      const text = readFileSync(csvPath, 'utf8');
      const fast = await timeIt(50, () => parseCsv(text, { file: csvPath }));
      const naive = await timeIt(50, () => naiveParse(text));
      const file = await timeIt(20, () => loadCsv(csvPath));
      console.log(`CSV 20y daily parse (in memory):   median ${fmt(fast.median)}; naive split/Number/Date.parse ${fmt(naive.median)} → ${(naive.median / fast.median).toFixed(1)}× faster`);
      console.log(`CSV 20y daily load (read + parse): median ${fmt(file.median)}; warm cache is ${(file.median / read.median).toFixed(1)}× faster than CSV`);
    }

    // Throughput on a big file: 1,000,000 one-minute rows built from the sample.
    const base = sampleSeries('SPY', '1m');
    const rows: string[] = ['Date,Open,High,Low,Close,Volume'];
    const N = 1_000_000;
    for (let i = 0; i < N; i++) {
      const k = i % base.length;
      const t = new Date(Date.UTC(2000, 0, 1) + i * 60_000).toISOString().slice(0, 19).replace('T', ' ');
      rows.push(`${t},${base.open[k]},${base.high[k]},${base.low[k]},${base.close[k]},${base.volume[k]}`);
    }
    const big = `${rows.join('\n')}\n`;
    const bigPath = join(dir, 'big.csv');
    writeFileSync(bigPath, big);
    const mb = Buffer.byteLength(big) / 1e6;
    const bigFast = await timeIt(5, () => parseCsv(big, { file: bigPath }));
    const bigNaive = await timeIt(3, () => naiveParse(big));
    console.log(`CSV 1M rows (${mb.toFixed(1)} MB): median ${fmt(bigFast.median)} → ${(N / bigFast.median / 1000).toFixed(2)} M rows/s, ${(mb / bigFast.median * 1000).toFixed(0)} MB/s; naive ${fmt(bigNaive.median)} → ${(bigNaive.median / bigFast.median).toFixed(1)}× faster`);

    // Sample generation.
    const daily = await timeIt(20, () => { for (const s of ['AAPL', 'MSFT', 'SPY', 'QQQ']) sampleSeries(s, '1d'); });
    const intraday = await timeIt(10, () => sampleSeries('SPY', '5m'));
    console.log(`sample generation: 4 symbols × 10y daily median ${fmt(daily.median)}; SPY 5m (19,500 bars) ${fmt(intraday.median)}`);

    // Bytes on disk per 10,000 bars.
    const five = sampleSeries('SPY', '5m');
    const tenK = sliceByIndex(five, 0, 10_000);
    const k2: CacheKey = { provider: 'bench', symbol: 'SIZE', interval: '5m', adjusted: true };
    await cache.write(k2, tenK, tenK.time[0], tenK.time[9_999] + 300_000);
    const size = statSync(cache.pathFor(k2)).size;
    const csvBytes = Buffer.byteLength(rows.slice(0, 10_001).join('\n'));
    console.log(`bytes on disk per 10,000 bars: ${size.toLocaleString('en-US')} (6 Float64 columns = 480,000 + header ${size - 480_000}); the same bars as CSV text ≈ ${csvBytes.toLocaleString('en-US')} → ${(size / csvBytes).toFixed(2)}× of CSV`);
    if (series.adjClose) {
      const k3: CacheKey = { ...key, symbol: 'ADJ' };
      const part = sliceByIndex(series, 0, Math.min(series.length, 10_000));
      await cache.write(k3, part, part.time[0], part.time[part.length - 1] + 86_400_000);
      const s3 = statSync(cache.pathFor(k3)).size;
      console.log(`  with Adj Close (7 columns): ${Math.round((s3 / part.length) * 10_000).toLocaleString('en-US')} bytes per 10,000 bars`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
