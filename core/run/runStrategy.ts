/**
 * One entry point to run a compiled strategy, whatever the isolation: the CLI,
 * the extension and the evaluators all call this.
 */
import type { BarSeries } from '../data/series';
import { runBacktest } from '../engine/backtest';
import type { BacktestOptions, BacktestResult, LogLine } from '../engine/types';
import type { CompiledStrategy } from '../strategy/compile';
import { loadStrategy } from '../strategy/load';

/** docker: the container sandbox (default); process: a restricted child process (weaker); none: this process (trusted code, tests). */
export type SandboxMode = 'docker' | 'process' | 'none';
export const SANDBOX_MODES: readonly SandboxMode[] = ['docker', 'process', 'none'];

export interface RunRequest {
  compiled: CompiledStrategy;
  series: BarSeries[];
  options?: BacktestOptions;
  mode: SandboxMode;
  signal?: AbortSignal;
  onLog?: (line: LogLine) => void;
}

export async function runStrategy(request: RunRequest): Promise<BacktestResult> {
  if (request.mode === 'none') return runInThisProcess(request);
  throw new Error(`Sandbox mode '${request.mode}' is not available yet.`);
}

/** No isolation: only for trusted code (tests, benchmarks, `--sandbox none`). */
export function runInThisProcess({ compiled, series, options, signal, onLog }: RunRequest): BacktestResult {
  signal?.throwIfAborted();
  const cls = loadStrategy(compiled.js, compiled.fileName);
  return runBacktest(cls, series, { ...options, onLog: onLog ?? options?.onLog, isCancelled: signal ? () => signal.aborted : options?.isCancelled });
}
