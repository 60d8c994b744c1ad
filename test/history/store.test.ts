import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compareRuns } from '../../core/history/compare';
import { ALL_METRICS, PERFORMANCE_METRICS } from '../../core/report/metricCatalog';
import { MAX_SAVED_LOG_LINES, createRunRecord, runId, summarize } from '../../core/history/record';
import { RunStore, RunStoreError } from '../../core/history/store';
import type { RunRecord } from '../../core/history/types';
import { realRun } from '../webview/realRun';

let root: string;
let store: RunStore;
let a: RunRecord;
let b: RunRecord;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'sl-history-'));
  store = new RunStore(root);
  a = await realRun({ createdAt: new Date('2026-01-01T10:00:00Z') });
  b = await realRun({ createdAt: new Date('2026-01-02T10:00:00Z'), params: { period: 10, buyBelow: 30, sellAbove: 70 } });
});
after(async () => { await rm(root, { recursive: true, force: true }); });

test('a run record holds source, options, data window, result and chart data', () => {
  assert.match(a.strategy.source, /class AaplRsiReversion extends BaseStrategy/);
  assert.equal(a.options.from, '2012-01-01');
  assert.deepEqual(a.data.symbols, ['AAPL']);
  assert.equal(a.data.bars, a.result.equity.length);
  assert.equal(a.chart.candles[0].time.length, a.data.bars);
  assert.equal(a.chart.benchmark.length, a.result.equity.length);
  // buy & hold starts at the run's cash and moves with the close
  const c = a.chart.candles[0];
  assert.equal(a.chart.benchmark[0], a.result.run.options.cash);
  const last = c.close.length - 1;
  assert.ok(Math.abs(a.chart.benchmark[last] - a.result.run.options.cash * (c.close[last] / c.close[0])) < 1e-6);
});

test('run ids sort by time and are file-name safe', () => {
  const id = runId(new Date('2026-11-24T18:15:00.123Z'), 'AaplRsiReversion', 'k3f9');
  assert.equal(id, '20261124T181500123Z-aapl-rsi-reversion-k3f9');
  assert.equal(runId(new Date(0), '../../etc', 'x'), '19700101T000000000Z-etc-x');
});

test('save then load gives back the same run; list is newest first with summaries', async () => {
  await store.save(a);
  await store.save(b);
  assert.deepEqual(await store.load(a.id), a);
  const { runs, problems } = await store.list();
  assert.deepEqual(problems, []);
  assert.deepEqual(runs.map((r) => r.id), [b.id, a.id]);
  assert.deepEqual(runs[1], summarize(a));
  assert.equal((await store.latestFor(a.strategy.file))?.id, b.id);
  assert.deepEqual((await readdir(store.dir)).filter((n) => n.endsWith('.tmp')), [], 'no temp files left');
});

test('a corrupt run file is reported and left untouched; a missing summary is rebuilt', async () => {
  const bad = join(store.dir, '20250101T000000000Z-broken-aaaa.json');
  await writeFile(bad, '{"schema":1, "id": "trunc');
  await rm(join(store.dir, `${a.id}.summary.json`));
  const { runs, problems } = await store.list();
  assert.deepEqual(runs.map((r) => r.id), [b.id, a.id]);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /broken-aaaa\.json: .*not valid JSON.*left as it is/);
  assert.equal(await readFile(bad, 'utf8'), '{"schema":1, "id": "trunc', 'the bad file is not overwritten');
  assert.ok((await readdir(store.dir)).includes(`${a.id}.summary.json`), 'summary rebuilt');
  await rm(bad);
});

test('loading an unknown or malformed id says what happened', async () => {
  await assert.rejects(store.load('20200101T000000000Z-gone-zzzz'), (e: Error) => e instanceof RunStoreError && /deleted or the history was cleared/.test(e.message));
  await assert.rejects(store.load('../../secret'), /is not a run id/);
});

test('an empty workspace has no history (and no folder is created by listing)', async () => {
  const empty = new RunStore(join(root, 'nothing-here'));
  assert.deepEqual(await empty.list(), { runs: [], problems: [] });
  assert.equal(existsSync(empty.dir), false);
});

test('delete removes the run and its summary', async () => {
  await store.delete(b.id);
  assert.deepEqual((await store.list()).runs.map((r) => r.id), [a.id]);
});

test('concurrent saves of many runs all land intact', async () => {
  const many = Array.from({ length: 12 }, (_v, i) => ({ ...a, id: runId(new Date(Date.UTC(2026, 2, 1, 0, 0, i)), 'Parallel', `p${i}`) }));
  await Promise.all(many.map((r) => store.save(r)));
  const ids = (await store.list()).runs.map((r) => r.id);
  for (const r of many) assert.ok(ids.includes(r.id));
  for (const r of many) assert.equal((await store.load(r.id)).result.metrics.returnPct, a.result.metrics.returnPct);
});

test('logs beyond the cap are counted, not saved', () => {
  const logs = Array.from({ length: MAX_SAVED_LOG_LINES + 7 }, (_v, i) => ({ time: null, message: `line ${i}` }));
  const series = a.chart.candles.map((c) => ({ symbol: c.symbol, time: Float64Array.from(c.time), open: Float64Array.from(c.open), high: Float64Array.from(c.high), low: Float64Array.from(c.low), close: Float64Array.from(c.close), volume: new Float64Array(c.time.length), length: c.time.length }));
  const r = createRunRecord({ result: a.result, series, strategy: a.strategy, data: { source: 'csv', timeframe: '1d' }, options: {}, sandbox: a.sandbox, logs });
  assert.equal(r.logs.length, MAX_SAVED_LOG_LINES);
  assert.equal(r.logsDropped, 7);
});

test('compare: every metric, b − a, and the better side by the metric\'s direction', () => {
  const cmp = compareRuns(a, b);
  const ret = cmp.rows.find((r) => r.info.key === 'returnPct')!;
  assert.equal(ret.a, a.result.metrics.returnPct);
  assert.equal(ret.b, b.result.metrics.returnPct);
  assert.equal(ret.delta, (b.result.metrics.returnPct as number) - (a.result.metrics.returnPct as number));
  assert.equal(ret.better, ret.delta! > 0 ? 'b' : ret.delta! < 0 ? 'a' : null);
  const dd = cmp.rows.find((r) => r.info.key === 'maxDrawdownPct')!;
  if (dd.delta) assert.equal(dd.better, dd.delta > 0 ? 'b' : 'a', 'a shallower (less negative) drawdown is better');
  const start = cmp.rows.find((r) => r.info.key === 'start')!;
  assert.equal(start.delta, null);
  assert.equal(start.better, null);
  assert.equal(cmp.rows.length, ALL_METRICS.length + PERFORMANCE_METRICS.length);
});
