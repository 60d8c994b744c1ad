/**
 * Walk-forward on real AAPL bars, in this process: the windows, each window's in-sample winner and its
 * out-of-sample numbers equal plain backtests of the same windows, the stitched curve compounds the windows'
 * returns, and bad window specs say what to change.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BarSeries } from '../../core/data/series';
import { variantEngineFor } from '../../core/run/engineFor';
import { runInThisProcess } from '../../core/run/runStrategy';
import { seriesInWindow } from '../../core/run/variants';
import type { CompiledStrategy } from '../../core/strategy/compile';
import { parseSpace, SweepInputError } from '../../core/sweep/space';
import { parseLength, planWindows, runWalkForward, type WalkForwardRequest } from '../../core/sweep/walkforward';
import { RSI_SOURCE, rsiDeclared, rsiOnAapl } from './helpers';

const source = RSI_SOURCE;
let compiled: CompiledStrategy;
let series: BarSeries[];
let root: string;

before(async () => {
  ({ compiled, series } = await rsiOnAapl());
  root = mkdtempSync(join(tmpdir(), 'wf-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

describe('walk-forward windows', () => {
  it('parses bars and durations', () => {
    assert.deepEqual(parseLength('500', '--in-sample'), { bars: 500 });
    assert.deepEqual(parseLength('2y', '--in-sample'), { months: 24 });
    assert.deepEqual(parseLength('6m', '--in-sample'), { months: 6 });
    assert.deepEqual(parseLength('3w', '--in-sample'), { days: 21 });
    for (const bad of ['0', '-5', '2x', '', '1.5y']) assert.throws(() => parseLength(bad, '--in-sample'), /--in-sample is a length in bars/);
  });

  it('rolling windows in bars slide by the step; anchored ones grow from the first bar', () => {
    const s = series[0];
    const rolling = planWindows(series, { inSample: { bars: 1000 }, outOfSample: { bars: 500 }, anchored: false });
    assert.equal(rolling.length, Math.floor((s.length - 1000) / 500));
    rolling.forEach((w, k) => {
      assert.equal(w.isFrom, s.time[k * 500]);
      assert.equal(w.isTo, s.time[k * 500 + 1000]);
      assert.equal(w.isBars, 1000);
      assert.equal(w.oosBars, 500);
    });
    const anchored = planWindows(series, { inSample: { bars: 1000 }, outOfSample: { bars: 500 }, anchored: true });
    assert.ok(anchored.every((w) => w.isFrom === s.time[0]));
    assert.deepEqual(anchored.map((w) => w.isBars), anchored.map((_, k) => 1000 + 500 * k));
  });

  it('calendar windows: 5y in-sample, 2y out-of-sample, 2y step', () => {
    const w = planWindows(series, { inSample: { months: 60 }, outOfSample: { months: 24 }, anchored: false });
    assert.equal(day(w[0].isFrom), day(series[0].time[0]));
    assert.equal(day(w[1].isFrom).slice(0, 4), String(Number(day(w[0].isFrom).slice(0, 4)) + 2));
    for (const x of w) assert.ok(x.oosBars > 450 && x.oosBars < 560, `${x.oosBars} bars in 2 years`);
  });

  it('a window longer than the data, or a step shorter than the OOS window, is an actionable error', () => {
    assert.throws(() => planWindows(series, { inSample: { months: 240 }, outOfSample: { months: 60 }, anchored: false }), (e: Error) => e instanceof SweepInputError && /No walk-forward window fits.*longer than the data \(\d+ bars, 1998/.test(e.message));
    assert.throws(() => planWindows(series, { inSample: { bars: 500 }, outOfSample: { bars: 250 }, step: { bars: 100 }, anchored: false }), /would overlap/);
  });
});

describe('walk-forward run', () => {
  it('each window: the in-sample winner and its out-of-sample numbers are those of plain backtests; the OOS curve compounds', async () => {
    const space = parseSpace(['period=10,20', 'buyBelow=25,35'], rsiDeclared());
    const req: WalkForwardRequest = {
      compiled,
      source,
      series,
      options: { cash: 10_000 },
      space,
      sampling: { method: 'grid', seed: 1 },
      objective: 'sharpe',
      constraints: {},
      windows: { inSample: { months: 60 }, outOfSample: { months: 36 }, anchored: false },
      engine: variantEngineFor({ engine: 'local', mode: 'none' }),
      journalRoot: root,
    };
    const res = await runWalkForward(req);
    assert.ok(res.windows.length >= 4);
    assert.equal(res.runs, res.windows.length * 4);
    assert.equal(res.variantsTried, 4);
    let capital = 10_000;
    for (const w of res.windows) {
      const runs = [10, 20].flatMap((period) => [25, 35].map((buyBelow) => ({ period, buyBelow })));
      const plain = runs.map((p) => ({ p, m: runInThisProcess({ compiled, series: seriesInWindow(series, { fromTime: w.isFrom, toTime: w.isTo }), options: { cash: 10_000, params: p } }).metrics }));
      const best = plain.reduce((a, b) => ((b.m.sharpeRatio ?? -Infinity) > (a.m.sharpeRatio ?? -Infinity) ? b : a)); // no Sharpe (no trades) ranks last
      assert.deepEqual({ period: w.chosen!.params.period, buyBelow: w.chosen!.params.buyBelow }, best.p, `window ${w.index}`);
      assert.equal(w.chosen!.sharpe, best.m.sharpeRatio);
      const oos = runInThisProcess({ compiled, series: seriesInWindow(series, { fromTime: w.isTo, toTime: w.oosTo }), options: { cash: 10_000, params: best.p } });
      assert.equal(w.oos!.returnPct, oos.metrics.returnPct, `window ${w.index} OOS`);
      assert.equal(w.oos!.sharpe, oos.metrics.sharpeRatio);
      assert.equal(day(Date.parse(oos.equity[0].time)), day(w.isTo), 'OOS starts where in-sample ends');
      capital *= oos.equity[oos.equity.length - 1].equity / 10_000;
      assert.equal(w.efficiency, w.chosen!.returnAnnPct! > 0 ? w.oos!.returnAnnPct! / w.chosen!.returnAnnPct! : null);
    }
    const last = res.equity.equity[res.equity.equity.length - 1];
    assert.ok(Math.abs(last - capital) < 1e-6 * capital, `stitched ${last} vs compounded ${capital}`);
    assert.ok(Math.abs(res.oos.returnPct! - (capital / 10_000 - 1) * 100) < 1e-6);
    const times = res.equity.time;
    assert.ok(times.every((t, i) => i === 0 || t > times[i - 1]), 'stitched times increase');
    const isAnn = res.windows.map((w) => w.chosen!.returnAnnPct!);
    const meanIs = isAnn.reduce((a, b) => a + b, 0) / isAnn.length;
    assert.equal(res.efficiency, meanIs > 0 ? res.oos.returnAnnPct! / meanIs : null);
    const period = res.stability.find((s) => s.name === 'period')!;
    assert.deepEqual(period.values, res.windows.map((w) => w.chosen!.params.period));
    assert.equal(period.distinct, new Set(period.values).size);
    // Resume: everything is journaled, nothing runs again, same result.
    const runs: string[] = [];
    const again = await runWalkForward({ ...req, onRun: (id) => runs.push(id) });
    assert.equal(runs.length, 0);
    assert.deepEqual(again.equity, res.equity);
    assert.deepEqual(again.windows.map((w) => w.chosen?.id), res.windows.map((w) => w.chosen?.id));
  });
});
