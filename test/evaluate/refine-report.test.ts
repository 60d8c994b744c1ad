/** The refine loop's events and metrics per iteration, and its texts (core/evaluate/refineReport.ts) shared by the CLI and VS Code. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleSeries } from '../../core/data/sample';
import { refine, type RefineEvent, type RefineIteration } from '../../core/evaluate/refine';
import { judgeCandidate } from '../../core/evaluate/refineObjective';
import { describeRefineEvent, iterationLine, iterationsInBrief, refineCountProblem, refineOutcome, refineSummary, verdictOf } from '../../core/evaluate/refineReport';

const loadSeries = async (symbols: string[]) => symbols.map((s) => sampleSeries(s));
const FAST = { lookahead: { cutPoints: 1 }, robustness: { maxParams: 1 } };

describe('refine loop: events and metrics', () => {
  it('emits every stage of every iteration in order and keeps the backtest metrics and data with each', async () => {
    const events: RefineEvent[] = [];
    const r = await refine({ idea: 'Buy AAPL when RSI drops below 15, sell when it rises above 90', iterations: 2, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true, settings: FAST, onEvent: (e) => events.push(e) });
    assert.equal(r.iterations.length, 2);
    const stages = events.filter((e) => e.type !== 'evaluate-progress').map((e) => `${e.iteration}:${e.type}`);
    assert.deepEqual(stages, ['1:generating', '1:loading-data', '1:backtesting', '1:evaluating', '1:scored', '2:generating', '2:loading-data', '2:backtesting', '2:evaluating', '2:scored', '2:stopped']);
    assert.ok(events.some((e) => e.type === 'evaluate-progress' && /re-running the strategy/.test(e.message)));
    const scored = events.filter((e): e is Extract<RefineEvent, { type: 'scored' }> => e.type === 'scored');
    assert.deepEqual(scored.map((e) => e.result), r.iterations, 'each scored event carries its iteration');
    assert.equal(r.iterations[0].metrics!.tradeCount, 0);
    assert.ok(r.iterations[1].metrics!.tradeCount > 0);
    for (const it of r.iterations) assert.match(it.data!, /SYNTHETIC.*AAPL 1d/);
    // Whatever the real pipeline's verdicts are, the loop follows its rule: the first is the baseline, the second is
    // kept exactly when judgeCandidate says so, and the best is the last kept one.
    assert.equal(r.iterations[0].decision.kept, true);
    assert.deepEqual(r.iterations[1].decision, judgeCandidate(r.iterations[1], r.iterations[0]));
    assert.equal(r.best, r.iterations[1].decision.kept ? r.iterations[1] : r.iterations[0]);
    assert.equal(describeRefineEvent(scored[1], 2), `iteration 2/2: ${verdictOf(r.iterations[1])} · changed: entry: RSI(14) < 15 → RSI(14) < 20 (nothing traded) · ${r.iterations[1].decision.kept ? 'kept' : 'not kept'}`);
    // The aim is judged on the risk check it targeted: reached exactly when that check passes now.
    const tradesCheck = (r.iterations[1].report!.evaluators.find((e) => e.id === 'risk')!.details!.checks as { name: string; ok: boolean; value: number }[]).find((c) => c.name === 'trades')!;
    assert.equal(tradesCheck.value, r.iterations[1].metrics!.tradeCount);
    assert.deepEqual(r.iterations[1].aimResults, [{
      flaw: 'too few trades (nothing traded)', reached: tradesCheck.ok,
      detail: `risk check 'trades' ${tradesCheck.ok ? 'now passes' : 'still fails'} (${tradesCheck.value.toFixed(2)})`,
    }]);
    assert.equal(r.trials, 2);
    assert.equal(describeRefineEvent({ type: 'backtesting', iteration: 1 }, 3), 'iteration 1/3: backtesting');
    assert.equal(describeRefineEvent({ type: 'generate-progress', iteration: 2, event: { type: 'attempt', attempt: 1, maxAttempts: 3 } }, 3), 'iteration 2/3: generating: Attempt 1 of 3: asking the model…');
    assert.equal(refineSummary(r), `Kept: iteration ${r.best.iteration} of 2 (${verdictOf(r.best)}). Stopped: ran all 2 iteration(s).`);
    assert.match(iterationsInBrief(r), /^#1 .+ first version \(offline generator\) \((kept|kept, then replaced)\) · #2 .+ entry: RSI\(14\) < 15 → RSI\(14\) < 20 \(nothing traded\) \((kept|not kept)\)$/);
    assert.deepEqual(refineOutcome(r), { write: r.best, criticalFailures: [], worseThanFirst: [] });
  });

  it('a failed data load is an iteration without a report; offline then stops, and nothing is to be written', async () => {
    const r = await refine({ idea: 'Buy AAPL when RSI drops below 15', iterations: 3, provider: 'offline', loadSeries: async () => { throw new Error('no bars for AAPL'); }, mode: 'none', trustGeneratedCode: true, settings: FAST });
    assert.equal(r.iterations.length, 1);
    assert.equal(r.iterations[0].failedAt, 'evaluate');
    assert.match(r.stoppedBecause, /could not be evaluated \(no bars for AAPL\)/);
    assert.deepEqual(refineOutcome(r), { write: undefined, problem: 'no iteration could be backtested and evaluated: no bars for AAPL', criticalFailures: [], worseThanFirst: [] });
    assert.equal(r.iterations[0].decision.kept, false);
    assert.equal(r.trials, 1);
    assert.equal(refineSummary(r), `Nothing kept: no iteration could be evaluated. Stopped: ${r.stoppedBecause}.`);
  });
});

describe('refine texts', () => {
  it('checks the iteration count', () => {
    for (const ok of ['1', '3', '10', ' 2 ', 4]) assert.equal(refineCountProblem(ok), undefined, String(ok));
    for (const bad of ['0', '11', 'abc', '2.5', '-1', '', '1e1', undefined]) assert.match(refineCountProblem(bad, '--refine')!, /^--refine must be a whole number of iterations from 1 to 10, got '/, String(bad));
  });

  it('one line per iteration: a failed generation, a failed evaluation, a result that cannot be trusted', () => {
    const base: RefineIteration = {
      iteration: 2, source: 'x', provider: 'openai', changes: [], report: null, score: null, trials: 2, aims: [], aimResults: [],
      decision: { kept: false, why: 'not kept: not evaluated', worse: [] },
    };
    assert.equal(iterationLine({ ...base, failedAt: 'generate', error: 'The model server failed (500).\nmore' }, 3), 'iteration 2/3: not evaluated · generation failed: The model server failed (500).');
    assert.equal(iterationLine({ ...base, changes: ['regenerated with the findings of iteration 1'], failedAt: 'evaluate', error: 'no bars' }, 3), 'iteration 2/3: not evaluated · no backtest result · changed: regenerated with the findings of iteration 1 · could not be evaluated: no bars · not kept: not evaluated');
    const report = { criticalFailures: ['lookahead'], evaluators: [], summary: '' } as never;
    const metrics = { tradeCount: 1, returnPct: 12.345, sharpeRatio: 0.5, maxDrawdownPct: -20 } as never;
    const decision = { kept: true, why: 'kept: the first evaluated version, the baseline every change is measured against', worse: [] };
    assert.equal(iterationLine({ ...base, iteration: 1, score: 0.5, report, metrics, decision }, 1), 'iteration 1/1: no verdict · 1 trade, return 12.35 %, Sharpe 0.50, max drawdown -20.00 % · first version (model) · do not trust: lookahead failed · kept: the first evaluated version, the baseline every change is measured against');
  });
});
