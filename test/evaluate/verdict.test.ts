/**
 * The verdict from the evaluators' results (core/evaluate/verdict/verdict.ts): the worst cap wins, never an
 * average; in-sample dates (validator rule SL070) are counted; the rank orders labels before numbers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { breakEvenMultiple, costMultiples } from '../../core/evaluate/evaluators/costs';
import { evaluateStrategy } from '../../core/evaluate/pipeline';
import { DEFAULT_EVALUATE_SETTINGS } from '../../core/evaluate/settings';
import { scored, skipped, errored, type EvaluatorId, type EvaluatorResult } from '../../core/evaluate/types';
import { VERDICT_ORDER, verdictRank, type Evidence } from '../../core/evaluate/verdict/types';
import { CHECK_IDS, checksOf, IN_SAMPLE_CODE, verdictOf } from '../../core/evaluate/verdict/verdict';
import { validateStrategySource } from '../../core/validate/index';
import { RULES } from '../../core/validate/rules';
import { byId, realAapl } from './helpers';
import { evaluateCase, suiteSource } from './verdictSuite';
import { SUITE } from './fixtures/verdict-suite/suite';

const base = (id: EvaluatorId) => ({ id, name: `The ${id}`, kind: 'deterministic' as const });
const pass = (id: EvaluatorId, reason = `${id} fine`) => scored(base(id), 1, true, [reason]);
const fail = (id: EvaluatorId, reason = `${id} broke`) => scored(base(id), 0, false, [reason]);

const STRONG: Evidence = {
  trades: 80, years: 20, sharpe: 0.9, sharpeCI: { low: 0.3, high: 1.4, level: 0.95, method: 'test' }, returnCI: null, tradeReturnCI: null,
  probabilisticSharpe: 0.999, deflatedSharpe: 0.98, trials: 5,
};
const WEAK: Evidence = { ...STRONG, sharpeCI: { ...STRONG.sharpeCI!, low: -0.1 }, deflatedSharpe: 0.7 };

/** Every evaluator passed, with the given overrides. */
function results(over: Partial<Record<EvaluatorId, EvaluatorResult>> = {}): EvaluatorResult[] {
  const ids: EvaluatorId[] = [...CHECK_IDS, 'risk', 'robustness', 'costs', 'evidence', 'toogood', 'alignment', 'conformance'];
  return ids.map((id) => over[id] ?? pass(id, id === 'evidence' ? 'Strong evidence: …' : undefined));
}
const verdict = (rs: EvaluatorResult[], evidence: Evidence | null = STRONG, inSample: { line: number; message: string }[] = []) => verdictOf(rs, evidence, inSample, DEFAULT_EVALUATE_SETTINGS);

describe('the verdict', () => {
  it('is promising only when everything passed and the evidence is strong', () => {
    const v = verdict(results());
    assert.equal(v.label, 'promising');
    assert.equal(v.title, 'Promising');
    assert.ok(v.rank >= VERDICT_ORDER.indexOf('promising') && v.rank < VERDICT_ORDER.length);
    assert.equal(verdict(results(), WEAK).label, 'weak-evidence');
  });

  it('one failed check is "do not trust" whatever the rest says, and the reason names it first', () => {
    for (const id of CHECK_IDS) {
      const v = verdict(results({ [id]: fail(id) }));
      assert.equal(v.label, 'do-not-trust', id);
      assert.match(v.reasons[0], new RegExp(`^Check failed — The ${id}: ${id} broke`));
    }
    const e = verdict(results({ integrity: errored(base('integrity'), 'could not check') }));
    assert.equal(e.label, 'do-not-trust');
    assert.match(e.reasons[0], /Check could not run/);
  });

  it('the worst cap wins: insufficient evidence beats fragile; do not trust beats both', () => {
    assert.equal(verdict(results({ risk: fail('risk') })).label, 'fragile');
    assert.equal(verdict(results({ risk: fail('risk'), evidence: fail('evidence') })).label, 'insufficient-evidence');
    assert.equal(verdict(results({ risk: fail('risk'), evidence: fail('evidence'), toogood: fail('toogood') })).label, 'do-not-trust');
    assert.equal(verdict(results({ alignment: fail('alignment') })).label, 'do-not-trust');
    const v = verdict(results({ risk: fail('risk'), evidence: fail('evidence') }));
    assert.match(v.reasons[0], /^The evidence: evidence broke/, 'the deciding cap comes first');
    assert.ok(v.reasons.some((r) => /The risk failed: risk broke/.test(r)), 'the others are still said');
  });

  it('an evaluator that could not judge is unknown: at best weak evidence, never promising', () => {
    for (const r of [skipped(base('robustness'), 'Unknown: no Sharpe'), errored(base('costs'), 'every re-run failed')]) {
      const v = verdict(results({ [r.id]: r }));
      assert.equal(v.label, 'weak-evidence', r.id);
      assert.ok(v.reasons.some((x) => /could not judge the strategy, so it is unknown/.test(x)));
    }
  });

  it(`counts in-sample knowledge (${IN_SAMPLE_CODE}) as "do not trust", with the count and the first line`, () => {
    const v = verdict(results(), STRONG, [{ line: 7, message: 'a table of 120 dates as strings in a Set.' }, { line: 30, message: 'a date literal.' }]);
    assert.equal(v.label, 'do-not-trust');
    assert.match(v.reasons[0], /^In-sample knowledge in the code \(SL070, 2 place\(s\), first line 7\): a table of 120 dates/);
  });

  it('ranks by label first: the best fragile result is below the worst weak-evidence one', () => {
    const fragile = verdict(results({ robustness: fail('robustness') }), { ...STRONG, probabilisticSharpe: 1 });
    const weak = verdict(results(), { ...WEAK, deflatedSharpe: 0 });
    assert.equal(fragile.label, 'fragile');
    assert.equal(weak.label, 'weak-evidence');
    assert.ok(fragile.rank < weak.rank);
    assert.equal(verdictRank('fragile', 5), 2.999);
    assert.equal(verdictRank('fragile', Number.NaN), 2);
  });

  it('lists the checks apart, with skipped ones as skipped', () => {
    const c = checksOf(results({ lookahead: skipped(base('lookahead'), 'Not judged'), determinism: fail('determinism') }));
    assert.deepEqual(c.items.map((i) => [i.id, i.status]), [['validation', 'passed'], ['execution', 'passed'], ['integrity', 'passed'], ['lookahead', 'skipped'], ['determinism', 'failed']]);
    assert.equal(c.passed, false);
    assert.deepEqual(c.failed, ['determinism']);
  });
});

describe('the validator finding SL070 reaches the verdict', () => {
  const dateCases = SUITE.filter((c) => /^flawed-date-(set|map|utc|object)/.test(c.file));

  it('the suite has a date table in every form the issue names (Set, Map, Date.UTC array, object)', () => {
    assert.equal(dateCases.length, 4);
  });

  // Rule SL070 is the validator's (another part of the project): once it is there, each table must be found by it and counted
  // by the verdict; with or without it, the too-good-to-be-true check catches these tables (a second line of defence).
  it('each date table is caught: by SL070 when the validator has the rule, and by too-good-to-be-true in any case', async () => {
    const ruleKnown = IN_SAMPLE_CODE in RULES;
    for (const c of dateCases) {
      const report = await evaluateCase(c);
      assert.equal(report.verdict.label, 'do-not-trust', c.file);
      assert.equal(byId(report, 'toogood').status, 'failed', c.file);
      const inSample = byId(report, 'validation').details?.inSample as unknown[];
      if (ruleKnown) {
        const found = validateStrategySource(suiteSource(c), `${c.file}.strategy.ts`).diagnostics.filter((d) => d.code === IN_SAMPLE_CODE);
        assert.ok(found.length > 0 && inSample.length === found.length, `${c.file}: SL070 must find the table and the validation evaluator keep it`);
        assert.ok(report.verdict.reasons.some((r) => r.startsWith(`In-sample knowledge in the code (${IN_SAMPLE_CODE}`)), report.verdict.reasons.join('\n'));
      } else {
        assert.deepEqual(inSample, [], 'no rule, no SL070 findings');
      }
    }
  });
});

describe('cost stress arithmetic', () => {
  it('tries 1, m, 2m and 4m times the realistic costs', () => {
    assert.deepEqual(costMultiples(2), [1, 2, 4, 8]);
    assert.deepEqual(costMultiples(1), [1, 2, 4]);
  });

  it('break-even: linear between the levels where the return crosses 0', () => {
    // Own run at 0 costs: +40 %; ×1: +20 %; ×2: −20 % → crosses halfway between 1 and 2.
    assert.equal(breakEvenMultiple(0, 10, 40, [{ multiple: 1, returnPct: 20 }, { multiple: 2, returnPct: -20 }]), 1.5);
    assert.equal(breakEvenMultiple(0, 10, 40, [{ multiple: 1, returnPct: 30 }, { multiple: 8, returnPct: 1 }]), null, 'never crosses');
    assert.equal(breakEvenMultiple(0, 10, -5, [{ multiple: 1, returnPct: -6 }]), 0, 'loses money without costs');
    // Own run already at 10 bps all in (×1 of 10 bps): starts there.
    assert.equal(breakEvenMultiple(10, 10, 30, [{ multiple: 2, returnPct: -10 }, { multiple: 4, returnPct: -30 }]), 1.75);
  });
});

describe('trials deflate the Sharpe ratio', () => {
  it('the same run with 600 variants tried has a lower DSR than with 1, and the same PSR', async () => {
    const c = SUITE.find((x) => x.file === 'flawed-overfit-rsi-band-goog')!;
    const one = await evaluateCase(c);
    const source = suiteSource(c);
    const { loadCsv } = await import('../../core/data/csv');
    const { sharedData } = await import('../helpers/paths');
    const series = await loadCsv(sharedData('GOOG_daily_2004_2013_backtestingpy.csv'), { symbol: 'GOOG' });
    const many = await evaluateStrategy({ source, series: [series], mode: 'none', trials: 600 });
    const a = one.verdict.evidence!;
    const b = many.verdict.evidence!;
    assert.equal(b.trials, 600 + (a.trials - 1));
    assert.equal(b.probabilisticSharpe, a.probabilisticSharpe);
    assert.ok(b.deflatedSharpe! < a.deflatedSharpe! - 0.1, `${b.deflatedSharpe} vs ${a.deflatedSharpe}`);
    assert.ok(byId(many, 'evidence').reasons.some((r) => /over 60\d variant\(s\)/.test(r)));
  });

  it('the evidence of a real run is deterministic (seeded bootstrap)', async () => {
    const { example } = await import('./helpers');
    const series = [await realAapl()];
    const a = await evaluateStrategy({ source: example('rsi-reversion'), series, mode: 'none', settings: { robustness: { maxParams: 0 }, lookahead: { cutPoints: 1 } } });
    const b = await evaluateStrategy({ source: example('rsi-reversion'), series, mode: 'none', settings: { robustness: { maxParams: 0 }, lookahead: { cutPoints: 1 } } });
    assert.deepEqual(a.verdict.evidence, b.verdict.evidence);
    const e = a.verdict.evidence!;
    assert.ok(e.sharpeCI && e.sharpeCI.low < e.sharpe! && e.sharpe! < e.sharpeCI.high, 'the interval contains the estimate');
    assert.ok(e.returnCI && e.returnCI.low < e.returnCI.high);
    assert.ok(e.tradeReturnCI && e.tradeReturnCI.low < e.tradeReturnCI.high);
    assert.match(e.sharpeCI.method, /stationary block bootstrap of [\d,]+ day returns, 1,000 resamples, mean block \d+/);
  });
});

describe('too good to be true and cost stress, on real runs', () => {
  it('flags an equity curve as smooth as a straight line, and not a real one', async () => {
    const { contextFor, example } = await import('./helpers');
    const { evaluateTooGood, smoothness } = await import('../../core/evaluate/evaluators/toogood');
    const ctx = await contextFor(example('rsi-reversion'), [await realAapl()], { settings: { toogood: { minTrades: 10 } } });
    const real = evaluateTooGood(ctx);
    assert.equal(real.status, 'passed', real.reasons.join('\n'));
    assert.ok(smoothness(ctx.result!)! < 0.9);
    // The same run with its equity replaced by steady 15 % a year growth: nothing else changed.
    const result = structuredClone(ctx.result!);
    result.equity = result.equity.map((p, i) => ({ ...p, equity: 10_000 * Math.pow(1.15, i / 252) * (1 + 0.0005 * Math.sin(i)) }));
    assert.ok(smoothness(result)! > 0.999);
    const smooth = evaluateTooGood({ ...ctx, result });
    assert.equal(smooth.status, 'failed');
    assert.match(smooth.reasons[0], /an equity curve as smooth as a straight line \(R² (0\.99\d\d|1\.0000) above 0\.99\)/);
  });

  it('reports the break-even cost and the edge per trade against the cost per trade', async () => {
    const report = await evaluateCase(SUITE.find((c) => c.file === 'flawed-cost-daily-flip-spy')!);
    const costs = byId(report, 'costs');
    const d = costs.details as { edgePerTradeBps: number; costPerTradeBps: number; breakEven: { multiple: number; commissionBps: number; slippageBps: number }; ladder: { multiple: number; returnPct: number }[] };
    assert.equal(d.costPerTradeBps, 20, '2 × (5 bps commission + 5 bps slippage)');
    assert.ok(d.edgePerTradeBps > 0 && d.edgePerTradeBps < d.costPerTradeBps, `edge ${d.edgePerTradeBps} bps`);
    assert.ok(d.breakEven.multiple > 0 && d.breakEven.multiple < 1, `break-even at ${d.breakEven.multiple}× realistic costs`);
    assert.equal(d.breakEven.commissionBps, d.breakEven.multiple * 5);
    assert.deepEqual(d.ladder.map((l) => l.multiple), [1, 2, 4, 8]);
    assert.ok(d.ladder.every((l, i) => i === 0 || l.returnPct < d.ladder[i - 1].returnPct), 'higher costs, lower return');
    assert.ok(report.evaluators.find((e) => e.id === 'execution')!.status === 'passed');
    assert.ok((report.evaluators.find((e) => e.id === 'evidence')!.details!.evidence as Evidence).trades > 1000);
    assert.match(costs.reasons[1], /^Average edge [\d.]+ bps per trade before costs vs 20\.0 bps cost per round trip/);
  });
});
