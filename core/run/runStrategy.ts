/**
 * One entry point to run a compiled strategy, whatever the isolation: the CLI,
 * the extension and the evaluators all call this.
 */
import type { BarSeries } from '../data/series';
import { runBacktest, runBacktestOverview, runBacktestSummary, type BacktestSummary, type ResultOptions, type RunOverview } from '../engine/backtest';
import type { BacktestOptions, BacktestResult, LogLine } from '../engine/types';
import { overviewInSandbox, runInSandbox, SANDBOX_MODES, type SandboxMode, type SandboxRunner, type SandboxSettings } from '../sandbox/runner';
import type { CompiledStrategy } from '../strategy/compile';
import { loadStrategy, type StrategyClass } from '../strategy/load';

/** docker: the container sandbox (default); process: a restricted child process (weaker); none: this process (trusted code, tests). */
export { SANDBOX_MODES, type SandboxMode };

export interface RunRequest {
  compiled: CompiledStrategy;
  series: BarSeries[];
  options?: BacktestOptions;
  mode: SandboxMode;
  signal?: AbortSignal;
  onLog?: (line: LogLine) => void;
  /** A long-lived runner (warm container pool) kept by the caller; without one, a fresh runner is used and disposed. */
  runner?: SandboxRunner;
  /** Settings for the fresh runner (Docker host, image, limits). */
  settings?: SandboxSettings;
  /**
   * 'drawable': a run past EQUITY_FULL_MAX bars carries a decimated `equity` (flagged in `run.equityDecimated`,
   * full columns via equityColumnsOf), in this process and in a sandbox alike. Default 'all'.
   */
  equity?: 'all' | 'drawable';
  /** In this process: told as the bar loop, the metrics and the result are done (ResultOptions.phases). */
  phases?: ResultOptions['phases'];
}

export async function runStrategy(request: RunRequest): Promise<BacktestResult> {
  const { compiled, series, options, mode, signal, onLog } = request;
  if (mode === 'none') return runInThisProcess({ compiled, series, options, signal, onLog, equity: request.equity, phases: request.phases });
  const job = { ...sandboxJob(request), ...(request.equity ? { equity: request.equity } : {}) };
  return request.runner ? request.runner.run(job) : runInSandbox({ ...job, settings: request.settings });
}

/**
 * The run reduced to what a text summary shows, whatever the isolation: the run stops at its metrics, and from a
 * sandbox no trade, order or equity records cross back (the CLI's `backtest` without --json or --out).
 */
export async function overviewOfRun(request: Omit<RunRequest, 'equity'>): Promise<RunOverview> {
  if (request.mode === 'none') return overviewInThisProcess(request);
  const job = sandboxJob(request);
  return request.runner ? request.runner.overview(job) : overviewInSandbox({ ...job, settings: request.settings });
}

/** A run as it is sent to a sandbox: functions cannot cross, so logs stream back through onLog and cancellation through the signal. */
function sandboxJob({ compiled, series, options, mode, signal, onLog }: RunRequest) {
  const { onLog: optionLog, isCancelled: _ignored, ...plain } = options ?? {};
  return { compiled, series, options: plain, mode, signal, onLog: onLog ?? optionLog };
}

/**
 * How an in-process run gets its class: by default the compiled code is loaded afresh; a batch passes a module
 * compiled once (`strategyModule`) and evaluated per variant, which keeps each variant's module state its own.
 */
interface InProcess {
  loadClass?: () => StrategyClass;
}

/** `runInThisProcess` reduced to a sweep's summary, without building the formatted result. */
export function summarizeInThisProcess({ compiled, series, options, signal, loadClass }: Pick<RunRequest, 'compiled' | 'series' | 'options' | 'signal'> & InProcess): BacktestSummary {
  signal?.throwIfAborted();
  const cls = loadClass ? loadClass() : loadStrategy(compiled.js, compiled.fileName);
  return runBacktestSummary(cls, series, { ...options, isCancelled: signal ? () => signal.aborted : options?.isCancelled });
}

/** `runInThisProcess` reduced to what a text summary shows (the CLI without --json/--out): same metrics, no records. */
export function overviewInThisProcess({ compiled, series, options, signal, onLog, phases }: Pick<RunRequest, 'compiled' | 'series' | 'options' | 'signal' | 'onLog' | 'phases'>): RunOverview {
  signal?.throwIfAborted();
  const cls = loadStrategy(compiled.js, compiled.fileName);
  return runBacktestOverview(cls, series, { ...options, onLog: onLog ?? options?.onLog, isCancelled: signal ? () => signal.aborted : options?.isCancelled }, phases);
}

/** No isolation: only for trusted code (tests, benchmarks, `--sandbox none`). */
export function runInThisProcess({ compiled, series, options, signal, onLog, equity, phases, loadClass }: Pick<RunRequest, 'compiled' | 'series' | 'options' | 'signal' | 'onLog' | 'equity' | 'phases'> & InProcess & { mode?: 'none' }): BacktestResult {
  signal?.throwIfAborted();
  const cls = loadClass ? loadClass() : loadStrategy(compiled.js, compiled.fileName);
  return runBacktest(cls, series, { ...options, onLog: onLog ?? options?.onLog, isCancelled: signal ? () => signal.aborted : options?.isCancelled }, { equity, phases });
}
