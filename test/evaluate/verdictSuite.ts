/**
 * Runs the verdict suite's cases (fixtures/verdict-suite/suite.ts) in this process (`--sandbox none`: the point
 * is the verdict, not the sandbox) and asserts what issue 12 asks of each: a flawed strategy ranks below every
 * honest one and is named by its evaluator with its diagnosis; an honest one gets no false alarm.
 * The suite is split over several test files so node's runner can use both cores.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { it } from 'node:test';
import { loadCsv } from '../../core/data/csv';
import { sliceSeries, type BarSeries } from '../../core/data/series';
import { parseTime } from '../../core/engine/time';
import { evaluateStrategy } from '../../core/evaluate/pipeline';
import type { EvaluationReport } from '../../core/evaluate/types';
import { VERDICT_ORDER } from '../../core/evaluate/verdict/types';
import { IN_SAMPLE_CODE } from '../../core/evaluate/verdict/verdict';
import { RULES } from '../../core/validate/rules';
import { repoRoot, sharedData } from '../helpers/paths';
import { SUITE, type FlawedCase, type HonestCase, type SuiteCase } from './fixtures/verdict-suite/suite';

const FILES: Record<string, string> = {
  AAPL: 'AAPL_daily_1998_2021_lean.csv',
  SPY: 'SPY_daily_1998_2021_lean.csv',
  GOOG: 'GOOG_daily_2004_2013_backtestingpy.csv',
  ORCL: 'ORCL_daily_1995_2014_backtrader.csv',
};

/**
 * Every honest strategy ranks at or above this, every flawed one below it: with both, any flawed strategy ranks
 * below any honest one (the pairwise comparison, across the chunk files).
 */
export const HONEST_FLOOR = VERDICT_ORDER.indexOf('weak-evidence');

const loaded = new Map<string, Promise<BarSeries>>();
function seriesOf(symbol: string): Promise<BarSeries> {
  if (!FILES[symbol]) throw new Error(`no shared data for ${symbol}`);
  if (!loaded.has(symbol)) loaded.set(symbol, loadCsv(sharedData(FILES[symbol]), { symbol }));
  return loaded.get(symbol)!;
}

export function suiteSource(c: SuiteCase): string {
  const dir = c.file.startsWith('examples/') ? repoRoot : resolve(import.meta.dirname, 'fixtures', 'verdict-suite');
  return readFileSync(resolve(dir, `${c.file}.strategy.ts`), 'utf8');
}

export async function evaluateCase(c: SuiteCase): Promise<EvaluationReport> {
  const source = suiteSource(c);
  const symbol = (c.kind === 'flawed' ? c.symbol : undefined) ?? /symbols:\s*\[\s*'(\w+)'/.exec(source)?.[1];
  if (!symbol) throw new Error(`${c.file}: no config.symbols`);
  let series = await seriesOf(symbol);
  if (c.kind === 'flawed' && (c.from || c.to)) series = sliceSeries(series, c.from ? parseTime(c.from) : -Infinity, c.to ? parseTime(c.to) : Infinity);
  return evaluateStrategy({ source, fileName: `${c.file.replace(/^examples\//, '')}.strategy.ts`, series: [series], mode: 'none', options: c.kind === 'flawed' ? c.options : undefined });
}

/** Scores never contradict statuses (issue 12: no PASS with score 0). */
export function assertStatusesMatchScores(report: EvaluationReport): void {
  for (const e of report.evaluators) {
    if (e.status === 'passed') assert.ok(e.score !== null && e.score >= 0.5, `${e.id} passed with score ${e.score}`);
    if (e.status === 'failed') assert.ok(e.score !== null && e.score < 0.5, `${e.id} failed with score ${e.score}`);
    if (e.status === 'skipped' || e.status === 'error') assert.equal(e.score, null, `${e.id} ${e.status} with a score`);
  }
}

function explain(report: EvaluationReport): string {
  return [`verdict ${report.verdict.label} (${report.verdict.rank.toFixed(3)})`, ...report.verdict.reasons, ...report.evaluators.map((e) => `${e.status} ${e.id}: ${e.reasons[0] ?? ''}`)].join('\n  ');
}

export function flawedTest(c: FlawedCase): void {
  it(`${c.file}${c.symbol ? ` on ${c.symbol}` : ''}${c.options?.params ? ` with ${JSON.stringify(c.options.params)}` : ''}: ${c.flaw} → named by ${c.evaluator}, verdict below every honest strategy`, async () => {
    const report = await evaluateCase(c);
    const why = explain(report);
    assert.ok(report.verdict.rank < HONEST_FLOOR, `flawed strategy ranks ${report.verdict.rank}, not below ${HONEST_FLOOR}:\n  ${why}`);
    const meant = report.evaluators.find((e) => e.id === c.evaluator);
    assert.ok(meant, `no ${c.evaluator} evaluator`);
    assert.equal(meant.status, 'failed', `${c.evaluator} must fail:\n  ${why}`);
    assert.ok(meant.reasons.some((r) => c.diagnosis.test(r)), `${c.evaluator} must say ${c.diagnosis}, said:\n  ${meant.reasons.join('\n  ')}`);
    // The verdict says why, naming the evaluator.
    assert.ok(report.verdict.reasons.some((r) => r.includes(meant.name)), `the verdict's reasons must name ${meant.name}:\n  ${why}`);
    assertStatusesMatchScores(report);
  });
}

export function honestTest(c: HonestCase): void {
  it(`${c.file}: ${c.what} → no false alarm, verdict at least "weak evidence"`, async () => {
    const report = await evaluateCase(c);
    const why = explain(report);
    const alarms = report.evaluators.filter((e) => e.status === 'failed' || e.status === 'error');
    assert.deepEqual(alarms.map((e) => e.id), [], `no evaluator may fail or error on an honest strategy:\n  ${why}`);
    for (const id of ['validation', 'execution', 'integrity', 'lookahead', 'determinism', 'risk', 'robustness', 'costs', 'evidence', 'toogood'] as const) {
      assert.equal(report.evaluators.find((e) => e.id === id)?.status, 'passed', `${id} must have judged and passed:\n  ${why}`);
    }
    assert.ok(report.checks.passed);
    assert.ok(report.verdict.rank >= HONEST_FLOOR, `honest strategy ranks ${report.verdict.rank}:\n  ${why}`);
    assert.ok(report.verdict.evidence && report.verdict.evidence.trades >= 30 && report.verdict.evidence.sharpeCI && report.verdict.evidence.deflatedSharpe !== null);
    assertStatusesMatchScores(report);
  });
}

/** Date tables: when the validator has the in-sample rule, it must find them and the verdict count them. */
export function inSampleRuleKnown(): boolean {
  return IN_SAMPLE_CODE in RULES;
}

export function casesIn(chunk: number, of: number): SuiteCase[] {
  return SUITE.filter((_, i) => i % of === chunk);
}
