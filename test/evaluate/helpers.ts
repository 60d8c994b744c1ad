import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCsv } from '../../core/data/csv';
import { sampleSeries } from '../../core/data/sample';
import type { BarSeries } from '../../core/data/series';
import type { BacktestOptions } from '../../core/engine/types';
import type { EvalContext } from '../../core/evaluate/context';
import { readSpec } from '../../core/evaluate/pipeline';
import { runBatch } from '../../core/evaluate/reruns';
import { resolveEvaluateSettings, type EvaluateSettingsInput } from '../../core/evaluate/settings';
import type { EvaluationReport, EvaluatorId, EvaluatorResult } from '../../core/evaluate/types';
import { readRequestFromSource } from '../../core/generate/header';
import { runStrategy } from '../../core/run/runStrategy';
import { compileStrategy } from '../../core/strategy/compile';
import { repoRoot, sharedData } from '../helpers/paths';

export function fixture(name: string): string {
  return readFileSync(resolve(import.meta.dirname, 'fixtures', `${name}.strategy.ts`), 'utf8');
}

export function example(name: string): string {
  return readFileSync(resolve(repoRoot, 'examples', `${name}.strategy.ts`), 'utf8');
}

let sample: BarSeries | undefined;
/** The synthetic AAPL sample (2015–2024, 2,588 daily bars). */
export function sampleAapl(): BarSeries {
  sample ??= sampleSeries('AAPL');
  return sample;
}

let real: Promise<BarSeries> | undefined;
/** Real AAPL daily bars 1998–2021 from ../shared/data. */
export function realAapl(): Promise<BarSeries> {
  real ??= loadCsv(sharedData('AAPL_daily_1998_2021_lean.csv'), { symbol: 'AAPL' });
  return real;
}

/** An evaluation context with the strategy really run (in this process: trusted fixtures). */
export async function contextFor(
  source: string,
  series: BarSeries[],
  opts: { request?: string; options?: BacktestOptions; settings?: EvaluateSettingsInput } = {},
): Promise<EvalContext> {
  const compiled = await compileStrategy(source, 'fixture.strategy.ts');
  const options = opts.options ?? {};
  const result = await runStrategy({ compiled, series, options, mode: 'none' });
  const request = opts.request ?? readRequestFromSource(source);
  return {
    source,
    fileName: 'fixture.strategy.ts',
    request,
    ...readSpec(request),
    series,
    options,
    mode: 'none',
    compiled,
    result,
    settings: resolveEvaluateSettings(opts.settings),
  };
}

/** Runs a set of re-run jobs for an evaluator, in this process. */
export function rerun(ctx: EvalContext, jobs: Parameters<typeof runBatch>[1]) {
  return runBatch({ compiled: ctx.compiled!, mode: 'none', options: ctx.options, concurrency: 1 }, jobs);
}

export function byId(report: EvaluationReport, id: EvaluatorId): EvaluatorResult {
  const found = report.evaluators.find((e) => e.id === id);
  if (!found) throw new Error(`no evaluator ${id} in the report`);
  return found;
}
