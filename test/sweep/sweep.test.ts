/**
 * Sweeps on real AAPL bars (in this process: the point is the numbers, not the sandbox): every row equals a plain
 * backtest of that variant, the ranking follows the objective and constraints, and long work resumes from the
 * journal without running a variant twice, survives a torn journal, and cancels at once.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BarSeries } from '../../core/data/series';
import { RunStore } from '../../core/history/store';
import { runInThisProcess } from '../../core/run/runStrategy';
import { variantEngineFor } from '../../core/run/engineFor';
import { compileStrategy, type CompiledStrategy } from '../../core/strategy/compile';
import { heatmapOf } from '../../core/sweep/heatmap';
import { parseSpace } from '../../core/sweep/space';
import { runSweep, sweepKey, type SweepRequest, type SweepResult } from '../../core/sweep/sweep';
import { deflatedSharpe, moments } from '../../core/evaluate/verdict/stats';
import { periodReturnsOf } from '../../core/sweep/score';
import { RSI_SOURCE, rsiDeclared, rsiOnAapl } from './helpers';

const source = RSI_SOURCE;
let compiled: CompiledStrategy;
let series: BarSeries[];
let root: string;

before(async () => {
  ({ compiled, series } = await rsiOnAapl());
  root = mkdtempSync(join(tmpdir(), 'sweep-'));
});
after(() => rmSync(root, { recursive: true, force: true }));

const declared = rsiDeclared;

function request(over: Partial<SweepRequest> = {}): SweepRequest {
  return {
    compiled,
    source,
    series,
    options: { cash: 10_000 },
    space: parseSpace(['period=10:20:5', 'buyBelow=25,30,35'], declared()),
    sampling: { method: 'grid', seed: 1 },
    objective: 'sharpe',
    constraints: {},
    engine: variantEngineFor({ engine: 'local', mode: 'none' }),
    ...over,
  };
}

function table(r: SweepResult) {
  return r.ranked.map((v) => [v.rank, v.id, v.objective, v.feasible]);
}

describe('sweep', () => {
  it('each row is the plain backtest of its variant; ranked by the objective', async () => {
    const res = await runSweep(request());
    assert.equal(res.variantsTried, 9);
    assert.equal(res.ranked.length, 9);
    for (const row of res.ranked) {
      const plain = runInThisProcess({ compiled, series, options: { cash: 10_000, params: { period: row.params.period, buyBelow: row.params.buyBelow } } });
      assert.equal(row.sharpe, plain.metrics.sharpeRatio, row.id);
      assert.equal(row.returnPct, plain.metrics.returnPct, row.id);
      assert.equal(row.calmar, plain.metrics.calmarRatio, row.id);
      assert.equal(row.maxDrawdownPct, plain.metrics.maxDrawdownPct, row.id);
      assert.equal(row.trades, plain.trades.length, row.id);
      assert.equal(row.params.sellAbove, 65, 'undeclared-in-space params keep their declared value');
    }
    const sharpes = res.ranked.map((r) => r.objective!);
    assert.deepEqual(sharpes, [...sharpes].sort((a, b) => b - a));
    assert.equal(res.best?.id, res.ranked[0].id);
    assert.ok(new Set(sharpes).size > 3, 'params reach the runs');
    assert.ok(res.pbo.pbo !== null && res.pbo.pbo >= 0 && res.pbo.pbo <= 1);
    assert.equal(res.pbo.variants, 9);
    // DSR of the best = the verdict's formula over its period returns with this sweep's 9 trials.
    const best = runInThisProcess({ compiled, series, options: { cash: 10_000, params: res.best!.params } });
    const r = periodReturnsOf({ time: Float64Array.from(best.equity.map((e) => Date.parse(e.time))), equity: Float64Array.from(best.equity.map((e) => e.equity)) });
    const m = moments(r)!;
    assert.equal(res.deflatedSharpe, deflatedSharpe(m.mean / m.std, m.n, m.skew, m.kurtosis, 9));
  });

  it('other objectives and constraints: infeasible variants rank last and cannot be best', async () => {
    const ret = await runSweep(request({ objective: 'return' }));
    assert.deepEqual(ret.ranked.map((r) => r.objective), [...ret.ranked.map((r) => r.returnPct)].sort((a, b) => b! - a!));
    const verdict = await runSweep(request({ objective: 'verdict' }));
    assert.ok(verdict.ranked.every((r) => r.objective! >= 0 && r.objective! <= 1), 'PSR is a probability');
    const trades = ret.ranked.map((r) => r.trades).sort((a, b) => a - b);
    const minTrades = trades[4];
    const c = await runSweep(request({ objective: 'return', constraints: { minTrades } }));
    const feasible = c.ranked.filter((r) => r.feasible);
    assert.ok(feasible.length >= 1 && feasible.length < 9);
    assert.ok(feasible.every((r) => r.trades >= minTrades));
    assert.ok(c.ranked.slice(feasible.length).every((r) => !r.feasible && r.violations[0].includes('trade')));
    const none = await runSweep(request({ constraints: { maxDrawdownPct: 0.01 } }));
    assert.equal(none.best, null, 'no variant meets a 0.01 % drawdown');
  });

  it('heatmap: others fixed at the best, or averaged', async () => {
    const space = parseSpace(['period=10:20:5', 'buyBelow=25,30', 'sellAbove=60,70'], declared());
    const res = await runSweep(request({ space }));
    const h = heatmapOf(res.ranked, space, 'period', 'buyBelow', 'best');
    assert.deepEqual(h.fixed, { sellAbove: res.best!.params.sellAbove });
    const bx = h.xValues.indexOf(res.best!.params.period);
    const by = h.yValues.indexOf(res.best!.params.buyBelow);
    assert.equal(h.cells[by][bx], res.best!.objective, 'the best variant is in its own slice');
    const m = heatmapOf(res.ranked, space, 'period', 'buyBelow', 'mean');
    const pair = res.ranked.filter((r) => r.params.period === 15 && r.params.buyBelow === 30);
    assert.equal(pair.length, 2);
    assert.ok(Math.abs(m.cells[1][1]! - (pair[0].objective! + pair[1].objective!) / 2) < 1e-12);
    assert.throws(() => heatmapOf(res.ranked, parseSpace(['period=10'], declared()), 'period', 'nope', 'best'), /two swept params/);
  });
});

describe('failing variants', () => {
  it('a variant whose run throws is listed with its error, ranks last, is never best, and runs again on resume', async () => {
    const throwing = source.replace('onBar(bar: Bar) {', 'onBar(bar: Bar) {\n    if (this.params.period === 15) throw new Error(`period 15 is broken`);');
    assert.notEqual(throwing, source);
    const dir = mkdtempSync(join(root, 'fail-'));
    const req = request({ source: throwing, compiled: await compileStrategy(throwing, 'throwing.strategy.ts'), journalRoot: dir });
    const res = await runSweep(req);
    const failed = res.ranked.filter((r) => !r.ok);
    assert.equal(failed.length, 3, 'the three period=15 variants');
    assert.ok(failed.every((r) => r.params.period === 15 && /period 15 is broken/.test(r.error ?? '') && r.violations[0].startsWith('failed:')));
    assert.deepEqual(res.ranked.slice(-3).map((r) => r.ok), [false, false, false]);
    assert.equal(res.variantsTried, 9, 'a failed variant was still tried');
    assert.equal(res.pbo.variants, 6, 'only variants that ran enter the PBO');
    const runs: string[] = [];
    await runSweep({ ...req, onRun: (id) => runs.push(id) });
    assert.deepEqual(runs.sort(), failed.map((r) => r.id).sort());
  });
});

describe('journal and resume', () => {
  it('an interrupted sweep resumes without running a finished variant again, with the same final table', async () => {
    const dir = mkdtempSync(join(root, 'resume-'));
    const reference = await runSweep(request());
    const runs: string[] = [];
    const controller = new AbortController();
    await assert.rejects(
      runSweep(request({ journalRoot: dir, signal: controller.signal, onRun: (id) => runs.push(id), onProgress: (p) => p.done >= 4 && controller.abort() })),
      (err: Error) => err.name === 'AbortError',
    );
    assert.equal(runs.length, 4, 'cancelled at once: no variant after the abort');
    const progress: number[] = [];
    const resumed = await runSweep(request({ journalRoot: dir, onRun: (id) => runs.push(id), onProgress: (p) => progress.push(p.resumed) }));
    assert.equal(runs.length, 9);
    assert.equal(new Set(runs).size, 9, 'no variant ran twice');
    assert.equal(resumed.resumed, 4);
    assert.ok(progress.every((r) => r === 4));
    assert.deepEqual(table(resumed), table(reference));
    assert.deepEqual(resumed.pbo, reference.pbo, 'the PBO from journaled block sums equals the one computed fresh');
    const again = await runSweep(request({ journalRoot: dir, onRun: (id) => runs.push(id) }));
    assert.equal(runs.length, 9, 'a finished sweep runs nothing');
    assert.deepEqual(table(again), table(reference));
  });

  it('a torn last line is dropped with a warning and that variant runs again; a changed input never reuses results', async () => {
    const dir = mkdtempSync(join(root, 'torn-'));
    const first = await runSweep(request({ journalRoot: dir }));
    const file = join(first.journal!, 'journal.jsonl');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    // Tear: cut the last variant line in half (as a crash mid-write leaves it) and add a garbage middle line.
    const kept = lines.slice(0, -1);
    const last = lines[lines.length - 1];
    const lastId = JSON.parse(last).id as string;
    rmSync(file);
    appendFileSync(file, kept.slice(0, 3).join('\n') + '\n{not json\n' + kept.slice(3).join('\n') + '\n' + last.slice(0, last.length >> 1));
    const warnings: string[] = [];
    const runs: string[] = [];
    const again = await runSweep(request({ journalRoot: dir, onWarning: (w) => warnings.push(w), onRun: (id) => runs.push(id) }));
    assert.ok(warnings.some((w) => /torn line/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /not valid JSON/.test(w)));
    const skipped = JSON.parse(kept[2]).id as string; // kept[0] is the header; the garbage line replaced nothing, kept[2] stays
    assert.ok(runs.includes(lastId), 'the torn variant ran again');
    assert.ok(!runs.includes(skipped));
    assert.deepEqual(table(again), table(first));
    const text = readFileSync(file, 'utf8');
    assert.ok(text.endsWith('\n') && text.split('\n').filter(Boolean).slice(-1).every((l) => JSON.parse(l)), 'appends start on a clean line');

    const changed = request({ source: source.replace('65', '66') });
    assert.notEqual(sweepKey(changed), sweepKey(request()), 'the source is in the key');
    assert.notEqual(sweepKey(request({ options: { cash: 20_000 } })), sweepKey(request()), 'the run options are in the key');
    assert.notEqual(sweepKey(request({ series: [{ ...series[0], close: series[0].close.map((c, i) => (i === 100 ? c + 1 : c)) }] })), sweepKey(request()), 'the data is in the key');
    assert.notEqual(sweepKey(request({ sampling: { method: 'lhs', budget: 5, seed: 1 } })), sweepKey(request()), 'the sampling is in the key');
  });

  it('the trial count joins the strategy record once per sweep, and the DSR counts the history', async () => {
    const dir = mkdtempSync(join(root, 'trials-'));
    const store = new RunStore(dir);
    await store.addTrials('rsi#S', 5, 'refine');
    const countTrials = (n: number) => store.addTrials('rsi#S', n, 'optimize');
    const a = await runSweep(request({ journalRoot: dir, countTrials }));
    assert.equal(a.trials, 14);
    assert.equal(await store.trialCount('rsi#S'), 14);
    const b = await runSweep(request({ journalRoot: dir, countTrials }));
    assert.equal(b.trials, 14, 'a repeated sweep adds nothing');
    assert.ok(a.deflatedSharpe! < (await runSweep(request())).deflatedSharpe!, 'more trials, lower deflated Sharpe');
  });
});
