/**
 * Bad and odd provider answers (local fake servers only), cache damage, interrupted writers
 * and re-adjusted history. Table-driven: each case loads exactly or fails with its code and
 * a message naming the source and the bar.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlpacaProvider } from '../../core/data/alpaca';
import { newYorkDst } from '../../core/data/bar-time';
import { encodeBars } from '../../core/data/binary';
import { BarCache, CachedProvider, type CacheKey } from '../../core/data/cache';
import { DataError } from '../../core/data/errors';
import type { BarRequest } from '../../core/data/provider';
import { createSeries, type BarSeries } from '../../core/data/series';
import { YahooProvider } from '../../core/data/yahoo';
import { runDataCommand } from '../../core/cli/commands/data';
import { redirectingFetch, startServer, type Recorded, type Reply } from './local-server';
import { chartBody } from './yahoo-fixtures';

const U = (iso: string) => Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const KEY = 'PKBATTERY';
const SECRET = 'battery-secret';
const tempDir = () => mkdtempSync(join(tmpdir(), 'sl-battery-'));

interface AlpacaBar { t: string; o: unknown; h: unknown; l: unknown; c: unknown; v: unknown }
/** Alpaca stamps a daily bar at 00:00 New York: 05:00 UTC, 04:00 UTC in daylight saving time. */
const alpacaStamp = (day: string) => new Date(U(day) + (newYorkDst(U(day)) ? 4 : 5) * 3_600_000).toISOString();
const ab = (day: string, o: unknown, h: unknown, l: unknown, c: unknown, v: unknown = 100): AlpacaBar => ({ t: alpacaStamp(day), o, h, l, c, v });

const alpacaServer = startServer(() => ({ status: 500 }));
const yahooServer = startServer(() => ({ status: 500 }));
after(async () => { await (await alpacaServer).close(); await (await yahooServer).close(); });

/** Serves `pages` in order through next_page_token (a page is a JSON body or raw text). */
function pagesHandler(pages: (AlpacaBar[] | string | object)[]) {
  return (req: Recorded): Reply => {
    const i = Number(req.query.get('page_token') ?? 0);
    const page = pages[i];
    if (typeof page === 'string') return { body: page };
    if (!Array.isArray(page)) return { body: page };
    return { body: { bars: page, symbol: 'SPY', next_page_token: i + 1 < pages.length ? String(i + 1) : null } };
  };
}

async function alpaca(handler: (req: Recorded) => Reply, timeoutMs?: number) {
  const s = await alpacaServer;
  s.handler = handler;
  s.requests.length = 0;
  return { s, provider: new AlpacaProvider({ keyId: KEY, secretKey: SECRET, dataUrl: s.url, tradingUrl: s.url, env: {}, retry: { attempts: 1 }, timeoutMs }) };
}

const req = (over: Partial<BarRequest> = {}): BarRequest => ({ symbol: 'SPY', interval: '1d', start: U('2020-01-01'), end: U('2020-02-01'), adjusted: true, ...over });

interface Loads { days: string[]; close: number[] }
interface Fails { code: DataError['code']; message: RegExp }
interface ProviderCase { name: string; answer: (AlpacaBar[] | string | object)[]; expect: Loads | Fails; range?: [string, string] }

/** Weekdays from `from` to `to` (YYYY-MM-DD, inclusive). */
function weekdays(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = U(from); t <= U(to); t += 86_400_000) if (![0, 6].includes(new Date(t).getUTCDay())) out.push(iso(t));
  return out;
}
const BIG_DAYS = weekdays('2015-01-01', '2019-12-31');
/** BIG_DAYS as Alpaca bars, 100 per page, the pages in reverse order. */
function bigPagesReversed(): AlpacaBar[][] {
  const all = BIG_DAYS.map((d, i) => ab(d, 100 + i, 100 + i, 100 + i, 100 + i));
  const pages: AlpacaBar[][] = [];
  for (let i = 0; i < all.length; i += 100) pages.push(all.slice(i, i + 100));
  return pages.reverse();
}

const alpacaCases: ProviderCase[] = [
  { name: 'High below Low', answer: [[ab('2020-01-02', 1, 2, 1, 2), ab('2020-01-03', 1.5, 1, 2, 1.5)]], expect: { code: 'bad-ohlc', message: /alpaca SPY 1d: bar 2 \(2020-01-03\): High 1 is below Low 2/ } },
  { name: 'negative volume', answer: [[ab('2020-01-02', 1, 2, 1, 2, -5)]], expect: { code: 'negative-value', message: /alpaca SPY 1d: bar 1 \(2020-01-02\): Volume is negative/ } },
  { name: 'close of 0', answer: [[ab('2020-01-02', 1, 2, 1, 2), ab('2020-01-03', 1, 2, 0.5, 0)]], expect: { code: 'bad-price', message: /bar 2 \(2020-01-03\): Close is 0/ } },
  { name: 'open of 0', answer: [[ab('2020-01-02', 0, 2, 1, 2)]], expect: { code: 'bad-price', message: /bar 1 \(2020-01-02\): Open is 0/ } },
  { name: 'negative price', answer: [[ab('2020-01-02', 1, 2, -1, 2)]], expect: { code: 'negative-value', message: /bar 1 \(2020-01-02\): Low is negative/ } },
  { name: 'Close above High', answer: [[ab('2020-01-02', 1, 2, 1, 3)]], expect: { code: 'bad-ohlc', message: /bar 1 \(2020-01-02\): Open 1 and Close 3 must lie within/ } },
  { name: 'a price as a string', answer: [[ab('2020-01-02', '1', 2, 1, 2)]], expect: { code: 'malformed-response', message: /bad bar/ } },
  { name: 'a price of 1e400 (Infinity after JSON.parse)', answer: ['{"bars":[{"t":"2020-01-02T05:00:00Z","o":1,"h":1e400,"l":1,"c":1,"v":1}],"next_page_token":null}'], expect: { code: 'malformed-response', message: /bad bar/ } },
  { name: 'pages out of order', answer: [[ab('2020-01-06', 3, 3, 3, 3), ab('2020-01-07', 4, 4, 4, 4)], [ab('2020-01-02', 1, 1, 1, 1), ab('2020-01-03', 2, 2, 2, 2)]], expect: { days: ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07'], close: [1, 2, 3, 4] } },
  { name: 'bars out of order within a page', answer: [[ab('2020-01-03', 2, 2, 2, 2), ab('2020-01-02', 1, 1, 1, 1)]], expect: { days: ['2020-01-02', '2020-01-03'], close: [1, 2] } },
  { name: 'the same bar on two pages', answer: [[ab('2020-01-02', 1, 1, 1, 1), ab('2020-01-03', 2, 2, 2, 2)], [ab('2020-01-03', 2, 2, 2, 2), ab('2020-01-06', 3, 3, 3, 3)]], expect: { days: ['2020-01-02', '2020-01-03', '2020-01-06'], close: [1, 2, 3] } },
  { name: 'two different bars for one day', answer: [[ab('2020-01-02', 1, 1, 1, 1)], [ab('2020-01-02', 5, 5, 5, 5)]], expect: { code: 'duplicate-date', message: /alpaca SPY 1d: two different bars for 2020-01-02/ } },
  { name: 'not JSON', answer: ['<html>oops</html>'], expect: { code: 'malformed-response', message: /not JSON: "<html>oops<\/html>"/ } },
  { name: '"bars" not a list', answer: [{ bars: { a: 1 }, next_page_token: null }], expect: { code: 'malformed-response', message: /"bars" is not a list/ } },
  { name: 'a bar without a time', answer: [[{ o: 1, h: 1, l: 1, c: 1, v: 1 } as unknown as AlpacaBar]], expect: { code: 'malformed-response', message: /bad bar/ } },
  { name: `${BIG_DAYS.length} bars on ${Math.ceil(BIG_DAYS.length / 100)} pages served last page first (once dropped 1,000 of 1,305)`, range: ['2015-01-01', '2020-01-01'], answer: bigPagesReversed(), expect: { days: BIG_DAYS, close: BIG_DAYS.map((_, i) => 100 + i) } },
  { name: 'summer stamps (04:00 UTC) date to the New York day', range: ['2020-07-01', '2020-08-01'], answer: [[ab('2020-07-01', 1, 1, 1, 1), ab('2020-07-02', 2, 2, 2, 2)]], expect: { days: ['2020-07-01', '2020-07-02'], close: [1, 2] } },
];

function checkOutcome(outcome: { series?: BarSeries; error?: unknown }, expect: Loads | Fails, source: RegExp): void {
  if ('days' in expect) {
    assert.ok(outcome.series, `expected bars, got ${String(outcome.error)}`);
    assert.deepEqual(Array.from(outcome.series.time, iso), expect.days);
    assert.deepEqual(Array.from(outcome.series.close), expect.close);
    return;
  }
  const e = outcome.error;
  assert.ok(e instanceof DataError, `expected a DataError, got ${outcome.series ? 'bars' : String(e)}`);
  assert.equal(e.code, expect.code, e.message);
  assert.match(e.message, expect.message);
  assert.match(e.message, source);
}

async function attempt(p: Promise<BarSeries>): Promise<{ series?: BarSeries; error?: unknown }> {
  try { return { series: await p }; } catch (error) { return { error }; }
}

for (const c of alpacaCases) {
  test(`alpaca: ${c.name}`, async () => {
    const { provider } = await alpaca(pagesHandler(c.answer));
    const dir = tempDir();
    const cached = new CachedProvider(provider, new BarCache(dir), () => U('2025-01-01'));
    checkOutcome(await attempt(cached.fetch(req(c.range ? { start: U(c.range[0]), end: U(c.range[1]) } : {}))), c.expect, /alpaca|Alpaca/);
    // Nothing partial is ever recorded as covered: a failed answer leaves no cache file.
    const files = existsSync(join(dir, 'alpaca')) ? readdirSync(join(dir, 'alpaca')).filter((f) => f.endsWith('.bars')) : [];
    assert.equal(files.length, 'days' in c.expect ? 1 : 0);
  });
}

/** Yahoo answers built from explicit daily bars (stamped at the real session open). */
function yahooAnswer(bars: [string, number | null, number | null, number | null, number | null, number][]) {
  const s = createSeries('SPY', bars.length);
  bars.forEach(([day, o, h, l, c, v], i) => { s.time[i] = U(day); s.open[i] = o as number; s.high[i] = h as number; s.low[i] = l as number; s.close[i] = c as number; s.volume[i] = v; });
  const body = chartBody({ symbol: 'SPY', series: s, adjFactor: 1 }) as { chart: { result: { indicators: { quote: Record<string, unknown[]>[] } }[] } };
  // chartBody copies numbers; put the nulls back where a case has them.
  const q = body.chart.result[0].indicators.quote[0];
  bars.forEach((b, i) => (['open', 'high', 'low', 'close'] as const).forEach((k, j) => { if (b[j + 1] === null) q[k][i] = null; }));
  return body;
}

const yahooCases: { name: string; bars: Parameters<typeof yahooAnswer>[0]; expect: Loads | Fails }[] = [
  { name: 'High below Low', bars: [['2020-01-02', 1, 2, 1, 2, 5], ['2020-01-03', 1.5, 1, 2, 1.5, 5]], expect: { code: 'bad-ohlc', message: /yahoo SPY 1d .*bar 2 \(2020-01-03\): High 1 is below Low 2/ } },
  { name: 'close of 0 (was skipped silently)', bars: [['2020-01-02', 1, 2, 1, 2, 5], ['2020-01-03', 1, 2, 0.5, 0, 5]], expect: { code: 'bad-price', message: /yahoo SPY 1d .*bar 2 \(2020-01-03\): Close is 0/ } },
  { name: 'negative volume', bars: [['2020-01-02', 1, 2, 1, 2, -1]], expect: { code: 'negative-value', message: /yahoo SPY 1d .*bar 1 \(2020-01-02\): Volume is negative/ } },
  { name: 'a row without prices (no trades) is skipped', bars: [['2020-01-02', 1, 2, 1, 2, 5], ['2020-01-03', null, null, null, null, 0], ['2020-01-06', 2, 3, 2, 3, 5]], expect: { days: ['2020-01-02', '2020-01-06'], close: [2, 3] } },
  { name: 'summer session-open stamps (13:30 UTC) date to the New York day', bars: [['2020-07-01', 1, 2, 1, 2, 5], ['2020-07-02', 2, 3, 2, 3, 5]], expect: { days: ['2020-07-01', '2020-07-02'], close: [2, 3] } },
];

for (const c of yahooCases) {
  test(`yahoo: ${c.name}`, async () => {
    const s = await yahooServer;
    s.handler = () => ({ body: yahooAnswer(c.bars) });
    const provider = new YahooProvider({ fetch: redirectingFetch(s), now: () => U('2025-01-01'), retry: { attempts: 1 } });
    const range = c.bars[0][0].startsWith('2020-07') ? { start: U('2020-07-01'), end: U('2020-08-01') } : {};
    checkOutcome(await attempt(provider.fetch(req(range))), c.expect, /yahoo/);
  });
}

/** A server that accepts connections and never answers (or sends headers and then stalls). */
async function hangingServer(stallAfterHeaders = false): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    if (stallAfterHeaders) { res.writeHead(200, { 'content-type': 'application/json' }); res.write('{"bars":['); }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const hangCases: { name: string; provider: (url: string) => { fetch: (r: BarRequest, s?: AbortSignal) => Promise<BarSeries> }; stall: boolean; cancelAfterMs?: number; expect: Fails }[] = [
  { name: 'alpaca: a server that never answers times out', stall: false, provider: (url) => new AlpacaProvider({ keyId: KEY, secretKey: SECRET, dataUrl: url, tradingUrl: url, env: {}, timeoutMs: 300 }), expect: { code: 'timeout', message: /Alpaca did not answer within 0.3 s while fetching SPY.*--timeout/ } },
  { name: 'alpaca: a body that stalls halfway times out', stall: true, provider: (url) => new AlpacaProvider({ keyId: KEY, secretKey: SECRET, dataUrl: url, tradingUrl: url, env: {}, timeoutMs: 300 }), expect: { code: 'timeout', message: /Alpaca did not answer within 0.3 s/ } },
  { name: 'yahoo: a server that never answers times out', stall: false, provider: (url) => new YahooProvider({ fetch: redirectingFetch({ url } as never), timeoutMs: 300, now: () => U('2025-01-01') }), expect: { code: 'timeout', message: /Yahoo did not answer within 0.3 s while fetching SPY/ } },
  { name: 'yahoo: a body that stalls halfway times out', stall: true, provider: (url) => new YahooProvider({ fetch: redirectingFetch({ url } as never), timeoutMs: 300, now: () => U('2025-01-01') }), expect: { code: 'timeout', message: /Yahoo did not answer within 0.3 s/ } },
  { name: 'alpaca: cancelling a hung request ends it at once', stall: false, cancelAfterMs: 100, provider: (url) => new AlpacaProvider({ keyId: KEY, secretKey: SECRET, dataUrl: url, tradingUrl: url, env: {}, timeoutMs: 60_000 }), expect: { code: 'aborted', message: /Cancelled while fetching SPY/ } },
  { name: 'yahoo: cancelling a hung request ends it at once', stall: false, cancelAfterMs: 100, provider: (url) => new YahooProvider({ fetch: redirectingFetch({ url } as never), timeoutMs: 60_000, now: () => U('2025-01-01') }), expect: { code: 'aborted', message: /Cancelled while fetching SPY/ } },
];

for (const c of hangCases) {
  test(c.name, async () => {
    const server = await hangingServer(c.stall);
    try {
      const controller = new AbortController();
      if (c.cancelAfterMs) setTimeout(() => controller.abort(), c.cancelAfterMs);
      const started = Date.now();
      const outcome = await attempt(c.provider(server.url).fetch(req(), controller.signal));
      assert.ok(Date.now() - started < 5000, `ended in ${Date.now() - started} ms`);
      checkOutcome(outcome, c.expect, /SPY/);
    } finally {
      await server.close();
    }
  });
}

// ---- cache damage ---------------------------------------------------------------------------

const key: CacheKey = { provider: 'test', symbol: 'SPY', interval: '1d', adjusted: true };

function bars(days: string[], closes: number[]): BarSeries {
  const s = createSeries('SPY', days.length);
  days.forEach((d, i) => { s.time[i] = U(d); s.open[i] = s.low[i] = s.high[i] = s.close[i] = closes[i]; s.volume[i] = 1; });
  return s;
}
const DAYS = ['2020-01-02', '2020-01-03', '2020-01-06', '2020-01-07'];

const damageCases: { name: string; damage: (path: string, cache: BarCache) => void; quick: RegExp | null; deep: RegExp }[] = [
  { name: 'truncated file', damage: (p) => truncateSync(p, readFileSync(p).length - 5), quick: /truncated: \d+ bytes, the header promises \d+/, deep: /truncated/ },
  { name: 'one body byte flipped', damage: (p) => { const b = readFileSync(p); b[b.length - 3] ^= 0xff; writeFileSync(p, b); }, quick: null, deep: /checksum mismatch/ },
  { name: 'not a cache file at all', damage: (p) => writeFileSync(p, 'Date,Open\n'), quick: /bad magic/, deep: /bad magic/ },
  { name: 'another series under this name', damage: (p, cache) => copyFileSync(cache.pathFor({ ...key, symbol: 'QQQ' }), p), quick: /header says test QQQ 1d, which belongs in QQQ~1d~adj\.bars/, deep: /belongs in/ },
  { name: 'a zero price with a valid checksum', damage: (p) => writeFileSync(p, encodeBars(bars(DAYS, [1, 0, 3, 4]), { provider: 'test', symbol: 'SPY', interval: '1d', adjusted: true, coveredFrom: U('2020-01-01'), coveredTo: U('2020-01-08'), writtenAt: '' })), quick: null, deep: /bar 2 \(2020-01-03\): Open is 0/ },
  { name: 'bars outside the recorded range', damage: (p) => writeFileSync(p, encodeBars(bars(DAYS, [1, 2, 3, 4]), { provider: 'test', symbol: 'SPY', interval: '1d', adjusted: true, coveredFrom: U('2020-01-03'), coveredTo: U('2020-01-08'), writtenAt: '' })), quick: /lie outside the recorded range/, deep: /outside the recorded range/ },
];

for (const c of damageCases) {
  test(`cache damage: ${c.name} — ls/verify report it, a read discards it with a warning`, async () => {
    const dir = tempDir();
    const warnings: string[] = [];
    const cache = new BarCache(dir, { onWarning: (m) => warnings.push(m) });
    await cache.write({ ...key, symbol: 'QQQ' }, bars(DAYS, [5, 6, 7, 8]), U('2020-01-01'), U('2020-01-08'));
    await cache.write(key, bars(DAYS, [1, 2, 3, 4]), U('2020-01-01'), U('2020-01-08'));
    const path = cache.pathFor(key);
    c.damage(path, cache);
    const spy = (list: Awaited<ReturnType<BarCache['list']>>) => list.find((e) => e.path === path)!;
    const quick = spy(await cache.list()).health;
    if (c.quick) assert.match(quick.ok ? 'ok' : quick.problem, c.quick);
    else assert.equal(quick.ok, true);
    let listed = '';
    assert.equal(await runDataCommand(['ls', '--cache-dir', dir], { stdout: (t) => (listed += t), stderr: () => undefined }), 0);
    assert.equal(/DAMAGED/.test(listed), c.quick !== null, listed);
    const deep = spy(await cache.list({ deep: true })).health;
    assert.match(deep.ok ? 'ok' : deep.problem, c.deep);
    // `data verify` exits 1 and names the file; `data ls` exits 0.
    let out = '';
    assert.equal(await runDataCommand(['verify', '--cache-dir', dir], { stdout: (t) => (out += t), stderr: () => undefined }), 1);
    assert.match(out, /DAMAGED/);
    assert.match(out, /1 damaged/);
    if (c.name !== 'another series under this name') {
      assert.equal(await cache.read(key), null);
      assert.ok(warnings.some((w) => w.includes(path) && /corrupt/.test(w)), warnings.join('\n'));
    }
  });
}

test('cache: data verify on a healthy cache exits 0 and says every file was re-checked', async () => {
  const dir = tempDir();
  await new BarCache(dir).write(key, bars(DAYS, [1, 2, 3, 4]), U('2020-01-01'), U('2020-01-08'));
  let out = '';
  assert.equal(await runDataCommand(['verify', '--cache-dir', dir], { stdout: (t) => (out += t), stderr: () => undefined }), 0);
  assert.match(out, /ok/);
  assert.match(out, /every file re-checked in full/);
});

// ---- interrupted writers --------------------------------------------------------------------

/** The pid of a process that has exited (so it is certainly not a live writer). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(r.stdout.toString());
}

test('interrupted writers: data clear removes dead writers\' .tmp and .lock files, keeps a live writer\'s', async () => {
  const dir = tempDir();
  const cache = new BarCache(dir);
  await cache.write(key, bars(DAYS, [1, 2, 3, 4]), U('2020-01-01'), U('2020-01-08'));
  const folder = join(dir, 'test');
  const dead = deadPid();
  writeFileSync(join(folder, `SPY~1d~adj.bars.${dead}.abcd1234.tmp`), 'partial');
  writeFileSync(join(folder, `QQQ~1d~adj.bars.${dead}.abcd1234.tmp`), 'partial');
  writeFileSync(join(folder, 'QQQ~1d~adj.bars.lock'), `${dead} ${Date.now()}`);
  const live = `SPY~1d~adj.bars.${process.pid}.feedbeef.tmp`;
  writeFileSync(join(folder, live), 'a live writer');
  let out = '';
  assert.equal(await runDataCommand(['clear', '--cache-dir', dir], { stdout: (t) => (out += t), stderr: () => undefined }), 0);
  assert.deepEqual(readdirSync(folder).sort(), [live]);
  assert.match(out, /Removed 1 cached series/);
});

test('interrupted writers: the next writer of a file removes its dead writers\' temp files', async () => {
  const dir = tempDir();
  const cache = new BarCache(dir);
  await cache.write(key, bars(DAYS.slice(0, 2), [1, 2]), U('2020-01-01'), U('2020-01-04'));
  const stale = join(dir, 'test', `SPY~1d~adj.bars.${deadPid()}.0badf00d.tmp`);
  writeFileSync(stale, 'partial');
  await cache.write(key, bars(DAYS, [1, 2, 3, 4]), U('2020-01-01'), U('2020-01-08'));
  assert.equal(existsSync(stale), false);
  assert.deepEqual(readdirSync(join(dir, 'test')), ['SPY~1d~adj.bars']);
});

// ---- re-adjusted history --------------------------------------------------------------------

const ALL_DAYS = weekdays('2009-11-02', '2010-06-30');
const basePrice = (day: string) => 200 + ALL_DAYS.indexOf(day) * 0.25;

/** Alpaca with real stamps (05:00/04:00 UTC) whose prices are base × `state.factor` (a split changes it). */
function readjustingAlpaca(state: { factor: number }) {
  return (r: Recorded): Reply => {
    const from = Date.parse(r.query.get('start')!);
    const to = Date.parse(r.query.get('end')!);
    const page = ALL_DAYS.filter((d) => Date.parse(alpacaStamp(d)) >= from && Date.parse(alpacaStamp(d)) <= to)
      .map((d) => { const p = basePrice(d) * state.factor; return ab(d, p, p, p, p); });
    return { body: { bars: page.length ? page : null, symbol: 'SPY', next_page_token: null } };
  };
}

const readjustCases: { name: string; first: [string, string]; second: [string, string]; factorAfter: number; warns: boolean; requestsForSecond: number }[] = [
  { name: 'backward extension after a 2:1 split (Alpaca 05:00 UTC stamps)', first: ['2010-01-04', '2010-03-01'], second: ['2009-12-01', '2010-03-01'], factorAfter: 0.5, warns: true, requestsForSecond: 2 },
  { name: 'backward extension after a split, summer (04:00 UTC stamps)', first: ['2010-05-03', '2010-06-30'], second: ['2010-04-01', '2010-06-30'], factorAfter: 0.5, warns: true, requestsForSecond: 2 },
  { name: 'forward extension after a dividend re-adjustment', first: ['2010-01-04', '2010-03-01'], second: ['2010-01-04', '2010-04-01'], factorAfter: 0.98, warns: true, requestsForSecond: 2 },
  { name: 'backward extension, history unchanged: only the missing part (plus the overlap bar)', first: ['2010-01-04', '2010-03-01'], second: ['2009-12-01', '2010-03-01'], factorAfter: 1, warns: false, requestsForSecond: 1 },
];

for (const c of readjustCases) {
  test(`re-adjusted history: ${c.name}`, async () => {
    const state = { factor: 1 };
    const { s, provider } = await alpaca(readjustingAlpaca(state));
    const warnings: string[] = [];
    const cache = new BarCache(tempDir(), { onWarning: (m) => warnings.push(m) });
    const cached = new CachedProvider(provider, cache, () => U('2025-01-01'));
    const range = (r: [string, string]) => req({ start: U(r[0]), end: U(r[1]) + 86_400_000 });
    await cached.fetch(range(c.first));
    state.factor = c.factorAfter;
    s.requests.length = 0;
    const got = await cached.fetch(range(c.second));
    assert.equal(s.requests.length, c.requestsForSecond);
    assert.equal(warnings.some((w) => /re-adjusted \(a split or dividend\)/.test(w) && /SPY 1d \(alpaca\)/.test(w)), c.warns, warnings.join('\n'));
    // Every bar carries today's adjustment: no fake jump where the old and new history meet.
    const expectedDays = weekdays(c.second[0], c.second[1]);
    assert.deepEqual(Array.from(got.time, iso), expectedDays);
    assert.deepEqual(Array.from(got.close), expectedDays.map((d) => basePrice(d) * c.factorAfter));
    // And the cache now holds the same.
    const again = await cached.fetch(range(c.second));
    assert.deepEqual(Array.from(again.close), Array.from(got.close));
  });
}

test('re-adjusted history: Yahoo backward extension (14:30 UTC stamps) detects the change', async () => {
  const s = await yahooServer;
  const { sampleSlice } = await import('./yahoo-fixtures');
  let factor = 1;
  s.handler = (r) => {
    const series = sampleSlice('AAPL', '1d', Number(r.query.get('period1')), Number(r.query.get('period2')));
    const scaled = { ...series, open: series.open.map((x) => x * factor), high: series.high.map((x) => x * factor), low: series.low.map((x) => x * factor), close: series.close.map((x) => x * factor) };
    return { body: chartBody({ symbol: 'AAPL', series: scaled, adjFactor: 1 }) };
  };
  const warnings: string[] = [];
  const cached = new CachedProvider(new YahooProvider({ fetch: redirectingFetch(s), now: () => U('2025-01-01'), retry: { attempts: 1 } }), new BarCache(tempDir(), { onWarning: (m) => warnings.push(m) }), () => U('2025-01-01'));
  const first = await cached.fetch(req({ symbol: 'AAPL', start: U('2020-01-01'), end: U('2020-03-01') }));
  factor = 0.25;
  const got = await cached.fetch(req({ symbol: 'AAPL', start: U('2019-11-01'), end: U('2020-03-01') }));
  assert.ok(warnings.some((w) => /AAPL 1d \(yahoo\).*re-adjusted/.test(w)), warnings.join('\n'));
  const k = Array.from(got.time).indexOf(first.time[0]);
  assert.ok(Math.abs(got.close[k] - first.close[0] * 0.25) < 1e-9, 'the old bars were replaced by the re-adjusted ones');
});

// ---- a CSV that does not fit the strategy; explicit adjustment ------------------------------

test('resolveSeries: a CSV spaced unlike the timeframe, or named for another symbol, loads with a warning; a fitting one without', async () => {
  const { resolveSeries } = await import('../../core/data/provider');
  const folder = tempDir();
  const daily = `Date,Open,High,Low,Close,Volume\n${DAYS.map((d) => `${d},1,1,1,1,1`).join('\n')}\n`;
  writeFileSync(join(folder, 'QQQ_daily.csv'), daily);
  const cases: { timeframe: '1d' | '1m'; symbol: string; warnings: RegExp[] }[] = [
    { timeframe: '1d', symbol: 'QQQ', warnings: [] },
    { timeframe: '1m', symbol: 'QQQ', warnings: [/QQQ_daily\.csv: its bars are 1 day apart but the strategy's timeframe is 1m/] },
    { timeframe: '1d', symbol: 'SPY', warnings: [/QQQ_daily\.csv: the file name says QQQ but it is used as SPY/] },
  ];
  for (const c of cases) {
    const warnings: string[] = [];
    const series = await resolveSeries({ symbols: [c.symbol], timeframe: c.timeframe }, { source: 'csv', csvPath: join(folder, 'QQQ_daily.csv'), onWarning: (m) => warnings.push(m) });
    assert.equal(series[0].length, DAYS.length);
    assert.equal(warnings.length, c.warnings.length, warnings.join('\n'));
    c.warnings.forEach((w, i) => assert.match(warnings[i], w));
  }
});

test('adjustment: alpaca --adjust split is sent as adjustment=split and stated in the run label; yahoo refuses raw', async () => {
  const { resolveSeries, seriesLabel } = await import('../../core/data/provider');
  const { s, provider } = await alpaca(pagesHandler([[ab('2020-01-02', 1, 1, 1, 1)]]));
  const series = await resolveSeries({ symbols: ['SPY'], timeframe: '1d' }, { source: 'alpaca', providers: { alpaca: provider }, cacheDir: null, adjustment: 'split', from: '2020-01-01', to: '2020-01-31' });
  assert.equal(s.requests[0].query.get('adjustment'), 'split');
  assert.match(seriesLabel(series), /prices: split-adjusted, dividends not \(alpaca\)/);
  const y = await yahooServer;
  const yahoo = new YahooProvider({ fetch: redirectingFetch(y), now: () => U('2025-01-01') });
  await assert.rejects(yahoo.fetch(req({ adjustment: 'raw', adjusted: false })), (e: unknown) => e instanceof DataError && e.code === 'bad-request' && /Yahoo serves no raw prices/.test(e.message));
  const csvFolder = tempDir();
  writeFileSync(join(csvFolder, 'SPY.csv'), 'Date,Open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,1\n');
  const csv = await resolveSeries({ symbols: ['SPY'], timeframe: '1d' }, { source: 'csv', csvPath: join(csvFolder, 'SPY.csv') });
  assert.match(seriesLabel(csv), /prices: as in the CSV file \(its adjustment is not stated\)/);
});

test('data fetch --timeout is passed to the provider; a bad value is a usage error', async () => {
  const server = await hangingServer(false);
  try {
    let err = '';
    const code = await runDataCommand(['fetch', 'SPY', '--source', 'alpaca', '--from', '2020-01-01', '--to', '2020-01-31', '--timeout', '0.3', '--cache-dir', tempDir()], { stdout: () => undefined, stderr: (t) => (err += t) }, { env: { APCA_API_KEY_ID: KEY, APCA_API_SECRET_KEY: SECRET, APCA_DATA_URL: server.url, APCA_API_BASE_URL: server.url } });
    assert.equal(code, 1);
    assert.match(err, /error \[timeout\]: Alpaca did not answer within 0.3 s/);
    let usage = '';
    assert.equal(await runDataCommand(['fetch', 'SPY', '--timeout', 'soon'], { stdout: () => undefined, stderr: (t) => (usage += t) }), 2);
    assert.match(usage, /Request timeout 'soon' is not a number of seconds/);
  } finally {
    await server.close();
  }
});
