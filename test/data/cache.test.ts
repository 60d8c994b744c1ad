import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBars } from '../../core/data/binary';
import { BarCache, CachedProvider, defaultCacheDir, type CacheKey } from '../../core/data/cache';
import { DataError } from '../../core/data/errors';
import type { BarRequest, DataProvider } from '../../core/data/provider';
import { SampleProvider, sampleSeries } from '../../core/data/sample';
import { createSeries, sliceSeries, type BarSeries } from '../../core/data/series';
import { repoRoot } from '../helpers/paths';

const D = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
const DAY = 86_400_000;
const key: CacheKey = { provider: 'test', symbol: 'SPY', interval: '1d', adjusted: true };

/** A real provider over the synthetic sample that records every request and can re-price history. */
class RecordingProvider implements DataProvider {
  readonly id = 'test';
  calls: { start: number; end: number }[] = [];
  scale = 1;
  private readonly sample = new SampleProvider();
  async fetch(request: BarRequest): Promise<BarSeries> {
    this.calls.push({ start: request.start, end: request.end });
    const s = await this.sample.fetch(request);
    if (this.scale === 1) return s;
    const out = createSeries(s.symbol, s.length, false, s.source);
    out.time.set(s.time);
    out.volume.set(s.volume);
    for (const [from, to] of [[s.open, out.open], [s.high, out.high], [s.low, out.low], [s.close, out.close]] as const) for (let i = 0; i < s.length; i++) to[i] = from[i] * this.scale;
    return out;
  }
}

const tempDir = () => mkdtempSync(join(tmpdir(), 'sl-cache-'));
const fixedNow = () => D(2030, 1, 1);

function setup(now = fixedNow) {
  const dir = tempDir();
  const warnings: string[] = [];
  const cache = new BarCache(dir, { now, onWarning: (m) => warnings.push(m) });
  const inner = new RecordingProvider();
  const provider = new CachedProvider(inner, cache, now);
  const req = (start: number, end: number): BarRequest => ({ symbol: 'SPY', interval: '1d', start, end, adjusted: true });
  return { dir, cache, inner, provider, req, warnings };
}

function assertSameBars(actual: BarSeries, expected: BarSeries): void {
  assert.equal(actual.length, expected.length);
  assert.deepEqual(Array.from(actual.time), Array.from(expected.time));
  assert.deepEqual(Array.from(actual.close), Array.from(expected.close));
  assert.deepEqual(Array.from(actual.high), Array.from(expected.high));
  assert.deepEqual(Array.from(actual.volume), Array.from(expected.volume));
}

test('default cache dir: STRATEGY_LAB_CACHE_DIR, else ~/.cache/strategy-lab', () => {
  assert.equal(defaultCacheDir({ STRATEGY_LAB_CACHE_DIR: '/x/y' }), '/x/y');
  assert.match(defaultCacheDir({}), /\.cache[\\/]strategy-lab$/);
});

test('a miss fetches once; the same request then comes from disk with identical bars', async () => {
  const { inner, provider, req, cache } = setup();
  const first = await provider.fetch(req(D(2020, 1, 1), D(2021, 1, 1)));
  assert.equal(inner.calls.length, 1);
  const again = await provider.fetch(req(D(2020, 1, 1), D(2021, 1, 1)));
  const inside = await provider.fetch(req(D(2020, 3, 1), D(2020, 6, 1)));
  assert.equal(inner.calls.length, 1, 'no request for cached ranges');
  assertSameBars(again, first);
  assertSameBars(inside, sliceSeries(sampleSeries('SPY'), D(2020, 3, 1), D(2020, 6, 1) - 1));
  const entry = await cache.read(key);
  assert.equal(entry!.coveredFrom, D(2020, 1, 1));
  assert.equal(entry!.coveredTo, D(2021, 1, 1));
});

test('partial top-ups fetch only the missing part after and before (plus one seam bar)', async () => {
  const { inner, provider, req, cache } = setup();
  await provider.fetch(req(D(2020, 1, 1), D(2021, 1, 1)));
  const after = await provider.fetch(req(D(2020, 1, 1), D(2022, 1, 1)));
  assert.equal(inner.calls.length, 2);
  const lastCached = sliceSeries(sampleSeries('SPY'), D(2020, 1, 1), D(2021, 1, 1) - 1);
  assert.deepEqual(inner.calls[1], { start: lastCached.time[lastCached.length - 1], end: D(2022, 1, 1) });
  assertSameBars(after, sliceSeries(sampleSeries('SPY'), D(2020, 1, 1), D(2022, 1, 1) - 1));

  const before = await provider.fetch(req(D(2019, 1, 1), D(2021, 6, 1)));
  assert.equal(inner.calls.length, 3);
  assert.equal(inner.calls[2].start, D(2019, 1, 1));
  assert.ok(inner.calls[2].end <= D(2020, 1, 3) + 1, 'stops at the first cached bar');
  assertSameBars(before, sliceSeries(sampleSeries('SPY'), D(2019, 1, 1), D(2021, 6, 1) - 1));
  const entry = await cache.read(key);
  assert.equal(entry!.coveredFrom, D(2019, 1, 1));
  assert.equal(entry!.coveredTo, D(2022, 1, 1));
  assertSameBars(entry!.series, sliceSeries(sampleSeries('SPY'), D(2019, 1, 1), D(2022, 1, 1) - 1));
});

test('a disjoint later request fills the gap so the cache stays one contiguous range', async () => {
  const { inner, provider, req, cache } = setup();
  await provider.fetch(req(D(2016, 1, 1), D(2016, 6, 1)));
  const s = await provider.fetch(req(D(2018, 1, 1), D(2018, 2, 1)));
  assert.equal(inner.calls.length, 2);
  assert.equal(s.time[0], D(2018, 1, 2));
  const entry = await cache.read(key);
  assert.equal(entry!.coveredFrom, D(2016, 1, 1));
  assert.equal(entry!.coveredTo, D(2018, 2, 1));
  assertSameBars(entry!.series, sliceSeries(sampleSeries('SPY'), D(2016, 1, 1), D(2018, 2, 1) - 1));
});

test('when history was re-adjusted (seam bar changed), the whole range is fetched again', async () => {
  const { inner, provider, req } = setup();
  await provider.fetch(req(D(2020, 1, 1), D(2021, 1, 1)));
  inner.scale = 0.5; // e.g. a split since the first fetch
  const s = await provider.fetch(req(D(2020, 1, 1), D(2022, 1, 1)));
  assert.equal(inner.calls.length, 3, 'top-up, then a full refetch');
  assert.deepEqual(inner.calls[2], { start: D(2020, 1, 1), end: D(2022, 1, 1) });
  const expected = sliceSeries(sampleSeries('SPY'), D(2020, 1, 1), D(2022, 1, 1) - 1);
  for (let i = 0; i < s.length; i++) assert.equal(s.close[i], expected.close[i] * 0.5);
});

test("today's still-forming bar is returned but never cached as final", async () => {
  const now = () => D(2020, 6, 10) + 15 * 3_600_000; // mid-session on 2020-06-10
  const { inner, provider, req, cache } = setup(now);
  const s = await provider.fetch(req(D(2020, 6, 1), D(2020, 6, 11)));
  assert.equal(s.time[s.length - 1], D(2020, 6, 10), 'the caller sees the live bar');
  const entry = await cache.read(key);
  assert.equal(entry!.series.time[entry!.series.length - 1], D(2020, 6, 9), 'the file ends with the last final bar');
  assert.ok(entry!.coveredTo <= D(2020, 6, 10) + 1);
  await provider.fetch(req(D(2020, 6, 1), D(2020, 6, 11)));
  assert.equal(inner.calls.length, 2, 'the forming bar is fetched again next time');
  assert.ok(inner.calls[1].start >= D(2020, 6, 9));
});

test('an empty top-up (weekend) is remembered as covered; an empty request is a clear error', async () => {
  const { inner, provider, req } = setup();
  await provider.fetch(req(D(2020, 1, 6), D(2020, 1, 11))); // Mon..Fri
  await provider.fetch(req(D(2020, 1, 6), D(2020, 1, 13))); // + weekend
  await provider.fetch(req(D(2020, 1, 6), D(2020, 1, 13)));
  assert.equal(inner.calls.length, 2);
  await assert.rejects(provider.fetch(req(D(2030, 1, 1), D(2030, 2, 1))), (e: unknown) => e instanceof DataError && e.code === 'empty-range');
});

test('a corrupt file is detected, discarded with a warning, and fetched again (never crashes)', async () => {
  const corruptions: [string, (b: Buffer) => Buffer][] = [
    ['flipped body byte', (b) => { const c = Buffer.from(b); c[c.length - 5] ^= 0xff; return c; }],
    ['truncated', (b) => b.subarray(0, b.length - 100)],
    ['garbage', () => Buffer.from('not a cache file at all')],
    ['empty', () => Buffer.alloc(0)],
    ['bad header JSON', (b) => { const c = Buffer.from(b); c[14] = 0x7b; c[15] = 0x7b; return c; }],
  ];
  for (const [name, corrupt] of corruptions) {
    const { inner, provider, req, cache, warnings } = setup();
    await provider.fetch(req(D(2020, 1, 1), D(2020, 3, 1)));
    const path = cache.pathFor(key);
    writeFileSync(path, corrupt(readFileSync(path)));
    const s = await provider.fetch(req(D(2020, 1, 1), D(2020, 3, 1)));
    assert.equal(inner.calls.length, 2, `${name}: refetched`);
    assertSameBars(s, sliceSeries(sampleSeries('SPY'), D(2020, 1, 1), D(2020, 3, 1) - 1));
    assert.ok(warnings.some((w) => /corrupt/.test(w) && w.includes(path)), `${name}: warned (${warnings.join(' | ')})`);
    assert.doesNotThrow(() => decodeBars(readFileSync(path)), `${name}: a good file was written back`);
  }
});

test('writes are atomic: temp file + rename, no leftovers, readers never see a partial file', async () => {
  const { dir, cache } = setup();
  const full = sampleSeries('SPY');
  const writes: Promise<boolean>[] = [];
  const reads: Promise<unknown>[] = [];
  for (let i = 0; i < 20; i++) {
    const to = D(2016 + (i % 8), 1, 1);
    writes.push(cache.write(key, sliceSeries(full, D(2015, 1, 1), to - 1), D(2015, 1, 1), to));
    reads.push(cache.read(key).then((e) => {
      if (e) assertSameBars(e.series, sliceSeries(full, e.coveredFrom, e.coveredTo - 1));
    }));
  }
  assert.deepEqual(await Promise.all(writes), Array(20).fill(true));
  await Promise.all(reads);
  const files = readdirSync(join(dir, 'test'));
  assert.deepEqual(files, ['SPY~1d~adj.bars'], `no temp or lock files left: ${files.join(', ')}`);
  // A temp file left by a crashed writer does not confuse readers and is removed by clear().
  writeFileSync(join(dir, 'test', 'SPY~1d~adj.bars.999.dead.tmp'), 'partial');
  assert.ok(await cache.read(key));
  assert.equal(await cache.clear(), 1);
  assert.deepEqual(readdirSync(join(dir, 'test')), []);
});

test('racing writes in one process (promise race) keep every range: lock + merge-on-write', async () => {
  const { cache } = setup();
  const full = sampleSeries('SPY');
  const ranges: [number, number][] = [[2015, 2020], [2016, 2021], [2017, 2022], [2018, 2023], [2019, 2024]];
  const ok = await Promise.all(ranges.map(([a, b]) => cache.write(key, sliceSeries(full, D(a, 1, 1), D(b, 1, 1) - 1), D(a, 1, 1), D(b, 1, 1))));
  assert.deepEqual(ok, ranges.map(() => true));
  const entry = await cache.read(key);
  assert.equal(entry!.coveredFrom, D(2015, 1, 1));
  assert.equal(entry!.coveredTo, D(2024, 1, 1));
  assertSameBars(entry!.series, sliceSeries(full, D(2015, 1, 1), D(2024, 1, 1) - 1));
});

interface Writer {
  /** Resolves when the writer has loaded and waits for go(). */
  ready: Promise<void>;
  go(): void;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>;
  kill(): void;
}

function startWriter(dir: string, from: number, to: number, times: number | 'forever'): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/data/fixtures/cache-writer.ts'), dir, String(from), String(to), String(times)], { cwd: repoRoot });
  let out = '';
  let err = '';
  let markReady!: () => void;
  const ready = new Promise<void>((r) => (markReady = r));
  child.stdout.on('data', (d) => {
    out += d;
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.on('close', (code, signal) => {
      markReady(); // a writer that died before it was ready must not hang the test
      resolve({ code, signal, out: out.replace(/^ready\n/, ''), err });
    }));
  return { ready, done, go: () => child.stdin.write('go\n'), kill: () => child.kill('SIGKILL') };
}

test('concurrent writer processes on one key: no corruption, no lost range', async () => {
  const dir = tempDir();
  // Every range contains 2019, so whatever the order, the union is 2015..2023 — but only if
  // no writer's merge is lost. Each writes once; all are released at the same instant.
  const ranges: [number, number][] = [[2015, 2020], [2017, 2021], [2018, 2022], [2019, 2023]];
  const writers = ranges.map(([a, b]) => startWriter(dir, a, b, 1));
  await Promise.all(writers.map((w) => w.ready));
  for (const w of writers) w.go();
  const results = await Promise.all(writers.map((w) => w.done));
  for (const r of results) {
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim(), '1', `every write got the lock: ${r.err}`);
  }
  const entry = await new BarCache(dir).read(key);
  assert.ok(entry);
  assert.equal(entry.coveredFrom, D(2015, 1, 1));
  assert.equal(entry.coveredTo, D(2023, 1, 1));
  assertSameBars(entry.series, sliceSeries(sampleSeries('SPY'), D(2015, 1, 1), D(2023, 1, 1) - 1));
  assert.deepEqual(readdirSync(join(dir, 'test')), ['SPY~1d~adj.bars']);
});

test('a writer killed (SIGKILL) in the middle of writing never leaves a corrupt cache file', async () => {
  const dir = tempDir();
  const full = sampleSeries('SPY');
  let killedWhileWriting = 0;
  for (let round = 0; round < 6; round++) {
    // Two writers alternate big ranges on one key, so a kill lands inside a write most of the time.
    const writers = [startWriter(dir, 1990, 2030, 'forever'), startWriter(dir, 2000, 2025, 'forever')];
    await Promise.all(writers.map((w) => w.ready));
    for (const w of writers) w.go();
    await new Promise((r) => setTimeout(r, 150 + round * 70));
    for (const w of writers) w.kill();
    const results = await Promise.all(writers.map((w) => w.done));
    for (const r of results) assert.equal(r.signal, 'SIGKILL', `the writer was still writing when killed: ${r.err}`);
    if (readdirSync(join(dir, 'test')).some((f) => f.endsWith('.tmp') || f.endsWith('.lock'))) killedWhileWriting++;
    const warnings: string[] = [];
    const entry = await new BarCache(dir, { onWarning: (m) => warnings.push(m), lock: { staleMs: 1 } }).read(key);
    assert.deepEqual(warnings, [], 'the file on disk is whole: no corrupt-file warning');
    assert.ok(entry, 'a complete earlier write is there');
    assertSameBars(entry.series, sliceSeries(full, entry.coveredFrom, entry.coveredTo - 1));
  }
  // The kills did land mid-write (a temp or lock file left behind) at least once, or the test proved nothing.
  assert.ok(killedWhileWriting > 0, 'no kill landed during a write: lengthen the writes');
  // A later writer takes over the dead writer's lock and cleans up.
  const cache = new BarCache(dir, { lock: { staleMs: 1 } });
  assert.equal(await cache.write(key, sliceSeries(full, D(2015, 1, 1), D(2016, 1, 1) - 1), D(2015, 1, 1), D(2016, 1, 1)), true);
  await cache.clear();
  assert.deepEqual(readdirSync(join(dir, 'test')).filter((f) => !f.endsWith('.lock')), []);
});

test('a stale lock (dead owner, or too old) is taken over; a live lock makes the write skip, not corrupt', async () => {
  const dir = tempDir();
  const warnings: string[] = [];
  const cache = new BarCache(dir, { onWarning: (m) => warnings.push(m), lock: { timeoutMs: 300, staleMs: 60_000 } });
  const bars = sliceSeries(sampleSeries('SPY'), D(2020, 1, 1), D(2020, 12, 31));
  const lock = `${cache.pathFor(key)}.lock`;
  await cache.write(key, bars, D(2020, 1, 1), D(2021, 1, 1));

  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  writeFileSync(lock, `${dead.stdout} ${Date.now()}`);
  assert.equal(await cache.write(key, bars, D(2020, 1, 1), D(2021, 1, 1)), true, 'dead owner');
  assert.equal(existsSync(lock), false);

  writeFileSync(lock, `${process.pid} ${Date.now()}`); // alive (us) and fresh
  assert.equal(await cache.write(key, bars, D(2020, 1, 1), D(2021, 1, 1)), false, 'live lock');
  assert.ok(warnings.some((w) => /could not lock/.test(w)));
  assert.ok(await cache.read(key), 'the file is intact');

  const old = (Date.now() - 120_000) / 1000;
  utimesSync(lock, old, old); // alive owner but way past staleMs
  assert.equal(await cache.write(key, bars, D(2020, 1, 1), D(2021, 1, 1)), true, 'old lock');
});

test('list() describes entries; clear() can filter by provider and symbol', async () => {
  const { cache } = setup();
  const spy = sliceSeries(sampleSeries('SPY'), D(2020, 1, 1), D(2020, 12, 31));
  const qqq = sliceSeries(sampleSeries('QQQ'), D(2020, 1, 1), D(2020, 12, 31));
  await cache.write(key, spy, D(2020, 1, 1), D(2021, 1, 1));
  await cache.write({ ...key, symbol: 'QQQ' }, qqq, D(2020, 1, 1), D(2021, 1, 1));
  await cache.write({ ...key, provider: 'other', symbol: 'BRK/B', adjusted: false }, spy, D(2020, 1, 1), D(2021, 1, 1));
  const list = await cache.list();
  assert.deepEqual(list.map((e) => `${e.provider}:${e.symbol}:${e.adjusted}:${e.bars}`), ['other:BRK/B:false:' + spy.length, 'test:QQQ:true:' + qqq.length, 'test:SPY:true:' + spy.length]);
  assert.ok(list.every((e) => e.bytes > e.bars * 48 && e.coveredFrom === D(2020, 1, 1)));
  assert.equal(await cache.clear({ provider: 'test', symbol: 'qqq' }), 1);
  assert.equal((await cache.list()).length, 2);
  assert.equal(await cache.clear(), 2);
  assert.deepEqual(await cache.list(), []);
});

test('offline: a top-up that cannot reach the provider serves the cached bars and says which range they cover', async () => {
  const { provider, inner, req, warnings } = setup();
  const cachedRange = await provider.fetch(req(D(2020, 1, 1), D(2022, 1, 1)));
  // The network goes away; the next run asks for more than is cached (up to "now", as runs without an end date do).
  inner.fetch = async () => { throw new DataError('network', 'Cannot reach the test provider (ENOTFOUND).'); };
  const got = await provider.fetch(req(D(2021, 1, 1), D(2024, 1, 1)));
  assertSameBars(got, sliceSeries(cachedRange, D(2021, 1, 1), D(2024, 1, 1)));
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /^Offline: Cannot reach the test provider \(ENOTFOUND\)\. Using the cached SPY 1d bars \(test\) from 2020-01-02 … 2021-12-31; the run gets 2021-01-04 … 2021-12-31 of the requested 2021-01-01 … 2024-01-01 \(end exclusive\)\.$/);
  // A rate limit that outlasts the retries is treated the same way.
  inner.fetch = async () => { throw new DataError('rate-limited', 'Rate limited.'); };
  assert.equal((await provider.fetch(req(D(2021, 6, 1), D(2023, 1, 1)))).length > 100, true);
  assert.match(warnings[1], /^Offline: Rate limited\. Using the cached SPY 1d bars/);
});

test('offline with nothing cached, or a cache outside the range: the error says so and what to do', async () => {
  const { provider, inner, req } = setup();
  const realFetch = inner.fetch.bind(inner);
  inner.fetch = async () => { throw new DataError('network', 'Cannot reach the test provider.'); };
  await assert.rejects(provider.fetch(req(D(2020, 1, 1), D(2021, 1, 1))), (e: unknown) =>
    e instanceof DataError && e.code === 'network' && /Cannot reach the test provider\. Nothing is cached for SPY 1d \(test\), so there is no offline copy: run once with a connection/.test(e.message));
  inner.fetch = realFetch;
  await provider.fetch(req(D(2020, 1, 1), D(2021, 1, 1)));
  inner.fetch = async () => { throw new DataError('network', 'Cannot reach the test provider.'); };
  await assert.rejects(provider.fetch(req(D(2023, 1, 1), D(2024, 1, 1))), (e: unknown) =>
    e instanceof DataError && e.code === 'network' && /The cache has SPY 1d \(test\) only from 2020-01-02 … 2020-12-31, outside the requested range/.test(e.message));
  // Other errors (a bad key, an unknown symbol) are not hidden behind the cache.
  inner.fetch = async () => { throw new DataError('auth', 'The key was refused.'); };
  await assert.rejects(provider.fetch(req(D(2020, 6, 1), D(2022, 1, 1))), (e: unknown) => e instanceof DataError && e.code === 'auth');
});
