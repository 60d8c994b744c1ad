/**
 * One backtest as the extension runs it, from source text to a RunRecord:
 * data → compile → sandbox → metrics → evaluators. No vscode import: the extension
 * passes callbacks for progress and logs, and the sandbox runner it keeps alive.
 */
import { resolveSeries, seriesLabel, type ResolveOptions, type SourceId } from '../data/provider';
import type { BarSeries } from '../data/series';
import type { BacktestOptions, BacktestResult, LogLine } from '../engine/types';
import { everyPointResult } from '../engine/equityCurve';
import { formatTime } from '../engine/time';
import { readRequestFromSource } from '../generate/header';
import type { SandboxMode } from '../run/runStrategy';
import { compileStrategy, type CompiledStrategy } from '../strategy/compile';
import { attachErrorLocation } from '../strategy/errorLocation';
import { readStrategyInfo } from '../strategy/config';
import { PipelineError } from './pipelineError';
import { createRunRecord } from './record';
import type { Stage } from './stages';
import type { EvaluationSummary, RunLogLine, RunOptions, RunRecord } from './types';

export { STAGES, type Stage } from './stages';

export { PipelineError } from './pipelineError';

/** Runs compiled code on bars in some isolation: the extension passes its long-lived SandboxRunner's run. */
export type SandboxRun = (request: {
  compiled: CompiledStrategy;
  series: BarSeries[];
  options: Omit<BacktestOptions, 'onLog' | 'isCancelled'>;
  onLog: (line: LogLine) => void;
  signal?: AbortSignal;
  /**
   * 'drawable' (what the pipeline asks): a run past EQUITY_FULL_MAX bars may return a decimated curve with its
   * full columns beside it (core/engine/equityCurve.ts), so the record and the panel never wait for a million
   * point objects; a run that returns every point is fine too.
   */
  equity?: 'drawable';
}) => Promise<BacktestResult>;

/** What the evaluation step gets: the run exactly as it happened. */
export interface EvaluationRequest {
  source: string;
  fileName: string;
  request?: string;
  result: BacktestResult;
  series: BarSeries[];
  options: Omit<BacktestOptions, 'onLog' | 'isCancelled'>;
  compiled: CompiledStrategy;
  mode: SandboxMode;
}

export interface BacktestJob {
  /** The strategy source as it is in the editor (saved or not). */
  source: string;
  /** Workspace-relative path, forward slashes. */
  file: string;
  options: RunOptions;
  /** Data settings: csv path, cache folder, injected providers. */
  data?: Omit<ResolveOptions, 'source' | 'from' | 'to' | 'signal'>;
  sandbox: { mode: SandboxMode; run: SandboxRun };
  /** The evaluation pipeline, when there is one; without it the run has no evaluation (never a made-up one). */
  evaluate?: (input: EvaluationRequest, signal?: AbortSignal) => Promise<EvaluationSummary | null>;
  onStage?: (stage: Stage) => void;
  /**
   * The finished backtest as a record without its evaluation, before the evaluators start: the editor shows
   * metrics and charts at once and fills the evaluation in when it comes ("results first").
   */
  onResult?: (record: RunRecord) => void;
  onLog?: (line: RunLogLine) => void;
  signal?: AbortSignal;
  /** The user's request; default: the file's `// Request:` header (generated files keep it there), if it has one. */
  request?: string;
}

export async function runBacktestJob(job: BacktestJob): Promise<RunRecord> {
  const fileName = job.file.split('/').pop() || 'strategy.ts';
  const request = job.request?.trim() || readRequestFromSource(job.source)?.trim() || undefined;
  const stage = (s: Stage) => { job.signal?.throwIfAborted(); job.onStage?.(s); };

  stage('data');
  const info = readStrategyInfo(job.source, fileName);
  if (!info.config || !info.className) {
    throw new PipelineError('data', `${fileName}: cannot tell which data to load (${info.problem ?? 'no strategy class'}).`,
      'Give the default-exported class a literal `static config = { symbols: [\'AAPL\'], timeframe: \'1d\' }`: it is read without running your code.');
  }
  const source: SourceId = (job.options.source as SourceId | undefined) ?? 'sample';
  // Data warnings (offline: cached bars only) go to the caller's log and into the record, where the results show them.
  const dataWarnings: string[] = [];
  const series = await resolveSeries(
    { symbols: info.config.symbols ?? [], timeframe: info.config.timeframe ?? '1d', start: info.config.start, end: info.config.end },
    { ...job.data, source, from: job.options.from, to: job.options.to, signal: job.signal, onWarning: (m) => { dataWarnings.push(m); job.data?.onWarning?.(m); } },
  );

  stage('compile');
  const compiled = await compileStrategy(job.source, fileName);

  stage('sandbox');
  const logs: RunLogLine[] = [];
  const onLog = (line: LogLine) => {
    const entry = { time: line.time === null ? null : formatTime(line.time), message: line.message };
    logs.push(entry);
    job.onLog?.(entry);
  };
  const started = performance.now();
  const options = backtestOptions(job.options);
  const drawn = await job.sandbox.run({ compiled, series, options, onLog, signal: job.signal, equity: 'drawable' }).catch(async (err: unknown) => {
    throw await attachErrorLocation(err, job.source, compiled); // the editor's diagnostic and the panel's link
  });
  const durationMs = Math.round(performance.now() - started);

  stage('metrics');
  const dataLabel = [seriesLabel(series), ...dataWarnings].join(' ');
  const record = createRunRecord({
    result: drawn,
    series,
    strategy: { name: info.className, file: job.file, source: job.source, ...(request ? { request } : {}) },
    data: { source, timeframe: info.config.timeframe ?? '1d', note: dataLabel },
    options: job.options,
    sandbox: { mode: job.sandbox.mode, durationMs },
    logs,
  });

  job.onResult?.(record);
  stage('evaluators');
  if (job.evaluate) {
    // The evaluators check every bar: the points are built now, after the results are on screen.
    const result = everyPointResult(drawn);
    record.evaluation = await job.evaluate({ source: job.source, fileName, request, result, series, options, compiled, mode: job.sandbox.mode }, job.signal);
  }
  return record;
}

function backtestOptions(o: RunOptions): Omit<BacktestOptions, 'onLog' | 'isCancelled'> {
  const out: Omit<BacktestOptions, 'onLog' | 'isCancelled'> = {};
  if (o.cash !== undefined) out.cash = o.cash;
  if (o.commission !== undefined) out.commission = o.commission;
  if (o.commissionFixed !== undefined) out.commissionFixed = o.commissionFixed;
  if (o.slippageBps !== undefined) out.slippageBps = o.slippageBps;
  if (o.fill !== undefined) out.fill = o.fill;
  if (o.params !== undefined) out.params = o.params;
  return out;
}
