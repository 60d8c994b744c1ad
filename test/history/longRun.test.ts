/**
 * A saved run past EQUITY_FULL_MAX bars (core/history/chartPoints.ts, docs/history.md "Long runs"): the record
 * keeps the drawable curve plus every bar a reader checks a figure against, with candles spanning the bars in
 * between, and every figure the results panel and Compare Runs show from it equals the one from every bar. The
 * evaluators still get every point.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { BarSeries } from '../../core/data/series';
import { buyAndHold } from '../../core/engine/backtest';
import { EQUITY_DRAWN_POINTS, EQUITY_FULL_MAX, lastBarOf } from '../../core/engine/equityCurve';
import { buildTimeline } from '../../core/engine/grid';
import { parseTime } from '../../core/engine/time';
import type { BacktestResult } from '../../core/engine/types';
import { candlesOnSteps, keptSteps } from '../../core/history/chartPoints';
import { runBacktestJob, type SandboxRun } from '../../core/history/pipeline';
import type { CandleSeries, RunRecord } from '../../core/history/types';
import { calendarReturns } from '../../core/metrics/calendarReturns';
import { tradeExcursion, tradePerformance } from '../../core/metrics/performance';
import { runInThisProcess } from '../../core/run/runStrategy';
import { minuteRecord as record, minuteRsiSource as source, runMinutes as run } from '../helpers/minuteRun';
import { minuteWalk, seriesCsv } from '../helpers/series';

const N = EQUITY_FULL_MAX + 140_000;
const one = [minuteWalk('AAA', N)];
// Two calendars: BBB misses every 7th minute and a stretch of 3,000 minutes; AAA has every minute.
const two = [minuteWalk('AAA', N, { seed: 5 }), minuteWalk('BBB', N, { seed: 9, keep: (i) => i % 7 !== 3 && !(i > 50_000 && i < 53_000) })];

/** Every bar as candles, the way a record of a short run keeps them. */
const fullCandles = (s: BarSeries): CandleSeries => ({ symbol: s.symbol, time: Array.from(s.time), open: Array.from(s.open), high: Array.from(s.high), low: Array.from(s.low), close: Array.from(s.close) });

for (const [name, series] of [['one symbol', one], ['two symbols on different calendars', two]] as const) {
  test(`a long run's record (${name}): small, flagged, and every figure shown from it equals the full run's`, async () => {
    const full = await run(series);
    assert.equal(full.equity.length, buildTimeline(series).labels.length);
    assert.ok(full.trades.length > 500, `${full.trades.length} trades: the case needs many`);
    const rec = record(full, series);
    const kept = rec.result.equity;
    const n = full.equity.length;

    // Flagged, and far smaller than every bar; the result the record was made from is untouched.
    assert.deepEqual(rec.result.run.equityDecimated, { from: n, to: kept.length });
    assert.equal(full.run.equityDecimated, undefined);
    assert.equal(full.equity.length, n);
    assert.ok(kept.length <= EQUITY_DRAWN_POINTS + 3 * full.trades.length + 40, `${kept.length} points kept`);
    assert.ok(kept.length < n / 3, `${kept.length} of ${n} points`);
    const size = JSON.stringify(rec).length;
    const everyBar = JSON.stringify({ ...rec, result: full, chart: { candles: series.map(fullCandles) } }).length;
    assert.ok(size < everyBar / 3, `record ${size} bytes against ${everyBar} with every bar`);

    // Kept points are the run's own points, in order; metrics, trades and orders are the full run's.
    const at = new Map(full.equity.map((p, i) => [p.time, i]));
    let last = -1;
    for (const p of kept) {
      const i = at.get(p.time);
      assert.ok(i !== undefined && i > last, `${p.time} is a bar of the run, in order`);
      assert.deepEqual(p, full.equity[i]);
      last = i;
    }
    assert.deepEqual(rec.result.metrics, full.metrics);
    assert.deepEqual(rec.result.trades, full.trades);
    assert.equal(rec.data.bars, n);

    // Trades: every entry, the bar before it and every exit are kept, so the markers sit on their own bars.
    const keptTimes = new Set(kept.map((p) => p.time));
    for (const t of full.trades) {
      assert.ok(keptTimes.has(full.equity[t.entryBar].time) && (t.entryBar === 0 || keptTimes.has(full.equity[t.entryBar - 1].time)), `entry of ${t.entryTime}`);
      if (t.exitBar !== null) assert.ok(keptTimes.has(full.equity[t.exitBar].time), `exit of ${t.exitTime}`);
    }
    // The extremes a reader checks.
    const least = (xs: number[]) => xs.reduce((a, b) => Math.min(a, b), Infinity);
    const most = (xs: number[]) => xs.reduce((a, b) => Math.max(a, b), -Infinity);
    assert.equal(least(kept.map((p) => p.drawdownPct)), least(full.equity.map((p) => p.drawdownPct)));
    assert.equal(most(kept.map((p) => p.equity)), most(full.equity.map((p) => p.equity)));
    assert.equal(least(kept.map((p) => p.equity)), least(full.equity.map((p) => p.equity)));

    // The panel's figures: monthly returns, trade performance, every trade's run-up and drawdown.
    const cal = (points: { time: string; equity: number }[]) => calendarReturns(points.map((p) => parseTime(p.time)), points.map((p) => p.equity));
    assert.deepEqual(cal(kept), cal(full.equity));
    assert.deepEqual(tradePerformance(rec.result.trades, lastBarOf(rec.result)), tradePerformance(full.trades, full.equity.length - 1));
    for (const s of series) {
      const candles = rec.chart.candles.find((c) => c.symbol === s.symbol)!;
      const every = fullCandles(s);
      for (const t of full.trades.filter((x) => x.symbol === s.symbol)) assert.deepEqual(tradeExcursion(t, candles), tradeExcursion(t, every), `trade at ${t.entryTime}`);
    }

    // Benchmark: the full buy-and-hold at the kept bars.
    const grid = buildTimeline(series).labels;
    const index = buyAndHold([...series], grid);
    assert.deepEqual(rec.chart.benchmark, kept.map((p) => (index[at.get(p.time)!] / index[0]) * 100_000));
  });
}

test('candles on kept steps: each spans exactly the bars since the previous kept step, none lost or counted twice', () => {
  for (const series of [one, two]) {
    const timeline = buildTimeline(series);
    const n = timeline.labels.length;
    // Irregular steps: dense, sparse, and the last bar.
    const steps = Int32Array.from(new Set([0, 1, 2, 10, 777, 5000, 5001, 52_000, 52_500, 120_000, n - 2, n - 1]));
    series.forEach((s, i) => {
      const c = candlesOnSteps(s, timeline.keys[i], timeline, steps);
      let j = 0;
      for (let k = 0; k < c.time.length; k++) {
        const step = steps.findIndex((g) => timeline.labels[g] === c.time[k]);
        assert.ok(step >= 0, 'a candle sits on a kept step');
        const from = step === 0 ? -Infinity : timeline.labels[steps[step - 1]];
        const bars: number[] = [];
        while (j < s.length && timeline.keys[i][j] <= timeline.labels[steps[step]]) { if (timeline.keys[i][j] > from) bars.push(j); j++; }
        assert.ok(bars.length > 0);
        assert.equal(c.open[k], s.open[bars[0]]);
        assert.equal(c.close[k], s.close[bars[bars.length - 1]]);
        assert.equal(c.high[k], Math.max(...bars.map((b) => s.high[b])));
        assert.equal(c.low[k], Math.min(...bars.map((b) => s.low[b])));
      }
      assert.equal(j, s.length, `${s.symbol}: every bar is in some candle`);
    });
  }
});

test('kept steps: first, last, every month\'s last bar, trade bars, and nothing out of range', () => {
  const time = Float64Array.from({ length: 200_000 }, (_, i) => Date.UTC(2021, 0, 31, 23, 0) + i * 60_000 * 7);
  const equity = Float64Array.from(time, (_, i) => 1000 + Math.sin(i / 300) * 50);
  const steps = keptSteps(time, equity, [{ entryBar: 0, exitBar: 5 }, { entryBar: 199_999, exitBar: null }, { entryBar: 500, exitBar: 100_000 }]);
  const set = new Set(steps);
  for (let k = 1; k < steps.length; k++) assert.ok(steps[k] > steps[k - 1]);
  for (const i of [0, 5, 199_998, 199_999, 499, 500, 100_000]) assert.ok(set.has(i), `bar ${i}`);
  for (let i = 0; i + 1 < time.length; i++) {
    const monthEnds = new Date(time[i]).getUTCMonth() !== new Date(time[i + 1]).getUTCMonth();
    if (monthEnds) assert.ok(set.has(i), `last bar of ${new Date(time[i]).toISOString().slice(0, 7)}`);
  }
  assert.ok(steps[0] === 0 && steps[steps.length - 1] === 199_999);
});

test('a drawable result (its full columns beside it) makes the same record as one with every point', async () => {
  for (const series of [one, two]) {
    const [all, drawable] = [await run(series, 'all'), await run(series, 'drawable')];
    assert.ok(drawable.run.equityDecimated, 'the run itself kept a drawable curve');
    assert.equal(JSON.stringify(record(drawable, series)), JSON.stringify(record(all, series)));
  }
});

test('the editor pipeline: the record keeps the long run\'s chart points, the evaluators get every point of the run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-longrun-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (const s of two) writeFileSync(join(dir, `${s.symbol}.csv`), seriesCsv(s));
  const asked: (string | undefined)[] = [];
  const inProcess: SandboxRun = async (req) => { asked.push(req.equity); return runInThisProcess({ ...req, mode: 'none' }); };
  let evaluated: BacktestResult | undefined;
  let shown: RunRecord | undefined;
  const rec = await runBacktestJob({
    source: source(['AAA', 'BBB']), file: 'minute-rsi.strategy.ts', options: { source: 'csv', cash: 100_000 },
    data: { csvPath: dir, cacheDir: join(dir, 'cache') }, sandbox: { mode: 'none', run: inProcess },
    onResult: (r) => { shown = r; },
    evaluate: async ({ result }) => { evaluated = result; return null; },
  });
  assert.deepEqual(asked, ['drawable']);
  const full = await run(two);
  assert.equal(JSON.stringify(evaluated), JSON.stringify(full), 'the evaluators check every bar of the run, as if it had kept every point');
  assert.ok(shown && shown.result.run.equityDecimated && shown.result.equity.length < N / 3);
  assert.equal(JSON.stringify(rec.result), JSON.stringify(record(full, two).result));
  assert.equal(JSON.stringify(rec.chart), JSON.stringify(record(full, two).chart));
});
