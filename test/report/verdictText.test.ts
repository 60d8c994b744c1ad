/**
 * The verdict and checks in words on every text surface: CLI evaluate/backtest text, history rows (run summaries),
 * compare, and what a saved run keeps. Written against the contract (core/evaluate/verdict/types.ts) with fixtures.
 */
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { formatSummary } from '../../core/cli/summary';
import { formatReport } from '../../core/evaluate/format';
import type { EvaluationReport } from '../../core/evaluate/types';
import { VERDICT_ORDER, VERDICT_TITLES } from '../../core/evaluate/verdict/types';
import { compareRuns } from '../../core/history/compare';
import { summarizeEvaluation } from '../../core/history/evaluation';
import { summarize } from '../../core/history/record';
import type { EvaluationSummary, RunRecord } from '../../core/history/types';
import {
  NO_VERDICT_NOT_EVALUATED, NO_VERDICT_OLD_RUN, betterVerdict, checksHeadline, formatVerdictBlock, shownVerdict, summaryLabel, verdictBrief, verdictInBrief, verdictWord,
} from '../../core/report/verdictText';
import { checksFixture, verdictFixture } from '../helpers/verdicts';
import { realRun } from '../webview/realRun';

const evaluation = (extra: Partial<EvaluationSummary> = {}): EvaluationSummary => ({ evaluators: [], overallScore: 0.93, basedOn: 8, ...extra });

describe('shownVerdict', () => {
  test('every label: its title and reasons as given', () => {
    for (const label of VERDICT_ORDER) {
      const shown = shownVerdict(evaluation({ checks: checksFixture(), verdict: verdictFixture(label, ['a', 'b']) }));
      assert.ok(typeof shown !== 'string');
      assert.equal(shown.label, label);
      assert.equal(shown.title, VERDICT_TITLES[label]);
      assert.deepEqual(shown.reasons, ['a', 'b']);
      assert.deepEqual(shown.failedChecks, []);
    }
  });

  test('a failed check caps the word at Do not trust and names the check first', () => {
    const shown = shownVerdict(evaluation({ checks: checksFixture({ integrity: 'A fill at 101.20 lies outside its bar.' }), verdict: verdictFixture('promising', ['Sharpe 1.2.']) }));
    assert.ok(typeof shown !== 'string');
    assert.equal(shown.label, 'do-not-trust');
    assert.equal(shown.title, 'Do not trust');
    assert.deepEqual(shown.reasons, ['Integrity failed: A fill at 101.20 lies outside its bar.', 'Sharpe 1.2.']);
  });

  test('an errored check counts as failed ("could not run"); a failed id without an item still shows', () => {
    const checks = checksFixture();
    checks.items[4] = { ...checks.items[4], status: 'error', reason: 'the second run crashed' };
    checks.failed = ['determinism', 'lookahead'];
    checks.passed = false;
    const shown = shownVerdict(evaluation({ checks, verdict: verdictFixture('weak-evidence') }));
    assert.ok(typeof shown !== 'string');
    assert.equal(shown.label, 'do-not-trust');
    assert.deepEqual(shown.reasons.slice(0, 2), ['Determinism could not run: the second run crashed', 'lookahead failed']);
    assert.equal(checksHeadline(checks), '2 of 5 checks failed: determinism, lookahead');
  });

  test('no verdict: says why, never invents one', () => {
    assert.equal(shownVerdict(null), NO_VERDICT_NOT_EVALUATED);
    assert.equal(shownVerdict(evaluation()), NO_VERDICT_OLD_RUN);
    assert.equal(verdictWord(evaluation()), 'no verdict (run saved before verdicts)');
  });

  test('checks headline: all passed, some skipped, none', () => {
    assert.equal(checksHeadline(checksFixture()), 'all 5 checks passed');
    const skipped = checksFixture();
    skipped.items[0] = { ...skipped.items[0], status: 'skipped' };
    assert.equal(checksHeadline(skipped), '4 of 5 checks passed (1 skipped: validation)');
    assert.equal(checksHeadline(undefined), 'no checks (run saved before verdicts)');
  });
});

describe('CLI text', () => {
  const report = (extra: object): EvaluationReport & Partial<Pick<EvaluationSummary, 'checks' | 'verdict'>> => ({
    evaluators: [{ id: 'risk', name: 'Risk check', kind: 'deterministic', status: 'passed', score: 0.9, passed: true, reasons: ['Drawdown within the limit.'] }],
    overallScore: 0.9, basedOn: 1, of: 1, criticalFailures: [], summary: 'Overall 0.90 from 1 of 1 evaluators.', tradeReasons: [], findings: [], elapsedMs: 5, ...extra,
  }) as unknown as EvaluationReport; // `extra` may leave out checks and verdict: a report made before verdicts

  test('evaluate text ends with the verdict, its reasons and evidence, then each check pass/fail', () => {
    const text = formatReport(report({ checks: checksFixture({ lookahead: 'Signals changed when the future was cut off.' }), verdict: verdictFixture('weak-evidence', ['Only 14 trades.']) }), 'class X {}');
    const tail = text.slice(text.indexOf('Verdict:'));
    assert.match(tail, /^Verdict: Do not trust\n {2}- Look-ahead failed: Signals changed when the future was cut off\.\n {2}- Only 14 trades\.\n {2}Evidence: 42 trades over 9\.9 years · Sharpe 0\.61 \(95 % CI 0\.12 to 1\.10\)/);
    assert.match(tail, /\nChecks: 1 of 5 checks failed: lookahead\n {2}PASS {2}Validation {3}Validation found nothing wrong\.\n/);
    assert.match(tail, /\n {2}FAIL {2}Look-ahead {3}Signals changed when the future was cut off\.\n/);
    assert.ok(text.indexOf('Verdict:') > text.indexOf('Risk check'), 'the verdict comes after the evaluator lines');
  });

  test('evaluate text of a report without a verdict says so', () => {
    const text = formatReport(report({}), 'class X {}');
    assert.match(text, /\nVerdict: no verdict \(run saved before verdicts\)\nChecks: no checks \(run saved before verdicts\)\n/);
  });

  test('the verdict block of each label starts with its title', () => {
    for (const label of VERDICT_ORDER) assert.match(formatVerdictBlock(evaluation({ checks: checksFixture(), verdict: verdictFixture(label) })), new RegExp(`^Verdict: ${VERDICT_TITLES[label]}\\n`));
    assert.equal(formatVerdictBlock(null), `Verdict: ${NO_VERDICT_NOT_EVALUATED}`);
  });

  test('one-line brief for refine and notifications', () => {
    assert.equal(verdictInBrief(verdictFixture('fragile', ['Robustness: the edge halves out of sample.']), checksFixture()), 'Fragile (Robustness: the edge halves out of sample.)');
    assert.equal(verdictInBrief(verdictFixture('promising', ['x']), checksFixture({ integrity: 'forged fill' })), 'Do not trust (Integrity failed: forged fill)');
    assert.equal(verdictInBrief(null), NO_VERDICT_OLD_RUN);
  });
});

describe('saved runs, history rows and compare', () => {
  let plain: RunRecord;
  before(async () => { plain = await realRun(); });
  const withEval = (e: EvaluationSummary | null): RunRecord => ({ ...plain, evaluation: e });

  test('backtest text says a backtest alone has no verdict and where to get one', () => {
    assert.match(formatSummary(plain.result, 'test data'), /\nVerdict: none \(a backtest alone is not evaluated\): `strategy-lab evaluate <file>` gives the checks and the verdict\.\n$/);
  });

  test('a run summary keeps the verdict word and rank and the failed checks; rows read from it', () => {
    const s = summarize(withEval(evaluation({ checks: checksFixture({ integrity: 'forged' }), verdict: verdictFixture('fragile', ['x'], 0.25) })));
    assert.deepEqual(s.verdict, { label: 'fragile', title: 'Fragile', rank: 2.25 });
    assert.deepEqual(s.failedChecks, ['integrity']);
    assert.equal(verdictBrief(s), 'Do not trust (integrity failed)');
    assert.equal(summaryLabel(s), 'do-not-trust');
    const ok = summarize(withEval(evaluation({ checks: checksFixture(), verdict: verdictFixture('promising') })));
    assert.equal(verdictBrief(ok), 'Promising');
    assert.deepEqual(ok.failedChecks, []);
  });

  test('rows of runs without a verdict: not evaluated, or saved before verdicts (also old summary files)', () => {
    const notEvaluated = summarize(withEval(null));
    assert.equal(notEvaluated.verdict, null);
    assert.equal(verdictBrief(notEvaluated), NO_VERDICT_NOT_EVALUATED);
    const old = summarize(withEval(evaluation()));
    assert.equal('verdict' in old, false);
    assert.equal(verdictBrief(old), NO_VERDICT_OLD_RUN);
    // A summary file written before the field existed parses without it.
    const { verdict: _v, failedChecks: _f, ...oldFile } = summarize(withEval(evaluation({ verdict: verdictFixture('promising') })));
    assert.equal(verdictBrief(JSON.parse(JSON.stringify(oldFile))), NO_VERDICT_OLD_RUN);
    assert.equal(summaryLabel(oldFile as Parameters<typeof summaryLabel>[0]), null);
  });

  test('the saved evaluation keeps the pipeline\'s checks and verdict as they are', () => {
    const checks = checksFixture({ determinism: 'Two runs differ at trade 3.' });
    const verdict = verdictFixture('do-not-trust', ['Determinism failed.']);
    const report: EvaluationReport & Pick<EvaluationSummary, 'checks' | 'verdict'> = {
      evaluators: [], overallScore: null, basedOn: 0, of: 0, criticalFailures: [], summary: '', tradeReasons: [], findings: [], elapsedMs: 1, checks, verdict,
    };
    const saved = summarizeEvaluation(report);
    assert.deepEqual(saved.checks, checks);
    assert.deepEqual(saved.verdict, verdict);
    const before = summarizeEvaluation({ ...report, checks: undefined, verdict: undefined } as unknown as EvaluationReport);
    assert.equal('verdict' in before || 'checks' in before, false, 'no invented verdict for a report without one');
  });

  test('compare: both verdict words, the better one by word only, and both checks', () => {
    const a = withEval(evaluation({ checks: checksFixture(), verdict: verdictFixture('weak-evidence', ['x'], 0.9) }));
    const b = withEval(evaluation({ checks: checksFixture(), verdict: verdictFixture('promising', ['y'], 0.1) }));
    const cmp = compareRuns(a, b);
    assert.deepEqual(cmp.verdict, { a: 'Weak evidence', b: 'Promising', better: 'b', checks: { a: 'all 5 checks passed', b: 'all 5 checks passed' } });
    // A failed check on the "promising" run turns it around.
    const forged = withEval(evaluation({ checks: checksFixture({ integrity: 'forged' }), verdict: verdictFixture('promising') }));
    assert.deepEqual(compareRuns(a, forged).verdict, { a: 'Weak evidence', b: 'Do not trust', better: 'a', checks: { a: 'all 5 checks passed', b: '1 of 5 checks failed: integrity' } });
    // Same word: neither is better, whatever the within-word rank.
    assert.equal(betterVerdict(a.evaluation, withEval(evaluation({ verdict: verdictFixture('weak-evidence', ['z'], 0.1) })).evaluation), null);
    // No verdict on one side: nothing to compare.
    const old = compareRuns(a, withEval(evaluation()));
    assert.deepEqual(old.verdict, { a: 'Weak evidence', b: NO_VERDICT_OLD_RUN, better: null, checks: { a: 'all 5 checks passed', b: 'no checks (run saved before verdicts)' } });
    assert.deepEqual(compareRuns(withEval(null), a).verdict.checks, { a: null, b: 'all 5 checks passed' });
  });
});
