/**
 * Refine with the verdict as its objective (docs/evaluate.md "Refine"): the offline loop with the real generator,
 * adjustments and compiler, and a stubbed backtest and evaluator giving a chosen sequence of metrics and verdicts.
 * A higher verdict with a much worse return is not kept and is reported; an iteration that fixes its aimed flaw says so.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleSeries } from '../../core/data/sample';
import type { BacktestResult } from '../../core/engine/types';
import { refine, type RefineSteps } from '../../core/evaluate/refine';
import { judgeCandidate, REFINE_TOLERANCES, type VerdictReport } from '../../core/evaluate/refineObjective';
import { iterationLine, iterationsInBrief, refineJson, refineOutcome, refineSummary } from '../../core/evaluate/refineReport';
import type { VerdictLabel } from '../../core/evaluate/verdict/types';
import type { Metrics } from '../../core/metrics/types';
import { checksFixture, verdictFixture } from '../helpers/verdicts';

const loadSeries = async (symbols: string[]) => symbols.map((s) => sampleSeries(s));

interface Step {
  returnPct: number | null;
  maxDrawdownPct: number | null;
  trades: number;
  /** The risk evaluator's checks: max drawdown fails when `ddFails`. */
  ddFails?: boolean;
  label: VerdictLabel | null;
  quality?: number;
  failedCheck?: string;
}

function metrics(s: Step): Metrics {
  return { returnPct: s.returnPct, maxDrawdownPct: s.maxDrawdownPct, tradeCount: s.trades, sharpeRatio: 0.5 } as Metrics;
}

function report(s: Step): VerdictReport {
  const checks = [
    { name: 'trades', ok: s.trades >= 5, value: s.trades },
    { name: 'max drawdown', ok: !s.ddFails, value: s.maxDrawdownPct === null ? null : -s.maxDrawdownPct },
  ];
  return {
    evaluators: [{ id: 'risk', name: 'Risk check', kind: 'deterministic', status: checks.every((c) => c.ok) ? 'passed' : 'failed', score: 0.5, passed: checks.every((c) => c.ok), reasons: ['stub'], details: { checks } }],
    overallScore: 0.5, basedOn: 1, of: 1, criticalFailures: [], summary: 'stub', tradeReasons: [], findings: [], elapsedMs: 1,
    ...(s.label ? { verdict: verdictFixture(s.label, [`${s.label} (stub)`], s.quality ?? 0.5), checks: checksFixture(s.failedCheck ? { [s.failedCheck]: 'stub failure' } : {}) } : {}),
  } as VerdictReport; // without a label: a report saved before verdicts existed
}

/** Backtest and evaluation that play `sequence` in order, one entry per iteration; records what the loop passed. */
function stubbed(sequence: Step[]): { steps: RefineSteps; trials: number[] } {
  let b = 0;
  let e = 0;
  const trials: number[] = [];
  return {
    trials,
    steps: {
      backtest: async () => ({ metrics: metrics(sequence[b++]) } as BacktestResult),
      evaluate: async (input) => { trials.push(input.trials); return report(sequence[e++]); },
    },
  };
}

const RSI_3565 = 'Buy AAPL when RSI drops below 35, sell when it rises above 65';
const STRICT = 'Buy AAPL when RSI drops below 10, sell when it rises above 90';

describe('refine keeps a change only when the verdict improves within the return and drawdown tolerances', () => {
  it('the issue\'s case: a stop that lifts the verdict but cuts the return 230 % → 3.2 % and deepens the drawdown is not kept, and says so', async () => {
    const { steps } = stubbed([
      { returnPct: 230, maxDrawdownPct: -59.7, trades: 40, ddFails: true, label: 'fragile' },
      { returnPct: 3.2, maxDrawdownPct: -68.2, trades: 60, ddFails: true, label: 'weak-evidence' },
    ]);
    const r = await refine({ idea: RSI_3565, iterations: 2, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true, steps });
    const [first, second] = r.iterations;
    assert.deepEqual(second.changes, ['risk: added a 8% stop-loss (max drawdown −59.7% was beyond the limit and there was no stop)']);
    assert.equal(second.decision.kept, false);
    assert.match(second.decision.why, /^not kept: the verdict improved \(Fragile → Weak evidence\) but return 3\.20 % is 226\.80 points worse than 230\.00 % in iteration 1 \(tolerance 23\.00\) and max drawdown -68\.20 % is 8\.50 points worse than -59\.70 % in iteration 1 \(tolerance 5\.97\)$/);
    assert.deepEqual(second.aimResults, [{ flaw: 'a drawdown beyond the limit (−59.7%)', reached: false, detail: "risk check 'max drawdown' still fails (68.20)" }]);
    assert.equal(r.best, first, 'the first version is what gets written');
    assert.deepEqual(refineOutcome(r).worseThanFirst, []);
    const line = iterationLine(second, 2);
    assert.match(line, /^iteration 2\/2: Weak evidence · 60 trades, return 3\.20 %, Sharpe 0\.50, max drawdown -68\.20 % · changed: risk: added a 8% stop-loss/);
    assert.match(line, / · aimed at a drawdown beyond the limit \(−59\.7%\): missed \(risk check 'max drawdown' still fails \(68\.20\)\) · not kept: the verdict improved/);
    assert.match(refineSummary(r), /^Kept: iteration 1 of 2 \(Fragile\)\. Stopped: /);
    assert.match(iterationsInBrief(r), /^#1 Fragile first version \(offline generator\) \(kept\) · #2 Weak evidence risk: added a 8% stop-loss .* \(not kept\)$/);
  });

  it('an iteration that fixes the flaw it aimed at says it reached it, and is kept when the verdict improves', async () => {
    const { steps } = stubbed([
      { returnPct: 0, maxDrawdownPct: 0, trades: 0, label: 'insufficient-evidence' },
      { returnPct: 12, maxDrawdownPct: -9, trades: 24, label: 'weak-evidence' },
    ]);
    const r = await refine({ idea: STRICT, iterations: 2, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true, steps });
    const second = r.iterations[1];
    assert.deepEqual(second.changes, ['entry: RSI(14) < 10 → RSI(14) < 15 (nothing traded)']);
    assert.deepEqual(second.aimResults, [{ flaw: 'too few trades (nothing traded)', reached: true, detail: "risk check 'trades' now passes (24.00)" }]);
    assert.equal(second.decision.kept, true);
    assert.equal(second.decision.why, 'kept: the verdict improved (Insufficient evidence → Weak evidence); iteration 1 made no trade, so it had no return or drawdown to protect');
    assert.equal(r.best, second);
    assert.match(iterationLine(second, 2), / · aimed at too few trades \(nothing traded\): reached \(risk check 'trades' now passes \(24\.00\)\) · kept: the verdict improved \(Insufficient evidence → Weak evidence\); iteration 1 made no trade/);
    const json = refineJson(r, { idea: STRICT, requested: 2, sandbox: 'none', written: null });
    assert.deepEqual(json.iterations.map((it) => [it.kept, it.best, it.verdict?.label]), [[true, false, 'insufficient-evidence'], [true, true, 'weak-evidence']]);
    assert.deepEqual(json.iterations[1].aims, second.aimResults);
    assert.match(json.objective, /kept only when the verdict improves/);
  });

  it('a fix that reaches its aim but does not improve the verdict is reported as reached and not kept', async () => {
    const { steps } = stubbed([
      { returnPct: 0, maxDrawdownPct: 0, trades: 0, label: 'insufficient-evidence', quality: 0.5 },
      { returnPct: 1, maxDrawdownPct: -2, trades: 6, label: 'insufficient-evidence', quality: 0.4 },
    ]);
    const r = await refine({ idea: STRICT, iterations: 2, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true, steps });
    assert.equal(r.iterations[1].aimResults[0].reached, true);
    assert.equal(r.iterations[1].decision.why, 'not kept: the verdict did not improve (Insufficient evidence → Insufficient evidence, rank 1.50 → 1.40)');
    assert.equal(r.best.iteration, 1);
  });

  it('a better word with a failed check is "Do not trust" and is not kept', async () => {
    const { steps } = stubbed([
      { returnPct: 0, maxDrawdownPct: 0, trades: 0, label: 'insufficient-evidence' },
      { returnPct: 40, maxDrawdownPct: -10, trades: 30, label: 'promising', failedCheck: 'lookahead' },
    ]);
    const r = await refine({ idea: STRICT, iterations: 2, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true, steps });
    assert.match(r.iterations[1].decision.why, /^not kept: the verdict did not improve \(Insufficient evidence → Do not trust, rank 1\.50 → 0\.50\)$/);
    assert.match(iterationLine(r.iterations[1], 2), /^iteration 2\/2: Do not trust · /);
  });

  it('without verdicts (an evaluation that has none) nothing replaces the first version, and the line says why', async () => {
    const { steps } = stubbed([
      { returnPct: 0, maxDrawdownPct: 0, trades: 0, label: null },
      { returnPct: 50, maxDrawdownPct: -5, trades: 30, label: null },
    ]);
    const r = await refine({ idea: STRICT, iterations: 2, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true, steps });
    assert.equal(r.best.iteration, 1);
    assert.match(r.iterations[1].decision.why, /^not kept: no verdict to compare \(no verdict → no verdict\)$/);
  });

  it('stops once the kept version is Promising with every check passed, and counts every iteration as a trial', async () => {
    const { steps, trials } = stubbed([
      { returnPct: 0, maxDrawdownPct: 0, trades: 0, label: 'insufficient-evidence' },
      { returnPct: 20, maxDrawdownPct: -8, trades: 30, label: 'promising' },
      { returnPct: 25, maxDrawdownPct: -8, trades: 30, label: 'promising' },
    ]);
    const r = await refine({ idea: STRICT, iterations: 3, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true, steps, trialsBefore: 5 });
    assert.equal(r.iterations.length, 2);
    assert.equal(r.stoppedBecause, 'iteration 2 reached the verdict Promising with every check passed');
    assert.deepEqual(trials, [6, 7], 'iteration i is evaluated as trial trialsBefore + i');
    assert.deepEqual(r.iterations.map((it) => it.trials), [6, 7]);
    assert.equal(r.trials, 2);
  });

  it('kept steps within tolerance that add up to a worse version than the first are said in the summary', async () => {
    const { steps } = stubbed([
      { returnPct: 10, maxDrawdownPct: -10, trades: 3, label: 'insufficient-evidence' },
      { returnPct: 8.5, maxDrawdownPct: -10, trades: 12, ddFails: true, label: 'fragile' },
      { returnPct: 7, maxDrawdownPct: -11.5, trades: 30, label: 'weak-evidence' },
    ]);
    const r = await refine({ idea: STRICT, iterations: 3, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true, steps });
    assert.deepEqual(r.iterations.map((it) => it.decision.kept), [true, true, true]);
    assert.equal(r.iterations[1].decision.why, 'kept: the verdict improved (Insufficient evidence → Fragile); return 8.50 % is 1.50 points worse than 10.00 % in iteration 1 (tolerance 2.00)');
    assert.deepEqual(refineOutcome(r).worseThanFirst, [
      'return 7.00 % against 10.00 % in iteration 1 (3.00 points worse)',
      'max drawdown -11.50 % against -10.00 % in iteration 1 (1.50 points worse)',
    ]);
    assert.match(refineSummary(r), /^Kept: iteration 3 of 3 \(Weak evidence\)\. Stopped: .*\. Worse than the first version: return 7\.00 % against 10\.00 % in iteration 1 \(3\.00 points worse\); max drawdown -11\.50 % against -10\.00 % in iteration 1 \(1\.50 points worse\)\.$/);
  });
});

describe('judgeCandidate: the tolerances at their edges', () => {
  const kept = (returnPct: number, maxDrawdownPct: number) => ({ iteration: 1, report: report({ returnPct, maxDrawdownPct, trades: 20, label: 'fragile' }), metrics: metrics({ returnPct, maxDrawdownPct, trades: 20, label: 'fragile' }) });
  const cand = (returnPct: number | null, maxDrawdownPct: number | null) => ({ iteration: 2, report: report({ returnPct, maxDrawdownPct, trades: 20, label: 'promising' }), metrics: metrics({ returnPct, maxDrawdownPct, trades: 20, label: 'promising' }) });

  it('return: the larger of the points and the fraction of the kept return', () => {
    assert.equal(REFINE_TOLERANCES.returnPoints, 2);
    assert.equal(judgeCandidate(cand(8, -5), kept(10, -5)).kept, true, 'exactly 2 points: kept');
    assert.equal(judgeCandidate(cand(7.99, -5), kept(10, -5)).kept, false, 'just beyond 2 points');
    assert.equal(judgeCandidate(cand(180, -5), kept(200, -5)).kept, true, '10 % of 200 = 20 points');
    assert.equal(judgeCandidate(cand(179.9, -5), kept(200, -5)).kept, false);
    assert.equal(judgeCandidate(cand(-12, -5), kept(-10, -5)).kept, true, 'a loss 2 points deeper is within');
  });

  it('drawdown: deeper by more than the tolerance is not kept; shallower is never a problem', () => {
    assert.equal(judgeCandidate(cand(10, -42), kept(10, -40)).kept, true, '10 % of 40 = 4 points');
    assert.equal(judgeCandidate(cand(10, -44.1), kept(10, -40)).kept, false);
    const better = judgeCandidate(cand(12, -20), kept(10, -40));
    assert.deepEqual(better, { kept: true, why: 'kept: the verdict improved (Fragile → Promising)', worse: [] });
  });

  it('a missing return or drawdown cannot be shown to be no worse: not kept', () => {
    assert.match(judgeCandidate(cand(null, -5), kept(10, -5)).why, /its return is not available \(iteration 1: 10\.00 %\)/);
    assert.equal(judgeCandidate(cand(10, null), kept(10, -5)).kept, false);
  });

  it('a kept version that never traded has no return or drawdown to protect', () => {
    const none = { iteration: 1, report: report({ returnPct: 0, maxDrawdownPct: 0, trades: 0, label: 'insufficient-evidence' }), metrics: metrics({ returnPct: 0, maxDrawdownPct: 0, trades: 0, label: null }) };
    assert.equal(judgeCandidate(cand(-15, -30), none).kept, true);
  });

  it('no report or no metrics: not kept', () => {
    assert.equal(judgeCandidate({ iteration: 2, report: null }, kept(10, -5)).why, 'not kept: it could not be backtested and evaluated');
  });
});
