import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDataCommand, type DataCommandDeps } from '../../core/cli/commands/data';
import type { Interval } from '../../core/data/interval';
import { YahooProvider } from '../../core/data/yahoo';
import { redirectingFetch, startServer } from './local-server';
import { chartBody, sampleSlice } from './yahoo-fixtures';

const NOW = Date.UTC(2025, 0, 2, 12);
const serverPromise = startServer((r) => {
  const symbol = decodeURIComponent(r.path.split('/').pop()!);
  const interval = r.query.get('interval') as Interval;
  return { body: chartBody({ symbol, series: sampleSlice(symbol, interval, Number(r.query.get('period1')), Number(r.query.get('period2'))), adjFactor: 1, granularity: interval }) };
});
after(() => serverPromise.then((s) => s.close()));

async function run(argv: string[], deps: DataCommandDeps = {}) {
  let out = '';
  let err = '';
  const code = await runDataCommand(argv, { stdout: (t) => { out += t; }, stderr: (t) => { err += t; } }, { now: () => NOW, env: {}, ...deps });
  return { code, out, err };
}

async function yahooDeps(): Promise<DataCommandDeps> {
  const s = await serverPromise;
  return { providers: { yahoo: new YahooProvider({ fetch: redirectingFetch(s), now: () => NOW }) } };
}

test('data fetch from the sample says SYNTHETIC and caches nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-cli-'));
  const r = await run(['fetch', 'spy', '--source', 'sample', '--from', '2020-01-01', '--to', '2020-12-31', '--cache-dir', dir]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^SPY 1d: 260 bars, 2020-01-02 … 2020-12-31/);
  assert.match(r.out, /source: SYNTHETIC sample data/);
  const ls = await run(['ls', '--cache-dir', dir]);
  assert.match(ls.out, /is empty/);
});

test('data fetch → ls → clear round trip on the cache (yahoo via a local server)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-cli-'));
  const deps = await yahooDeps();
  const f = await run(['fetch', 'AAPL', '--from', '2020-01-01', '--to', '2020-06-30', '--cache-dir', dir], deps);
  assert.equal(f.code, 0, f.err);
  assert.match(f.out, /AAPL 1d: \d+ bars, 2020-01-02 … 2020-06-30/);
  assert.match(f.out, /source: Yahoo Finance · AAPL 1d/);
  assert.ok(f.out.includes(`cached in ${dir}`));
  const h = await run(['fetch', 'MSFT', '-i', '1h', '--from', '2024-12-02', '--to', '2024-12-06', '--raw', '--cache-dir', dir], deps);
  assert.equal(h.code, 0, h.err);
  const ls = await run(['ls', '--cache-dir', dir]);
  assert.equal(ls.code, 0);
  assert.match(ls.out, /yahoo\s+AAPL\s+1d\s+adj\s+\d+\s+2020-01-01 … 2020-07-01/);
  assert.match(ls.out, /yahoo\s+MSFT\s+1h\s+raw/);
  assert.match(ls.out, /2 series/);
  const json = JSON.parse((await run(['ls', '--json', '--cache-dir', dir])).out);
  assert.deepEqual(json.entries.map((e: { symbol: string }) => e.symbol), ['AAPL', 'MSFT']);
  const clear = await run(['clear', '--symbol', 'aapl', '--cache-dir', dir]);
  assert.match(clear.out, /Removed 1 cached series/);
  assert.equal(JSON.parse((await run(['ls', '--json', '--cache-dir', dir])).out).entries.length, 1);
});

test('the cache folder defaults to STRATEGY_LAB_CACHE_DIR', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-cli-env-'));
  const deps = { ...(await yahooDeps()), env: { STRATEGY_LAB_CACHE_DIR: dir } };
  assert.equal((await run(['fetch', 'QQQ', '--from', '2020-01-01', '--to', '2020-01-31'], deps)).code, 0);
  const ls = await run(['ls'], deps);
  assert.ok(ls.out.startsWith(dir), ls.out);
  assert.match(ls.out, /QQQ/);
});

test('errors: data errors exit 1 with their code; usage errors exit 2 with usage', async () => {
  const deps = await yahooDeps();
  const dir = mkdtempSync(join(tmpdir(), 'sl-cli-'));
  const limit = await run(['fetch', 'SPY', '--interval', '5m', '--from', '2024-01-01', '--cache-dir', dir], deps);
  assert.equal(limit.code, 1);
  assert.match(limit.err, /^error \[intraday-limit\]: Yahoo serves 5m bars for the last 60 days only/);
  const json = await run(['fetch', 'SPY', '--from', '2021-01-01', '--to', '2020-01-01', '--json', '--cache-dir', dir], deps);
  assert.equal(json.code, 1);
  assert.equal(JSON.parse(json.out).error.code, 'start-after-end');
  for (const argv of [['fetch'], ['fetch', 'A', 'B'], ['frobnicate'], ['fetch', 'SPY', '--bogus'], ['fetch', 'SPY', '--source', 'reuters'], ['fetch', 'SPY', '--interval', '3d'], []]) {
    const r = await run(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.ok(r.err.length > 0);
  }
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /strategy-lab data fetch <symbol>/);
});
