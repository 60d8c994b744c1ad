/** The parsed-data cache of large CSV files (core/data/csvCache.ts): hits, invalidation, damage, limits, errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { checksumMatches, decodeBars, encodeBarParts, encodeBars } from '../../core/data/binary';
import { loadCsv } from '../../core/data/csv';
import { clearCsvMemory, loadCsvCached } from '../../core/data/csvCache';
import { DataError } from '../../core/data/errors';
import { resolveSeries } from '../../core/data/provider';
import type { BarSeries } from '../../core/data/series';
import { repoRoot } from '../helpers/paths';
import { minuteWalk } from '../helpers/series';

const SHARED = join(repoRoot, '..', 'shared', 'data');
const temp = () => mkdtempSync(join(tmpdir(), 'sl-csvcache-'));
const entries = (cacheDir: string) => { try { return readdirSync(join(cacheDir, 'parsed-csv')).filter((n) => n.endsWith('.cols')); } catch { return []; } };

function minuteCsv(rows: number, start = 100): string {
  const out = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2020, 0, 2, 14, 30) + i * 60_000).toISOString().slice(0, 16).replace('T', ' ');
    const p = start + (i % 50) / 10;
    out.push(`${t},${p.toFixed(2)},${(p + 0.5).toFixed(2)},${(p - 0.5).toFixed(2)},${(p + 0.1).toFixed(2)},${1000 + i}`);
  }
  return `${out.join('\n')}\n`;
}

function assertSame(a: BarSeries, b: BarSeries): void {
  assert.equal(a.length, b.length);
  assert.equal(a.symbol, b.symbol);
  assert.deepEqual(a.source, b.source);
  for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) assert.deepEqual(Array.from(a[k]), Array.from(b[k]), k);
  assert.deepEqual(a.adjClose && Array.from(a.adjClose), b.adjClose && Array.from(b.adjClose));
}

test('a re-load is served from the entry, equal to parsing, and the entry is keyed by size and mtime', async () => {
  const dir = temp(), cacheDir = join(dir, 'cache'), file = join(dir, 'SPY_1min.csv');
  writeFileSync(file, minuteCsv(500));
  utimesSync(file, 1_700_000_000, 1_700_000_000); // whole seconds: restorable exactly below
  const parsed = await loadCsv(file, { symbol: 'SPY' });
  const first = await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0, memoryBytes: 0 });
  assertSame(first, parsed);
  assert.equal(entries(cacheDir).length, 1);
  // Same size and mtime, other bytes: only a cache hit can still return the old closes.
  const edited = minuteCsv(500).replace(/,100\.10,1000\n/, ',100.20,1000\n');
  assert.notEqual(edited, minuteCsv(500));
  writeFileSync(file, edited);
  utimesSync(file, 1_700_000_000, 1_700_000_000);
  const hit = await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0, memoryBytes: 0 });
  assertSame(hit, parsed);
  // A new mtime is a miss: the file is parsed again.
  utimesSync(file, 1_700_000_000, 1_700_000_005);
  const again = await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0, memoryBytes: 0 });
  assert.equal(again.close[0], 100.2);
});

test('an edited file (new size) is parsed again, not served stale', async () => {
  const dir = temp(), cacheDir = join(dir, 'cache'), file = join(dir, 'X.csv');
  writeFileSync(file, minuteCsv(100));
  assert.equal((await loadCsvCached(file, {}, { cacheDir, minBytes: 0, memoryBytes: 0 })).length, 100);
  writeFileSync(file, minuteCsv(150));
  const grown = await loadCsvCached(file, {}, { cacheDir, minBytes: 0, memoryBytes: 0 });
  assert.equal(grown.length, 150);
  assertSame(grown, await loadCsv(file));
});

test('a damaged entry (flipped byte, truncated, foreign bytes) is a miss and is rewritten whole', async () => {
  const dir = temp(), cacheDir = join(dir, 'cache'), file = join(dir, 'X.csv');
  writeFileSync(file, minuteCsv(300));
  const parsed = await loadCsv(file);
  await loadCsvCached(file, {}, { cacheDir, minBytes: 0, memoryBytes: 0 });
  const [name] = entries(cacheDir);
  const entry = join(cacheDir, 'parsed-csv', name);
  const good = readFileSync(entry);
  const damages: [string, Buffer][] = [
    ['flipped body byte', Buffer.concat([good.subarray(0, good.length - 9), Buffer.from([good[good.length - 9] ^ 0xff]), good.subarray(good.length - 8)])],
    ['truncated', good.subarray(0, good.length - 100)],
    ['not an entry', Buffer.from('hello')],
  ];
  for (const [what, bytes] of damages) {
    writeFileSync(entry, bytes);
    assertSame(await loadCsvCached(file, {}, { cacheDir, minBytes: 0, memoryBytes: 0 }), parsed);
    const rewritten = readFileSync(entry);
    assert.equal(rewritten.length, good.length, `${what}: rewritten`);
    assert.doesNotThrow(() => decodeBars(rewritten), what);
  }
});

test('errors are loadCsv\'s own, and a file that fails is not cached', async () => {
  const dir = temp(), cacheDir = join(dir, 'cache');
  const bad = join(dir, 'BAD.csv');
  writeFileSync(bad, `${minuteCsv(50)}2020-01-02 16:00,1,2,3,1,5\n`);
  const expected = await loadCsv(bad).then(() => null, (e: unknown) => e);
  assert.ok(expected instanceof DataError);
  await assert.rejects(loadCsvCached(bad, {}, { cacheDir, minBytes: 0, memoryBytes: 0 }), (e: unknown) => e instanceof DataError && e.code === expected.code && e.message === expected.message);
  await assert.rejects(loadCsvCached(join(dir, 'missing.csv'), {}, { cacheDir, minBytes: 0, memoryBytes: 0 }), (e: unknown) => e instanceof DataError && e.code === 'file-not-found');
  await assert.rejects(loadCsvCached(dir, {}, { cacheDir, minBytes: 0, memoryBytes: 0 }), (e: unknown) => e instanceof DataError && e.code === 'unreadable-file');
  await assert.rejects(loadCsvCached(bad, { maxBytes: 10 }, { cacheDir, minBytes: 0, memoryBytes: 0 }), (e: unknown) => e instanceof DataError && e.code === 'file-too-large');
  assert.equal(entries(cacheDir).length, 0);
});

test('the requested symbol is part of the key; small files are not cached; limits prune the oldest', async () => {
  const dir = temp(), cacheDir = join(dir, 'cache'), file = join(dir, 'DATA.csv');
  writeFileSync(file, minuteCsv(200));
  assert.equal((await loadCsvCached(file, { symbol: 'AAA' }, { cacheDir, minBytes: 0, memoryBytes: 0 })).symbol, 'AAA');
  assert.equal((await loadCsvCached(file, { symbol: 'BBB' }, { cacheDir, minBytes: 0, memoryBytes: 0 })).symbol, 'BBB');
  assert.equal((await loadCsvCached(file, { symbol: 'AAA' }, { cacheDir, minBytes: 0, memoryBytes: 0 })).symbol, 'AAA');
  assert.equal(entries(cacheDir).length, 2);

  const small = temp();
  await loadCsvCached(file, {}, { cacheDir: small, minBytes: statSync(file).size + 1 });
  assert.equal(entries(small).length, 0, 'below minBytes: parsed, not cached');

  const few = temp();
  for (const s of ['A', 'B', 'C', 'D']) await loadCsvCached(file, { symbol: s }, { cacheDir: few, minBytes: 0, memoryBytes: 0, maxEntries: 2 });
  assert.equal(entries(few).length, 2);
  const tiny = temp();
  for (const s of ['A', 'B', 'C']) await loadCsvCached(file, { symbol: s }, { cacheDir: tiny, minBytes: 0, memoryBytes: 0, maxTotalBytes: 1 });
  assert.equal(entries(tiny).length, 1, 'the newest entry stays even past the size limit');
});

test('a cache folder that cannot be written only costs speed', async () => {
  const dir = temp(), file = join(dir, 'X.csv'), blocked = join(dir, 'blocked');
  writeFileSync(file, minuteCsv(100));
  writeFileSync(blocked, 'a file where the cache folder should be');
  assertSame(await loadCsvCached(file, {}, { cacheDir: blocked, minBytes: 0, memoryBytes: 0 }), await loadCsv(file));
});

test('every shared CSV, through the cache (miss then hit), equals parsing it', async () => {
  const cacheDir = temp();
  for (const name of readdirSync(SHARED).filter((n) => n.endsWith('.csv'))) {
    const parsed = await loadCsv(join(SHARED, name));
    assertSame(await loadCsvCached(join(SHARED, name), {}, { cacheDir, minBytes: 0, memoryBytes: 0 }), parsed);
    assertSame(await loadCsvCached(join(SHARED, name), {}, { cacheDir, minBytes: 0, memoryBytes: 0 }), parsed);
  }
  assert.equal(entries(cacheDir).length, readdirSync(SHARED).filter((n) => n.endsWith('.csv')).length);
});

test('resolveSeries caches a large CSV under its cache folder, and not with cacheDir null', async () => {
  const dir = temp(), file = join(dir, 'SPY_1min.csv');
  writeFileSync(file, minuteCsv(25_000)); // ~1.2 MB: above the default 1 MiB
  assert.ok(statSync(file).size >= 1 << 20);
  const cacheDir = join(dir, 'cache');
  const [a] = await resolveSeries({ symbols: ['SPY'], timeframe: '1m' }, { source: 'csv', csvPath: file, cacheDir });
  const [b] = await resolveSeries({ symbols: ['SPY'], timeframe: '1m' }, { source: 'csv', csvPath: file, cacheDir });
  assertSame(a, b);
  assert.equal(a.length, 25_000);
  assert.equal(entries(cacheDir).length, 1);
  // Without a folder: the default one (STRATEGY_LAB_CACHE_DIR); with null: none at all.
  const envDir = join(dir, 'env');
  const saved = process.env.STRATEGY_LAB_CACHE_DIR;
  process.env.STRATEGY_LAB_CACHE_DIR = envDir;
  try {
    await resolveSeries({ symbols: ['SPY'], timeframe: '1m' }, { source: 'csv', csvPath: file, cacheDir: null });
    assert.equal(entries(envDir).length, 0);
    await resolveSeries({ symbols: ['SPY'], timeframe: '1m' }, { source: 'csv', csvPath: file });
    assert.equal(entries(envDir).length, 1);
  } finally {
    if (saved === undefined) delete process.env.STRATEGY_LAB_CACHE_DIR;
    else process.env.STRATEGY_LAB_CACHE_DIR = saved;
  }
});

test('the entry is written from the columns\' own memory: the parts join to the same bytes, columns viewed at an offset included', () => {
  // Columns as views into one shared buffer at offsets (as a parse can leave them), not each its own buffer.
  const n = 5;
  const shared = new Float64Array(3 + 6 * n);
  shared.set([99, 98, 97]);
  const col = (c: number, f: (i: number) => number) => {
    const v = shared.subarray(3 + c * n, 3 + (c + 1) * n);
    for (let i = 0; i < n; i++) v[i] = f(i);
    return v;
  };
  const series: BarSeries = {
    symbol: 'SPY', length: n, time: col(0, (i) => 1_600_000_000_000 + i * 60_000), open: col(1, (i) => 10 + i), high: col(2, (i) => 11 + i),
    low: col(3, (i) => 9 + i), close: col(4, (i) => 10.5 + i), volume: col(5, (i) => 100 * i),
  };
  const header = { provider: 'csv', symbol: 'SPY', interval: '', adjusted: false, coveredFrom: 0, coveredTo: 1, writtenAt: 'now' };
  const parts = encodeBarParts(series, header);
  assert.deepEqual(Buffer.concat(parts), encodeBars(series, header));
  const back = decodeBars(Buffer.concat(parts)).series;
  assertSame(back, { ...series, source: undefined, adjClose: undefined });
});


test('this process keeps what it loaded: a re-load reads nothing, an edit is a miss, and the budget evicts the least recently used', async () => {
  clearCsvMemory();
  const dir = temp(), cacheDir = join(dir, 'cache'), file = join(dir, 'SPY_1min.csv');
  writeFileSync(file, minuteCsv(500));
  utimesSync(file, 1_700_000_000, 1_700_000_000);
  const first = await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0 });
  const [entry] = entries(cacheDir);
  // The entry damaged on disk: a re-load does not read it, it is served from memory, the same columns.
  writeFileSync(join(cacheDir, 'parsed-csv', entry), 'not an entry');
  const again = await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0 });
  assert.equal(again.close, first.close, 'the very columns loaded before');
  assert.equal((await loadCsvCached(file, { symbol: 'SPY', source: { label: 'mine' } as never }, { cacheDir, minBytes: 0 })).source?.label, 'mine', 'a source label on top, as from disk');
  // An edit (new size and mtime) is a miss: parsed again, with the new values.
  writeFileSync(file, minuteCsv(500, 200));
  utimesSync(file, 1_700_000_100, 1_700_000_100);
  const edited = await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0 });
  assertSame(edited, await loadCsv(file, { symbol: 'SPY' }));
  assert.notEqual(edited.close[0], first.close[0]);
  // A budget below one series keeps none of them; a budget of one keeps the last used.
  clearCsvMemory();
  const other = join(dir, 'QQQ_1min.csv');
  writeFileSync(other, minuteCsv(500, 300));
  const bytes = 6 * 8 * 500;
  const none = await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0, memoryBytes: bytes - 1 });
  assert.notEqual((await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0, memoryBytes: bytes - 1 })).close, none.close, 'not kept: loaded from disk again');
  const a = await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0, memoryBytes: bytes });
  assert.equal((await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0, memoryBytes: bytes })).close, a.close, 'kept');
  await loadCsvCached(other, { symbol: 'QQQ' }, { cacheDir, minBytes: 0, memoryBytes: bytes });
  assert.notEqual((await loadCsvCached(file, { symbol: 'SPY' }, { cacheDir, minBytes: 0, memoryBytes: bytes })).close, a.close, 'evicted by the other file');
  clearCsvMemory();
});

test('entries carry a CRC-32 of their body where Node has zlib.crc32, and SHA-256 entries (older Nodes) still read', () => {
  const series = minuteWalk('SPY', 2000);
  const header = { provider: 'csv', symbol: 'SPY', interval: '', adjusted: false, coveredFrom: 0, coveredTo: 1, writtenAt: 'now' };
  const bytes = encodeBars(series, header);
  const { header: written, series: back } = decodeBars(bytes);
  assert.equal(typeof written.crc32, 'number', 'this Node (20.15+) writes CRC-32');
  assert.equal(written.sha256, undefined);
  assertSame(back, series);
  const body = bytes.subarray(bytes.length - 6 * 8 * 2000);
  assert.equal(written.crc32, crc32(body), "zlib's CRC-32 of the body");
  // Every single flipped bit of the body is caught.
  for (const at of [0, 1, 4095, body.length - 1]) {
    for (let bit = 0; bit < 8; bit++) {
      const damaged = Buffer.from(bytes);
      damaged[bytes.length - body.length + at] ^= 1 << bit;
      assert.throws(() => decodeBars(damaged), /checksum mismatch/, `byte ${at} bit ${bit}`);
    }
  }
  // A SHA-256 header (what a Node without zlib.crc32 writes) is checked as SHA-256; a CRC-32 header that this Node
  // could not check counts as a mismatch (a miss, parsed again), never as data.
  const sha = createHash('sha256').update(body).digest('hex');
  assert.equal(checksumMatches({ sha256: sha }, body), true);
  assert.equal(checksumMatches({ sha256: sha.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, body), false);
  assert.equal(checksumMatches({ crc32: written.crc32 }, body, null), false);
  assert.equal(checksumMatches({}, body), false, 'no checksum: not data');
  // A whole SHA-256 entry reads as data; with a wrong digest it is corrupt.
  const entryWith = (h: object) => {
    let json = JSON.stringify(h);
    json += ' '.repeat((8 - ((12 + Buffer.byteLength(json)) % 8)) % 8);
    const head = Buffer.from(json, 'utf8');
    const prefix = Buffer.alloc(12);
    bytes.copy(prefix, 0, 0, 8);
    prefix.writeUInt32LE(head.length, 8);
    return Buffer.concat([prefix, head, body]);
  };
  assertSame(decodeBars(entryWith({ ...written, crc32: undefined, sha256: sha })).series, series);
  assert.throws(() => decodeBars(entryWith({ ...written, crc32: undefined, sha256: '0'.repeat(64) })), /checksum mismatch/);
});
