import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlpacaProvider, type AlpacaProviderOptions } from '../../core/data/alpaca';
import { BarCache, CachedProvider } from '../../core/data/cache';
import { DataError } from '../../core/data/errors';
import type { Interval } from '../../core/data/interval';
import type { BarRequest } from '../../core/data/provider';
import { sampleSeries } from '../../core/data/sample';
import { sliceByIndex, sliceSeries } from '../../core/data/series';
import { newYorkDst } from '../../core/data/bar-time';
import { startServer, type Recorded, type Reply } from './local-server';

const D = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const KEY = 'PKTESTKEYID123';
const SECRET = 'sEcReT-never-print-me';
const TIMEFRAMES: Record<string, Interval> = { '1Min': '1m', '5Min': '5m', '1Hour': '1h', '4Hour': '4h', '1Day': '1d', '1Week': '1wk' };

/** Serves sample bars as Alpaca's /v2/stocks/{symbol}/bars, `pageSize` per page; assets as `assets` says. */
function alpacaHandler(assets: Record<string, unknown> = {}) {
  return (req: Recorded): Reply => {
    const asset = /^\/v2\/assets\/(.+)$/.exec(req.path);
    if (asset) {
      const a = assets[decodeURIComponent(asset[1])];
      return a ? { body: a } : { status: 404, body: { code: 40410000, message: 'asset not found' } };
    }
    const m = /^\/v2\/stocks\/([^/]+)\/bars$/.exec(req.path);
    if (!m) return { status: 404, body: { message: 'no route' } };
    if (req.headers['apca-api-key-id'] !== KEY || req.headers['apca-api-secret-key'] !== SECRET) return { status: 401, body: { message: 'unauthorized.' } };
    const symbol = decodeURIComponent(m[1]);
    const interval = TIMEFRAMES[req.query.get('timeframe')!];
    const from = Date.parse(req.query.get('start')!);
    const to = Date.parse(req.query.get('end')!);
    const daily = interval === '1d' || interval === '1wk';
    // Alpaca stamps daily bars at midnight New York (05:00Z in winter, 04:00Z in summer): filter by that stamp, as Alpaca does.
    const stamp = (t: number) => (daily ? t + (newYorkDst(t) ? 4 : 5) * 3_600_000 : t);
    const full = sampleSeries(symbol, interval);
    let a = 0;
    while (a < full.length && stamp(full.time[a]) < from) a++;
    let z = a;
    while (z < full.length && stamp(full.time[z]) <= to) z++;
    const all = sliceByIndex(full, a, z);
    const limit = Number(req.query.get('limit'));
    const offset = Number(req.query.get('page_token') ?? 0);
    const bars = [];
    for (let i = offset; i < Math.min(all.length, offset + limit); i++) {
      const t = new Date(stamp(all.time[i])).toISOString();
      bars.push({ t, o: all.open[i], h: all.high[i], l: all.low[i], c: all.close[i], v: all.volume[i], n: 10, vw: all.close[i] });
    }
    const next = offset + limit < all.length ? String(offset + limit) : null;
    return { body: { bars: bars.length ? bars : null, symbol, next_page_token: next } };
  };
}

const serverPromise = startServer(alpacaHandler());
after(() => serverPromise.then((s) => s.close()));

async function setup(handler: (req: Recorded) => Reply = alpacaHandler(), options: AlpacaProviderOptions = {}) {
  const s = await serverPromise;
  s.handler = handler;
  s.requests.length = 0;
  const provider = new AlpacaProvider({ keyId: KEY, secretKey: SECRET, dataUrl: s.url, tradingUrl: s.url, pageSize: 100, retry: { attempts: 3, baseDelayMs: 5 }, env: {}, ...options });
  return { s, provider };
}

const req = (over: Partial<BarRequest> = {}): BarRequest => ({ symbol: 'MSFT', interval: '1d', start: D(2020, 1, 1), end: D(2021, 1, 1), adjusted: true, ...over });

async function rejectsWith(promise: Promise<unknown>, code: DataError['code'], pattern: RegExp): Promise<DataError> {
  let caught: unknown;
  await assert.rejects(promise, (e: unknown) => { caught = e; return true; });
  assert.ok(caught instanceof DataError, `expected DataError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, pattern);
  assert.equal(caught.provider, 'alpaca');
  assert.ok(!caught.message.includes(SECRET) && !caught.message.includes(KEY), 'keys never appear in messages');
  return caught;
}

test('daily bars paged through next_page_token to the end, keys sent as headers, dated 00:00 UTC', async () => {
  const { s, provider } = await setup();
  const got = await provider.fetch(req());
  const expected = sliceSeries(sampleSeries('MSFT'), D(2020, 1, 1), D(2021, 1, 1) - 1);
  assert.equal(s.requests.length, Math.ceil(expected.length / 100));
  assert.deepEqual(s.requests.map((r) => r.query.get('page_token')), [null, '100', '200']);
  const q = s.requests[0].query;
  assert.equal(q.get('timeframe'), '1Day');
  assert.equal(q.get('adjustment'), 'all');
  assert.equal(q.get('feed'), 'iex');
  assert.equal(q.get('start'), '2020-01-01T00:00:00.000Z');
  assert.deepEqual(Array.from(got.time), Array.from(expected.time));
  assert.deepEqual(Array.from(got.close), Array.from(expected.close));
  assert.deepEqual(Array.from(got.volume), Array.from(expected.volume));
  assert.match(got.source!.label, /^Alpaca \(iex\) · MSFT 1d/);
  assert.equal(got.source!.adjustment, 'all');
});

test('raw prices, sip feed and intraday timeframes map to Alpaca names', async () => {
  const { s, provider } = await setup(alpacaHandler(), { feed: 'sip' });
  await provider.fetch(req({ adjusted: false }));
  assert.equal(s.requests[0].query.get('adjustment'), 'raw');
  assert.equal(s.requests[0].query.get('feed'), 'sip');
  for (const [interval, name] of [['5m', '5Min'], ['1h', '1Hour'], ['4h', '4Hour'], ['1wk', '1Week']] as const) {
    s.requests.length = 0;
    const got = await provider.fetch(req({ interval, start: D(2024, 12, 2), end: D(2024, 12, 28) }));
    assert.equal(s.requests[0].query.get('timeframe'), name);
    assert.ok(got.length > 0);
    if (interval === '5m') assert.equal(got.time[0], D(2024, 12, 2) + 14.5 * 3_600_000);
  }
});

test('keys come from APCA_API_KEY_ID / APCA_API_SECRET_KEY; missing keys fail before any request', async () => {
  const s = await serverPromise;
  s.handler = alpacaHandler();
  s.requests.length = 0;
  const fromEnv = new AlpacaProvider({ dataUrl: s.url, env: { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET } });
  assert.ok((await fromEnv.fetch(req())).length > 200);
  s.requests.length = 0;
  await rejectsWith(new AlpacaProvider({ dataUrl: s.url, env: {} }).fetch(req()), 'auth', /set APCA_API_KEY_ID and APCA_API_SECRET_KEY/);
  assert.equal(s.requests.length, 0);
});

test('rejected keys: auth error that names the variables, not their values', async () => {
  const { provider } = await setup(alpacaHandler(), { secretKey: 'wrong-secret-value' });
  const e = await rejectsWith(provider.fetch(req()), 'auth', /rejected the API keys \(HTTP 401/);
  assert.ok(!e.message.includes('wrong-secret-value'));
});

test('unknown symbol: no bars and the assets endpoint says 404; or a 422 "invalid symbol"', async () => {
  const assets = alpacaHandler();
  let { provider } = await setup((r) => (r.path.includes('/bars') ? { body: { bars: null, symbol: 'NOPEX', next_page_token: null } } : assets(r)));
  await rejectsWith(provider.fetch(req({ symbol: 'NOPEX' })), 'unknown-symbol', /does not know the symbol 'NOPEX'/);
  ({ provider } = await setup(() => ({ status: 422, body: { code: 42210000, message: 'invalid symbol: NOPE$' } })));
  await rejectsWith(provider.fetch(req({ symbol: 'NOPE' })), 'unknown-symbol', /invalid symbol/);
});

test('delisted: no bars and the asset is inactive', async () => {
  const handler = alpacaHandler({ GONE: { symbol: 'GONE', status: 'inactive', tradable: false } });
  const { provider } = await setup((r) => (r.path.includes('/bars') ? { body: { bars: [], symbol: 'GONE', next_page_token: null } } : handler(r)));
  await rejectsWith(provider.fetch(req({ symbol: 'GONE' })), 'delisted', /GONE is inactive at Alpaca \(delisted\)/);
});

test('empty range: an active asset with no bars in the range', async () => {
  const handler = alpacaHandler({ MSFT: { symbol: 'MSFT', status: 'active', tradable: true } });
  const { provider } = await setup(handler);
  await rejectsWith(provider.fetch(req({ start: D(2030, 1, 1), end: D(2030, 2, 1) })), 'empty-range', /no 1d bars for MSFT between 2030-01-01 and 2030-01-31/);
});

test('start after end and weekend-only ranges: errors before any request', async () => {
  const { s, provider } = await setup();
  await rejectsWith(provider.fetch(req({ start: D(2021, 1, 1), end: D(2020, 1, 1) })), 'start-after-end', /not before end/);
  await rejectsWith(provider.fetch(req({ start: D(2021, 1, 2), end: D(2021, 1, 4) })), 'weekend-range', /only a weekend/);
  assert.equal(s.requests.length, 0);
});

test('rate limit: retried with backoff then succeeds; if it persists, a clear error', async () => {
  let calls = 0;
  const ok = alpacaHandler();
  let { s, provider } = await setup((r) => (++calls === 1 ? { status: 429, body: { message: 'too many requests' } } : ok(r)));
  assert.ok((await provider.fetch(req())).length > 200);
  assert.equal(s.requests.length, 4, 'one 429 + three pages');
  ({ s, provider } = await setup(() => ({ status: 429, body: { message: 'too many requests' }, headers: { 'retry-after': '0' } })));
  await rejectsWith(provider.fetch(req()), 'rate-limited', /rate-limiting requests \(HTTP 429.*after 3 attempts/);
  assert.equal(s.requests.length, 3);
});

test('malformed responses: not JSON, bars not a list, a bad bar, a repeated page token', async () => {
  let { provider } = await setup(() => ({ body: 'definitely not json' }));
  await rejectsWith(provider.fetch(req()), 'malformed-response', /not JSON/);
  ({ provider } = await setup(() => ({ body: { bars: { t: 1 }, next_page_token: null } })));
  await rejectsWith(provider.fetch(req()), 'malformed-response', /"bars" is not a list/);
  ({ provider } = await setup(() => ({ body: { bars: [{ t: '2020-01-02T05:00:00Z', o: 1, h: 'x', l: 1, c: 1, v: 1 }], next_page_token: null } })));
  await rejectsWith(provider.fetch(req()), 'malformed-response', /bad bar/);
  ({ provider } = await setup(() => ({ body: { bars: [{ t: '2020-01-02T05:00:00Z', o: 1, h: 1, l: 1, c: 1, v: 1 }], next_page_token: 'same' } })));
  await rejectsWith(provider.fetch(req()), 'malformed-response', /repeated next_page_token/);
});

test('network failure and cancellation', async () => {
  const s = await serverPromise;
  const dead = new AlpacaProvider({ keyId: KEY, secretKey: SECRET, dataUrl: 'http://127.0.0.1:9', env: {} });
  await rejectsWith(dead.fetch(req()), 'network', /Cannot reach Alpaca/);
  const { provider } = await setup();
  const controller = new AbortController();
  controller.abort();
  await rejectsWith(provider.fetch(req(), controller.signal), 'aborted', /Cancelled/);
  assert.ok(s.url.startsWith('http://127.0.0.1:'));
});

test('through the cache: repeat is free, a top-up pages only the new part', async () => {
  const { s, provider } = await setup();
  const cached = new CachedProvider(provider, new BarCache(mkdtempSync(join(tmpdir(), 'sl-alpaca-cache-'))), () => D(2030, 1, 1));
  await cached.fetch(req());
  const first = s.requests.length;
  await cached.fetch(req());
  assert.equal(s.requests.length, first, 'served from disk');
  const longer = await cached.fetch(req({ end: D(2021, 3, 1) }));
  assert.equal(s.requests.length, first + 1, 'one page for two months');
  assert.deepEqual(Array.from(longer.close), Array.from(sliceSeries(sampleSeries('MSFT'), D(2020, 1, 1), D(2021, 3, 1) - 1).close));
});
