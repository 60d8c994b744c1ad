/**
 * NOT A SANDBOX. Runs the strategy in this thread, for tests and benchmarks
 * (the baseline the sandbox overhead is measured against) and trusted code.
 * Never use it for code you did not write.
 */
import type { BarSeries } from '../data/series';
import type { BacktestOptions, BacktestResult } from '../engine/types';
import type { RunOverview } from '../engine/backtest';
import { SandboxError } from './errors';

export async function runInProcess(compiled: { js: string; fileName: string }, series: BarSeries[], options: BacktestOptions, signal?: AbortSignal, equity?: 'all' | 'drawable'): Promise<BacktestResult> {
  // Loaded on first use (and not at module load, so run/runStrategy.ts can import the sandbox runner without a cycle).
  const { runInThisProcess } = await import('../run/runStrategy');
  return cancelledAsSandboxError(() => runInThisProcess({ compiled: { ...compiled }, series, options, mode: 'none', signal, onLog: options.onLog, ...(equity ? { equity } : {}) }));
}

/** runInProcess reduced to what a text summary shows (SandboxRunner.overview). */
export async function overviewInProcess(compiled: { js: string; fileName: string }, series: BarSeries[], options: BacktestOptions, signal?: AbortSignal): Promise<RunOverview> {
  const { overviewInThisProcess } = await import('../run/runStrategy');
  return cancelledAsSandboxError(() => overviewInThisProcess({ compiled: { ...compiled }, series, options, signal, onLog: options.onLog }));
}

/** A cancelled run reports as a sandboxed one does. */
function cancelledAsSandboxError<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if ((err as Error).name === 'CancelledError' || (err as Error).name === 'AbortError') throw new SandboxError('cancelled', 'The backtest was cancelled.');
    throw err;
  }
}
