/**
 * A real saved run for the UI, history and report tests: the example RSI strategy
 * compiled and backtested in this process on real AAPL prices from ../shared/data,
 * turned into a RunRecord exactly as the extension saves it. Nothing here is typed in by hand.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { loadCsv } from '../../core/data/csv';
import { sliceSeries, type BarSeries } from '../../core/data/series';
import { evaluateStrategy } from '../../core/evaluate/index';
import { summarizeEvaluation } from '../../core/history/evaluation';
import { createRunRecord } from '../../core/history/record';
import type { RunLogLine, RunRecord } from '../../core/history/types';
import { runInThisProcess } from '../../core/run/runStrategy';
import { compileStrategy } from '../../core/strategy/compile';
import { repoRoot, sharedData } from '../helpers/paths';

export const EXAMPLE = 'examples/rsi-reversion.strategy.ts';

export interface RealRunOptions {
  from?: string;
  to?: string;
  params?: Record<string, number>;
  commission?: number;
  /** Starting cash (default 10,000). */
  cash?: number;
  createdAt?: Date;
  /** Run the evaluation pipeline too (re-runs in this process: the example is trusted code). */
  evaluate?: boolean;
}

let aapl: Promise<BarSeries> | undefined;

export async function realRun(opts: RealRunOptions = {}): Promise<RunRecord> {
  const from = opts.from ?? '2012-01-01';
  const to = opts.to ?? '2016-12-31';
  aapl ??= loadCsv(sharedData('AAPL_daily_1998_2021_lean.csv'), { symbol: 'AAPL' });
  const series = [sliceSeries(await aapl, Date.parse(`${from}T00:00:00Z`), Date.parse(`${to}T00:00:00Z`))];
  const source = await readFile(resolve(repoRoot, EXAMPLE), 'utf8');
  const compiled = await compileStrategy(source, 'rsi-reversion.strategy.ts');
  const logs: RunLogLine[] = [];
  const options = { cash: opts.cash ?? 10_000, commission: opts.commission ?? 0.001, ...(opts.params ? { params: opts.params } : {}) };
  const started = performance.now();
  const result = runInThisProcess({ compiled, series, options, mode: 'none', onLog: (l) => logs.push({ time: l.time === null ? null : new Date(l.time).toISOString().slice(0, 10), message: l.message }) });
  const evaluation = opts.evaluate
    ? summarizeEvaluation(await evaluateStrategy({ source, fileName: 'rsi-reversion.strategy.ts', series, options, mode: 'none', result, compiled }), { source, fileName: 'rsi-reversion.strategy.ts' })
    : null;
  return createRunRecord({
    result,
    series,
    strategy: { name: result.run.strategy, file: EXAMPLE, source, request: 'Buy AAPL when RSI drops below 35, sell when it rises above 65' },
    data: { source: 'csv', timeframe: '1d', note: 'AAPL_daily_1998_2021_lean.csv' },
    options: { ...options, from, to, source: 'csv' },
    sandbox: { mode: 'none', durationMs: Math.round(performance.now() - started) },
    logs,
    evaluation,
    createdAt: opts.createdAt,
  });
}
