/**
 * Large runs: the drawable equity curve (core/engine/equityCurve.ts) keeps the extremes exact and the metrics
 * untouched, the full columns stay beside the result, and the CLI's --json/--out write every bar from them,
 * byte for byte what a run with every point gives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBacktest } from '../../core/engine/backtest';
import { EQUITY_DRAWN_POINTS, EQUITY_FULL_MAX, drawableIndices, drawdownColumn, equityColumnsOf } from '../../core/engine/equityCurve';
import type { BarSeries } from '../../core/data/series';
import { compileStrategy } from '../../core/strategy/compile';
import { loadStrategy } from '../../core/strategy/load';
import { writeJsonPretty } from '../../core/report/jsonStream';
import { runCli } from '../helpers/cli';
import { repoRoot } from '../helpers/paths';
import { minuteWalk } from '../helpers/series';

const RSI_EXAMPLE = join(repoRoot, 'examples/rsi-reversion.strategy.ts');

const minuteSeries = (n: number): BarSeries => minuteWalk('TEST', n);

test('drawableIndices keeps first, last, every bucket\'s extremes and the max-drawdown peak and trough', () => {
  const n = 250_000;
  const equity = new Float64Array(n);
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    equity[i] = 1000 + Math.sin(i / 5000) * 200 + (seed / 2 ** 32) * 30;
  }
  const columns = { time: Float64Array.from({ length: n }, (_, i) => i * 60_000), equity, drawdownPct: drawdownColumn(equity) };
  const kept = drawableIndices(columns);
  assert.ok(kept.length <= EQUITY_DRAWN_POINTS + 4 && kept.length > EQUITY_DRAWN_POINTS / 2, `${kept.length} points`);
  for (let k = 1; k < kept.length; k++) assert.ok(kept[k] > kept[k - 1], 'increasing');
  assert.equal(kept[0], 0);
  assert.equal(kept[kept.length - 1], n - 1);
  const set = new Set(kept);
  let max = 0, min = 0, trough = 0;
  for (let i = 1; i < n; i++) {
    if (equity[i] > equity[max]) max = i;
    if (equity[i] < equity[min]) min = i;
    if (columns.drawdownPct[i] < columns.drawdownPct[trough]) trough = i;
  }
  let peak = 0;
  for (let i = 1; i <= trough; i++) if (equity[i] > equity[peak]) peak = i;
  for (const [what, i] of [['highest', max], ['lowest', min], ['max-drawdown trough', trough], ['max-drawdown peak', peak]] as const) assert.ok(set.has(i), `${what} bar ${i} kept`);
  // Short curves are kept whole.
  assert.equal(drawableIndices({ ...columns, equity: equity.subarray(0, 100), drawdownPct: columns.drawdownPct.subarray(0, 100) }).length, 100);
});

test('a drawable run past the threshold: decimated and flagged, metrics and kept points equal the full run\'s', async () => {
  const series = minuteSeries(EQUITY_FULL_MAX + 50_000);
  const compiled = await compileStrategy(readFileSync(RSI_EXAMPLE, 'utf8'), RSI_EXAMPLE);
  const cls = loadStrategy(compiled.js, compiled.fileName);
  const full = runBacktest(cls, [series], {}, { equity: 'all' });
  const drawn = runBacktest(cls, [series], {}, { equity: 'drawable' });
  assert.equal(full.equity.length, series.length);
  assert.equal(full.run.equityDecimated, undefined);
  assert.deepEqual(drawn.metrics, full.metrics);
  assert.deepEqual(drawn.trades, full.trades);
  assert.deepEqual(drawn.run.equityDecimated, { from: series.length, to: drawn.equity.length });
  assert.ok(drawn.equity.length < EQUITY_DRAWN_POINTS + 5);
  const byTime = new Map(full.equity.map((p) => [p.time, p]));
  for (const p of drawn.equity) assert.deepEqual(p, byTime.get(p.time));
  const lowest = (points: { drawdownPct: number }[]) => points.reduce((m, p) => Math.min(m, p.drawdownPct), 0);
  const minDd = lowest(full.equity);
  assert.ok(minDd < -1, 'the crash makes a real drawdown');
  assert.equal(lowest(drawn.equity), minDd, 'the deepest drawdown point is kept');
  assert.ok(Math.abs(Math.abs(minDd) - Math.abs(full.metrics.maxDrawdownPct!)) < 1e-9, `curve ${minDd} vs metric ${full.metrics.maxDrawdownPct}`);
  const columns = equityColumnsOf(drawn);
  assert.ok(columns);
  assert.equal(columns.equity.length, series.length);
  assert.equal(equityColumnsOf(full), undefined);
  // At or below the threshold, a drawable run keeps every point.
  const small = runBacktest(cls, [minuteSeries(5000)], {}, { equity: 'drawable' });
  assert.equal(small.equity.length, 5000);
  assert.equal(small.run.equityDecimated, undefined);
});

test('CLI on a file past the threshold: --json and --out hold every bar, identical to a full result\'s JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-equity-'));
  const series = minuteSeries(EQUITY_FULL_MAX + 20_000);
  const lines = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < series.length; i++) {
    lines.push(`${new Date(series.time[i]).toISOString().slice(0, 16).replace('T', ' ')},${series.open[i].toFixed(4)},${series.high[i].toFixed(4)},${series.low[i].toFixed(4)},${series.close[i].toFixed(4)},1000`);
  }
  const csv = join(dir, 'TEST_1min.csv');
  writeFileSync(csv, `${lines.join('\n')}\n`);
  const out = join(dir, 'result.json');
  const saved = process.env.STRATEGY_LAB_CACHE_DIR;
  process.env.STRATEGY_LAB_CACHE_DIR = join(dir, 'cache');
  try {
    const r = await runCli(['backtest', RSI_EXAMPLE, '--data', csv, '--symbol', 'TEST', '--sandbox', 'none', '--trust', '--json', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(out, 'utf8'), r.stdout, '--out and --json write the same');
    const json = JSON.parse(r.stdout) as { equity: { time: string }[]; run: Record<string, unknown>; metrics: unknown };
    assert.equal(json.equity.length, series.length);
    assert.equal('equityDecimated' in json.run, false, 'the written curve is the full one');
    // The same run with every point, serialised the way the CLI always did.
    const { loadCsv } = await import('../../core/data/csv');
    const data = await loadCsv(csv, { symbol: 'TEST' });
    const compiled = await compileStrategy(readFileSync(RSI_EXAMPLE, 'utf8'), RSI_EXAMPLE);
    const full = runBacktest(loadStrategy(compiled.js, compiled.fileName), [data], {}, { equity: 'all' });
    let expected = '';
    writeJsonPretty({ metrics: full.metrics, trades: full.trades, equity: full.equity, orders: full.orders, run: { ...full.run, data: json.run.data } }, (t) => (expected += t));
    assert.equal(r.stdout, `${expected}\n`);
  } finally {
    if (saved === undefined) delete process.env.STRATEGY_LAB_CACHE_DIR;
    else process.env.STRATEGY_LAB_CACHE_DIR = saved;
  }
});

test('equityPointJson writes a point as JSON.stringify does, odd numbers included', async () => {
  const { equityPointJson, equityPointAt } = await import('../../core/engine/equityCurve');
  const values = [0, -0, 1e21, 1.5e-7, 123456.789, NaN, Infinity, -Infinity, 10000];
  const columns = { time: Float64Array.from(values, (_, i) => Date.UTC(2020, 0, 2, 14, 30) + i * 61_000 + (i === 3 ? 250 : 0)), equity: Float64Array.from(values), drawdownPct: Float64Array.from(values, (v) => -v) };
  for (let i = 0; i < values.length; i++) {
    for (const indent of ['', '  ', '    ']) {
      assert.equal(`${indent}${equityPointJson(columns, i, indent)}`, `${indent}${JSON.stringify(equityPointAt(columns, i), null, 2).replaceAll('\n', `\n${indent}`)}`);
    }
  }
});
