import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floorWeek, onlyWeekend, parseDateBound, weekdayOf } from '../../core/data/dates';
import { DataError } from '../../core/data/errors';
import { parseInterval } from '../../core/data/interval';
import { alignSeries, parseSource, resolveSeries, seriesLabel } from '../../core/data/provider';
import { resampleSeries } from '../../core/data/resample';
import { sampleSeries } from '../../core/data/sample';
import { YahooProvider } from '../../core/data/yahoo';
import { sharedData } from '../helpers/paths';
import { redirectingFetch, startServer } from './local-server';
import { chartBody, sampleSlice } from './yahoo-fixtures';
import type { Interval } from '../../core/data/interval';

const D = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const sharedDir = join(sharedData('PROVENANCE.md'), '..');

async function rejectsCode(p: Promise<unknown>, code: DataError['code'], pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DataError, String(e));
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

test('intervals: canonical names and aliases; unknown ones listed', () => {
  assert.equal(parseInterval('60m'), '1h');
  assert.equal(parseInterval('Daily'), '1d');
  assert.equal(parseInterval('1w'), '1wk');
  assert.throws(() => parseInterval('3d'), (e: unknown) => e instanceof DataError && e.code === 'bad-interval' && /1m, 2m, 5m/.test(e.message));
});

test('date bounds: dates as UTC, --to inclusive, ISO, epoch; weekends and weeks', () => {
  assert.equal(parseDateBound('2020-01-02', 'x'), D(2020, 1, 2));
  assert.equal(parseDateBound('2020-01-02', 'x', true), D(2020, 1, 3));
  assert.equal(parseDateBound('2020-01-02T10:00:00+02:00', 'x'), D(2020, 1, 2) + 8 * 3_600_000);
  assert.equal(parseDateBound('2020-01-02 10:00', 'x'), D(2020, 1, 2) + 10 * 3_600_000);
  assert.equal(parseDateBound('1577923200', 'x'), D(2020, 1, 2));
  assert.throws(() => parseDateBound('2020-02-30', 'start date'), /Invalid start date '2020-02-30'/);
  assert.throws(() => parseDateBound('yesterday', 'x'), DataError);
  assert.equal(onlyWeekend(D(2021, 1, 2), D(2021, 1, 4)), true);
  assert.equal(onlyWeekend(D(2021, 1, 2), D(2021, 1, 4) + 1), false);
  assert.equal(weekdayOf(D(2021, 1, 4)), 1);
  assert.equal(floorWeek(D(2021, 1, 10) + 5), D(2021, 1, 4));
});

test('resampling: OHLCV aggregation from the session open', () => {
  const five = sampleSeries('SPY', '5m');
  const hour = resampleSeries(five, '1h');
  assert.equal(hour.time[0], five.time[0]);
  assert.equal(hour.open[0], five.open[0]);
  assert.equal(hour.close[0], five.close[11]);
  assert.equal(hour.high[0], Math.max(...five.high.subarray(0, 12)));
  assert.equal(hour.low[0], Math.min(...five.low.subarray(0, 12)));
  assert.equal(hour.volume[0], five.volume.subarray(0, 12).reduce((a, b) => a + b, 0));
  assert.equal(hour.time[7] - hour.time[0], 86_400_000, '7 hourly bars per 6.5h session (last one half)');
});

test('sample source: every symbol, aligned, labelled SYNTHETIC', async () => {
  const series = await resolveSeries({ symbols: ['spy', 'QQQ', 'UNLISTEDCO'], timeframe: '1d' });
  assert.deepEqual(series.map((s) => s.symbol), ['SPY', 'QQQ', 'UNLISTEDCO']);
  assert.ok(series.every((s) => s.length === series[0].length && s.time[0] === D(2015, 1, 2)));
  assert.match(seriesLabel(series), /^SYNTHETIC sample data/);
  assert.match(seriesLabel(series), /UNLISTEDCO 1d — unknown symbol/);
});

test('config start/end apply, run options override them; numeric bounds are inclusive ms', async () => {
  const [a] = await resolveSeries({ symbols: ['SPY'], timeframe: '1d', start: '2020-01-01', end: '2020-12-31' });
  assert.equal(a.time[0], D(2020, 1, 2));
  assert.equal(a.time[a.length - 1], D(2020, 12, 31));
  const [b] = await resolveSeries({ symbols: ['SPY'], timeframe: '1d', start: '2020-01-01', end: '2020-12-31' }, { from: '2021-01-01', to: '2021-06-30' });
  assert.equal(b.time[0], D(2021, 1, 4));
  assert.equal(b.time[b.length - 1], D(2021, 6, 30));
  const [c] = await resolveSeries({ symbols: ['SPY'], timeframe: '1d' }, { from: D(2021, 1, 4), to: D(2021, 1, 6) });
  assert.deepEqual(Array.from(c.time), [D(2021, 1, 4), D(2021, 1, 5), D(2021, 1, 6)]);
  const [w] = await resolveSeries({ symbols: ['SPY'], timeframe: '60m' as never });
  assert.equal(w.source?.interval, '1h');
});

test('bad configs: no symbols, bad timeframe, start after end, unknown source', async () => {
  await rejectsCode(resolveSeries({ symbols: [], timeframe: '1d' }), 'bad-request', /lists no symbols/);
  await rejectsCode(resolveSeries({ symbols: ['SPY'], timeframe: '3d' as never }), 'bad-interval');
  await rejectsCode(resolveSeries({ symbols: ['SPY'], timeframe: '1d', start: '2021-01-01', end: '2020-01-01' }), 'start-after-end', /2021-01-01 is not before the end 2020-01-02/);
  assert.throws(() => parseSource('bloomberg'), /use one of sample, csv, yahoo, alpaca/);
});

test('csv source: one file for one symbol; a folder of <SYMBOL>_….csv files for several, trimmed to the common period', async () => {
  const [one] = await resolveSeries({ symbols: ['SPY'], timeframe: '1d' }, { source: 'csv', csvPath: sharedData('SPY_daily_1998_2021_lean.csv'), from: '2020-01-01' });
  assert.equal(one.symbol, 'SPY');
  assert.equal(one.time[0], D(2020, 1, 2));
  const [goog, spy] = await resolveSeries({ symbols: ['GOOG', 'SPY'], timeframe: '1d' }, { source: 'csv', csvPath: sharedDir });
  assert.equal(goog.time[0], spy.time[0]);
  assert.equal(goog.time[0], D(2004, 8, 19));
  assert.equal(spy.time[spy.length - 1], D(2013, 3, 1));
  const [minute] = await resolveSeries({ symbols: ['SPY'], timeframe: '1m' }, { source: 'csv', csvPath: sharedDir });
  assert.equal(minute.length, 4839, 'the 1-minute file when the timeframe is 1m');
  await rejectsCode(resolveSeries({ symbols: ['SPY'], timeframe: '1h' }, { source: 'csv', csvPath: sharedDir }), 'bad-request', /Several CSV files for SPY.*SPY_1min_2013-10-04_2013-10-11_lean.csv, SPY_daily_1998_2021_lean.csv/);
  await rejectsCode(resolveSeries({ symbols: ['TSLA'], timeframe: '1d' }, { source: 'csv', csvPath: sharedDir }), 'file-not-found', /No CSV for TSLA.*found: AAPL_daily/);
  await rejectsCode(resolveSeries({ symbols: ['SPY', 'AAPL'], timeframe: '1d' }, { source: 'csv', csvPath: sharedData('SPY_daily_1998_2021_lean.csv') }), 'bad-request', /pass a folder/);
  await rejectsCode(resolveSeries({ symbols: ['SPY'], timeframe: '1d' }, { source: 'csv' }), 'bad-request', /pass --data <file-or-folder> to the CLI, or set strategyLab.data.csvPath/);
  await rejectsCode(resolveSeries({ symbols: ['SPY'], timeframe: '1d' }, { source: 'csv', csvPath: sharedDir, from: '2030-01-01' }), 'empty-range', /covers 1998-01-02 … 2021-03-31/);
});

test('symbols with no period in common are refused with their spans', () => {
  const a = sampleSeries('SPY');
  const b = { ...a, symbol: 'OLD', time: a.time.map((t) => t - 20 * 365 * 86_400_000) };
  assert.throws(() => alignSeries([a, b]), (e: unknown) => e instanceof DataError && e.code === 'empty-range' && /SPY 2015-01-02 … 2024-12-31; OLD/.test(e.message));
});

const serverPromise = startServer((r) => {
  const symbol = decodeURIComponent(r.path.split('/').pop()!);
  const interval = r.query.get('interval') as Interval;
  return { body: chartBody({ symbol, series: sampleSlice(symbol, interval, Number(r.query.get('period1')), Number(r.query.get('period2'))), adjFactor: 1 }) };
});
after(() => serverPromise.then((s) => s.close()));

test('network sources go through the on-disk cache (yahoo via a local server)', async () => {
  const s = await serverPromise;
  const cacheDir = mkdtempSync(join(tmpdir(), 'sl-resolve-'));
  const yahoo = new YahooProvider({ fetch: redirectingFetch(s) });
  const options = { source: 'yahoo' as const, cacheDir, providers: { yahoo }, from: '2019-01-01', to: '2019-12-31', now: () => D(2030, 1, 1) };
  const [spy, qqq] = await resolveSeries({ symbols: ['SPY', 'QQQ'], timeframe: '1d' }, options);
  assert.equal(s.requests.length, 2);
  assert.equal(spy.length, qqq.length);
  assert.ok(existsSync(join(cacheDir, 'yahoo', 'SPY~1d~adj.bars')));
  await resolveSeries({ symbols: ['SPY', 'QQQ'], timeframe: '1d' }, options);
  assert.equal(s.requests.length, 2, 'second run: all from cache');
  assert.match(seriesLabel([spy]), /^Yahoo Finance · SPY 1d/);
});
