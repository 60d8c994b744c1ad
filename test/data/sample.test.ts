import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { INTERVALS, INTERVAL_MS } from '../../core/data/interval';
import { SAMPLE_SYMBOLS, SampleProvider, isKnownSampleSymbol, sampleSeries } from '../../core/data/sample';
import type { BarSeries } from '../../core/data/series';
import { DataError } from '../../core/data/errors';
import { repoRoot } from '../helpers/paths';

function digest(series: BarSeries): string {
  const h = createHash('sha256');
  for (const col of [series.time, series.open, series.high, series.low, series.close, series.volume]) h.update(new Uint8Array(col.buffer, col.byteOffset, col.byteLength));
  return h.digest('hex');
}

test('the sample covers the symbols the demo and example strategies use', () => {
  for (const s of ['AAPL', 'MSFT', 'SPY', 'QQQ', 'TSLA', 'NVDA', 'GLD', 'TLT', 'IWM']) assert.ok(SAMPLE_SYMBOLS.includes(s), s);
});

test('generation is byte-identical across two generations, for every interval', () => {
  for (const interval of INTERVALS) {
    const a = digest(sampleSeries('AAPL', interval));
    const b = digest(sampleSeries('aapl', interval));
    assert.equal(a, b, interval);
  }
  assert.notEqual(digest(sampleSeries('AAPL')), digest(sampleSeries('MSFT')), 'symbols differ');
});

test('byte-identical in a fresh process with another time zone and locale', () => {
  const run = (tz: string, lang: string) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/data/fixtures/sample-digest.ts')], { cwd: repoRoot, env: { ...process.env, TZ: tz, LANG: lang, LC_ALL: lang }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const here = [digest(sampleSeries('SPY', '1d')), digest(sampleSeries('QQQ', '5m')), digest(sampleSeries('ZZTOP', '1h'))].join(',');
  assert.equal(run('Pacific/Kiritimati', 'de_DE.UTF-8'), here);
  assert.equal(run('America/Los_Angeles', 'C'), here);
});

test('the sample is pinned: SPY 1d, QQQ 5m and an unknown symbol hash to the published digests', () => {
  // Changing the generator changes every demo result: if intended, update these and say so in docs/data.md.
  assert.equal(digest(sampleSeries('SPY', '1d')), '62f443866d14250a8005daa74b1b7a9be45ab43aa1021cbc0ad35476bd12d50b');
  assert.equal(digest(sampleSeries('QQQ', '5m')), 'b42731b5547be368428d7c6f9c486bb2a8628f902c5b9492edcd100595e722cf');
  assert.equal(digest(sampleSeries('ZZTOP', '1h')), '760cc3c62f35c5a5101d1917e6871ecde47f24a7b60e316beb9fa7c438751aaf');
});

function assertSane(s: BarSeries, label: string): void {
  assert.ok(s.length > 100, `${label}: ${s.length} bars`);
  for (let i = 0; i < s.length; i++) {
    const o = s.open[i], h = s.high[i], l = s.low[i], c = s.close[i];
    assert.ok(l > 0 && l <= Math.min(o, c) && h >= Math.max(o, c), `${label} bar ${i}: o=${o} h=${h} l=${l} c=${c}`);
    assert.ok(Number.isInteger(s.volume[i]) && s.volume[i] > 0, `${label} bar ${i} volume ${s.volume[i]}`);
    if (i > 0) assert.ok(s.time[i] > s.time[i - 1], `${label} bar ${i} time increases`);
  }
}

test('OHLC consistent, positive volume, increasing time, for known and unknown symbols', () => {
  for (const sym of [...SAMPLE_SYMBOLS, 'NOTREAL']) assertSane(sampleSeries(sym, '1d'), `${sym} 1d`);
  for (const iv of INTERVALS) assertSane(sampleSeries('SPY', iv), `SPY ${iv}`);
});

test('daily: ~10 years of weekdays at 00:00 UTC; intraday: regular-session bars on weekdays', () => {
  const d = sampleSeries('SPY', '1d');
  const years = (d.time[d.length - 1] - d.time[0]) / (365.25 * 86_400_000);
  assert.ok(years > 9.9 && years < 10.1, `${years} years`);
  for (let i = 0; i < d.length; i++) {
    const day = new Date(d.time[i]);
    assert.equal(d.time[i] % 86_400_000, 0);
    assert.ok(day.getUTCDay() >= 1 && day.getUTCDay() <= 5);
  }
  for (const iv of ['1m', '5m', '1h'] as const) {
    const s = sampleSeries('SPY', iv);
    for (let i = 0; i < s.length; i++) {
      const minutes = (s.time[i] % 86_400_000) / 60_000;
      assert.ok(minutes >= 14 * 60 + 30 && minutes < 21 * 60, `${iv} bar at ${new Date(s.time[i]).toISOString()}`);
    }
    if (iv !== '1h') assert.equal(s.time[1] - s.time[0], INTERVAL_MS[iv]);
  }
});

test('prices behave like markets: volatility clusters, daily moves plausible, symbols correlate', () => {
  const spy = sampleSeries('SPY');
  const qqq = sampleSeries('QQQ');
  const r = (s: BarSeries) => Array.from({ length: s.length - 1 }, (_, i) => Math.log(s.close[i + 1] / s.close[i]));
  const rs = r(spy);
  const rq = r(qqq);
  const sd = (x: number[]) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);
  const annual = sd(rs) * Math.sqrt(252);
  assert.ok(annual > 0.08 && annual < 0.4, `SPY annual vol ${annual}`);
  // Volatility clustering: |r| autocorrelated.
  const abs = rs.map(Math.abs);
  const mean = abs.reduce((a, v) => a + v, 0) / abs.length;
  let num = 0, den = 0;
  for (let i = 1; i < abs.length; i++) num += (abs[i] - mean) * (abs[i - 1] - mean);
  for (const v of abs) den += (v - mean) ** 2;
  assert.ok(num / den > 0.05, `|r| lag-1 autocorrelation ${num / den}`);
  let cov = 0;
  for (let i = 0; i < rs.length; i++) cov += rs[i] * rq[i];
  const corr = cov / rs.length / (sd(rs) * sd(rq));
  assert.ok(corr > 0.6, `SPY/QQQ correlation ${corr}`);
  // Gaps: opens differ from the previous close.
  let gaps = 0;
  for (let i = 1; i < spy.length; i++) if (spy.open[i] !== spy.close[i - 1]) gaps++;
  assert.ok(gaps > spy.length / 2, `${gaps} gaps`);
});

test('labelled SYNTHETIC everywhere; unknown symbols are deterministic, flagged and distinct', () => {
  const s = sampleSeries('SPY');
  assert.equal(s.source?.synthetic, true);
  assert.match(s.source!.label, /^SYNTHETIC/);
  assert.equal(isKnownSampleSymbol('SPY'), true);
  assert.equal(isKnownSampleSymbol('ABCXYZ'), false);
  const u = sampleSeries('ABCXYZ');
  assert.match(u.source!.label, /^SYNTHETIC.*unknown symbol/);
  assert.equal(digest(u), digest(sampleSeries('ABCXYZ')));
  assert.notEqual(digest(u), digest(sampleSeries('ABCXYZ2')));
});

test('intraday closes tie out with the daily close of the same day', () => {
  const d = sampleSeries('MSFT', '1d');
  const m = sampleSeries('MSFT', '5m');
  const lastDay = d.time[d.length - 1];
  assert.equal(m.close[m.length - 1], d.close[d.length - 1]);
  assert.equal(Math.floor(m.time[m.length - 1] / 86_400_000) * 86_400_000, lastDay);
});

test('SampleProvider slices by range and refuses a range outside the sample', async () => {
  const p = new SampleProvider();
  const s = await p.fetch({ symbol: 'SPY', interval: '1d', start: Date.UTC(2020, 0, 1), end: Date.UTC(2021, 0, 1), adjusted: true });
  assert.equal(s.time[0], Date.UTC(2020, 0, 2));
  assert.ok(s.time[s.length - 1] < Date.UTC(2021, 0, 1));
  await assert.rejects(p.fetch({ symbol: 'SPY', interval: '1d', start: Date.UTC(1990, 0, 1), end: Date.UTC(1991, 0, 1), adjusted: true }),
    (e: unknown) => e instanceof DataError && e.code === 'empty-range' && /covers 2015-01-02 … 2024-12-31/.test(e.message));
});

test('generation is fast: all intervals of four symbols well under a second', () => {
  const t0 = performance.now();
  for (const sym of ['AAPL', 'MSFT', 'SPY', 'QQQ']) for (const iv of INTERVALS) sampleSeries(sym, iv);
  // Not a timing assertion on speed goals (see bench); a guard against accidental O(n²).
  assert.ok(performance.now() - t0 < 5000);
});
