import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BarCache, CachedProvider } from '../../core/data/cache';
import { DataError } from '../../core/data/errors';
import type { Interval } from '../../core/data/interval';
import { seriesLabel, type BarRequest } from '../../core/data/provider';
import { sampleSeries } from '../../core/data/sample';
import { sliceSeries } from '../../core/data/series';
import { YahooProvider } from '../../core/data/yahoo';
import { redirectingFetch, startServer, type Recorded, type Reply } from './local-server';
import { chartBody, notFoundBody, sampleSlice } from './yahoo-fixtures';

const D = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const NOW = D(2025, 1, 2) + 12 * 3_600_000;

/** Serves sample bars as Yahoo would, with adjclose = close × adjFactor. */
function sampleHandler(adjFactor = 0.9) {
  return (req: Recorded): Reply => {
    const symbol = decodeURIComponent(req.path.split('/').pop()!);
    const interval = req.query.get('interval') as Interval;
    const series = sampleSlice(symbol, interval, Number(req.query.get('period1')), Number(req.query.get('period2')));
    return { body: chartBody({ symbol, series, adjFactor, granularity: interval }) };
  };
}

const server = await0(startServer(sampleHandler()));
after(() => server.then((s) => s.close()));

/** node:test files here are CommonJS (no top-level await): keep the promise, await it in tests. */
function await0<T>(p: Promise<T>): Promise<T> { return p; }

async function setup(handler: (req: Recorded) => Reply = sampleHandler()) {
  const s = await server;
  s.handler = handler;
  s.requests.length = 0;
  const provider = new YahooProvider({ fetch: redirectingFetch(s), now: () => NOW, retry: { attempts: 3, baseDelayMs: 5 } });
  return { s, provider };
}

const req = (over: Partial<BarRequest> = {}): BarRequest => ({ symbol: 'AAPL', interval: '1d', start: D(2020, 1, 1), end: D(2021, 1, 1), adjusted: true, ...over });

async function rejectsWith(promise: Promise<unknown>, code: DataError['code'], pattern: RegExp): Promise<DataError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => { caught = e; return true; });
  assert.ok(caught instanceof DataError, `expected DataError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, pattern);
  assert.equal(caught.provider, 'yahoo');
  return caught;
}

test('daily bars, adjusted by default: OHLC scaled by adjclose/close, dated 00:00 UTC, labelled', async () => {
  const { s, provider } = await setup();
  const got = await provider.fetch(req());
  const expected = sliceSeries(sampleSeries('AAPL'), D(2020, 1, 1), D(2021, 1, 1) - 1);
  assert.equal(s.requests.length, 1);
  const q = s.requests[0].query;
  assert.equal(s.requests[0].path, '/v8/finance/chart/AAPL');
  assert.equal(q.get('interval'), '1d');
  assert.equal(q.get('period1'), String(D(2020, 1, 1) / 1000));
  assert.equal(q.get('period2'), String(D(2021, 1, 1) / 1000));
  assert.equal(q.get('includePrePost'), 'false');
  assert.deepEqual(Array.from(got.time), Array.from(expected.time));
  for (let i = 0; i < got.length; i++) {
    assert.ok(Math.abs(got.close[i] - expected.close[i] * 0.9) < 1e-9);
    assert.ok(Math.abs(got.open[i] - expected.open[i] * 0.9) < 1e-9);
    assert.ok(Math.abs(got.adjClose![i] - expected.close[i] * 0.9) < 1e-9);
  }
  assert.equal(got.source?.provider, 'yahoo');
  assert.equal(got.source?.synthetic, false);
  assert.match(got.source!.label, /Yahoo Finance · AAPL 1d/);
  assert.equal(got.source!.adjustment, 'all');
  assert.match(seriesLabel([got]), /prices: split\+dividend adjusted \(yahoo\)/);
});

test('unadjusted on request: raw OHLC, adjusted close kept alongside', async () => {
  const { provider } = await setup();
  const got = await provider.fetch(req({ adjusted: false }));
  const expected = sliceSeries(sampleSeries('AAPL'), D(2020, 1, 1), D(2021, 1, 1) - 1);
  assert.deepEqual(Array.from(got.close), Array.from(expected.close));
  assert.ok(Math.abs(got.adjClose![0] - expected.close[0] * 0.9) < 1e-9);
  assert.equal(got.source!.adjustment, 'split');
  assert.match(seriesLabel([got]), /prices: split-adjusted, dividends not \(yahoo\)/);
});

test('long ranges are chunked (20 years per request) and joined without duplicates', async () => {
  const { s, provider } = await setup();
  const got = await provider.fetch(req({ symbol: 'SPY', start: D(1995, 1, 1), end: D(2024, 12, 31) }));
  assert.equal(s.requests.length, 2);
  assert.equal(s.requests[0].query.get('period2'), s.requests[1].query.get('period1'));
  const expected = sliceSeries(sampleSeries('SPY'), D(1995, 1, 1), D(2024, 12, 31) - 1);
  assert.deepEqual(Array.from(got.time), Array.from(expected.time));
});

test('weekly bars are dated on Monday 00:00 UTC', async () => {
  const { provider } = await setup();
  const got = await provider.fetch(req({ interval: '1wk' }));
  assert.ok(got.length > 40);
  for (const t of got.time) assert.equal(new Date(t).getUTCDay(), 1);
});

test('intraday within the limit: exact UTC times; 4h is built from 1h', async () => {
  const { s, provider } = await setup();
  const five = await provider.fetch(req({ interval: '5m', start: D(2024, 12, 2), end: D(2024, 12, 7) }));
  assert.equal(s.requests[0].query.get('interval'), '5m');
  assert.equal(five.time[0], D(2024, 12, 2) + 14.5 * 3_600_000);
  assert.equal(five.length, 5 * 78);
  s.requests.length = 0;
  const four = await provider.fetch(req({ interval: '4h', start: D(2024, 12, 2), end: D(2024, 12, 7) }));
  assert.equal(s.requests[0].query.get('interval'), '1h');
  assert.equal(four.length, 5 * 2, 'two 4h buckets per 6.5h session');
  assert.equal(four.time[1] - four.time[0], 4 * 3_600_000);
});

test("intraday ranges beyond Yahoo's limits are refused up front, stating the limit", async () => {
  const { s, provider } = await setup();
  await rejectsWith(provider.fetch(req({ interval: '1m', start: NOW - 40 * 86_400_000, end: NOW })), 'intraday-limit', /1m bars for the last 30 days only \(at most 7 days per request\)/);
  await rejectsWith(provider.fetch(req({ interval: '5m', start: NOW - 70 * 86_400_000, end: NOW })), 'intraday-limit', /last 60 days only.*Use --from 2024-11-04/);
  await rejectsWith(provider.fetch(req({ interval: '1h', start: NOW - 800 * 86_400_000, end: NOW })), 'intraday-limit', /last 730 days/);
  assert.equal(s.requests.length, 0, 'no request sent');
});

test('1m ranges are split into 7-day requests', async () => {
  const { s, provider } = await setup();
  const got = await provider.fetch(req({ interval: '1m', start: D(2024, 12, 10), end: D(2024, 12, 31) }));
  assert.equal(s.requests.length, 3);
  assert.ok(got.length > 10 * 390);
});

test('start after end and weekend-only ranges: errors before any request', async () => {
  const { s, provider } = await setup();
  await rejectsWith(provider.fetch(req({ start: D(2021, 1, 1), end: D(2020, 1, 1) })), 'start-after-end', /2021-01-01 is not before end 2020-01-01/);
  await rejectsWith(provider.fetch(req({ start: D(2021, 1, 2), end: D(2021, 1, 4) })), 'weekend-range', /only a weekend/);
  assert.equal(s.requests.length, 0);
});

test('unknown symbol (Yahoo 404 "No data found")', async () => {
  const { provider } = await setup(() => ({ status: 404, body: notFoundBody }));
  await rejectsWith(provider.fetch(req({ symbol: 'NOPEX' })), 'unknown-symbol', /Yahoo has no symbol 'NOPEX'.*Check the ticker/);
});

test('delisted symbol: meta says it last traded long before the range', async () => {
  const { provider } = await setup(() => ({ body: chartBody({ symbol: 'GONE', regularMarketTime: D(2015, 6, 1) / 1000 }) }));
  await rejectsWith(provider.fetch(req({ symbol: 'GONE' })), 'delisted', /GONE last traded on 2015-06-01/);
});

test('empty range: a live symbol with no bars in the range (e.g. before its listing)', async () => {
  const { provider } = await setup(() => ({ body: chartBody({ symbol: 'NEWCO', regularMarketTime: NOW / 1000, firstTradeDate: D(2022, 3, 1) / 1000 }) }));
  await rejectsWith(provider.fetch(req({ symbol: 'NEWCO' })), 'empty-range', /no 1d bars for NEWCO.*started trading on 2022-03-01/);
});

test('rate limit: retried with exponential backoff (waits doubling, with jitter), then succeeds', async () => {
  let calls = 0;
  const ok = sampleHandler();
  const { s } = await setup((r) => (++calls <= 3 ? { status: 429, body: 'Too Many Requests' } : ok(r)));
  const waits: number[] = [];
  const provider = new YahooProvider({ fetch: redirectingFetch(s), now: () => NOW, retry: { attempts: 4, baseDelayMs: 100, sleep: async (ms) => { waits.push(ms); } } });
  const got = await provider.fetch(req());
  assert.ok(got.length > 200);
  assert.equal(s.requests.length, 4);
  assert.equal(waits.length, 3, 'one wait between each two attempts');
  waits.forEach((ms, i) => assert.ok(ms >= 100 * 2 ** i && ms <= 125 * 2 ** i, `wait ${i + 1} is ${ms} ms: 100 ms × 2^${i} plus at most 25 % jitter`));
});

test('rate limit: Retry-After is honoured when longer than the backoff, and capped at 30 s', async () => {
  let calls = 0;
  const ok = sampleHandler();
  const { s } = await setup((r) => (++calls === 1 ? { status: 429, body: 'slow down', headers: { 'retry-after': '7' } } : calls === 2 ? { status: 429, body: 'slow down', headers: { 'retry-after': '3600' } } : ok(r)));
  const waits: number[] = [];
  const provider = new YahooProvider({ fetch: redirectingFetch(s), now: () => NOW, retry: { attempts: 3, baseDelayMs: 10, sleep: async (ms) => { waits.push(ms); } } });
  await provider.fetch(req());
  assert.deepEqual(waits, [7000, 30_000]);
});

test('rate limit that persists: clear message after the configured attempts', async () => {
  const { s, provider } = await setup(() => ({ status: 429, body: 'Too Many Requests', headers: { 'retry-after': '0' } }));
  await rejectsWith(provider.fetch(req()), 'rate-limited', /rate-limiting.*after 3 attempts.*wait a few minutes/);
  assert.equal(s.requests.length, 3);
});

test('malformed responses: not JSON, wrong shape, mismatched arrays', async () => {
  let { provider } = await setup(() => ({ body: '<html>oops</html>' }));
  await rejectsWith(provider.fetch(req()), 'malformed-response', /not in the expected format/);
  ({ provider } = await setup(() => ({ body: { chart: { result: [{ meta: { symbol: 'AAPL' } }], error: null } } })));
  await rejectsWith(provider.fetch(req()), 'malformed-response', /not in the expected format/);
  ({ provider } = await setup((r) => {
    const body = sampleHandler()(r).body as { chart: { result: { indicators: { quote: { close: number[] }[] } }[] } };
    body.chart.result[0].indicators.quote[0].close.pop();
    return { body };
  }));
  await rejectsWith(provider.fetch(req()), 'malformed-response', /has \d+ timestamps but \d+ prices: the answer is damaged\. Try again/);
});

test('server errors are retried, then reported; a refused connection is a network error', async () => {
  const { s, provider } = await setup(() => ({ status: 503, body: 'unavailable' }));
  await rejectsWith(provider.fetch(req()), 'rate-limited', /servers failed \(HTTP 503\) 3 times/);
  assert.equal(s.requests.length, 3);
  const dead = new YahooProvider({ fetch: (async () => { throw new TypeError('fetch failed'); }) as typeof fetch, now: () => NOW });
  await rejectsWith(dead.fetch(req()), 'network', /Cannot reach Yahoo Finance/);
});

test('an aborted signal cancels with code aborted', async () => {
  const { provider } = await setup();
  const controller = new AbortController();
  controller.abort();
  await rejectsWith(provider.fetch(req(), controller.signal), 'aborted', /Cancelled/);
});

test('through the cache: second run sends no request, a longer range sends one top-up', async () => {
  const { s, provider } = await setup();
  const dir = mkdtempSync(join(tmpdir(), 'sl-yahoo-cache-'));
  const cached = new CachedProvider(provider, new BarCache(dir, { now: () => NOW }), () => NOW);
  const first = await cached.fetch(req());
  assert.equal(s.requests.length, 1);
  const second = await cached.fetch(req());
  assert.equal(s.requests.length, 1, 'served from disk');
  assert.deepEqual(Array.from(second.close), Array.from(first.close));
  const longer = await cached.fetch(req({ end: D(2021, 7, 1) }));
  assert.equal(s.requests.length, 2, 'one top-up request');
  assert.equal(s.requests[1].query.get('period1'), String(first.time[first.length - 1] / 1000));
  assert.equal(longer.time[longer.length - 1], sliceSeries(sampleSeries('AAPL'), 0, D(2021, 7, 1) - 1).time.at(-1));
});
