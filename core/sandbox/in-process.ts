/**
 * NOT A SANDBOX. Runs the strategy in this thread, for tests and benchmarks
 * (the baseline the sandbox overhead is measured against) and trusted code.
 * Never use it for code you did not write.
 */
import type { BarSeries } from '../data/series';
import type { BacktestOptions, BacktestResult } from '../engine/types';
import { SandboxError } from './errors';

export async function runInProcess(compiled: { js: string; fileName: string }, series: BarSeries[], options: BacktestOptions, signal?: AbortSignal): Promise<BacktestResult> {
  // Loaded on first use (and not at module load, so run/runStrategy.ts can import the sandbox runner without a cycle).
  const { runInThisProcess } = await import('../run/runStrategy');
  try {
    return runInThisProcess({ compiled: { ...compiled }, series, options, mode: 'none', signal, onLog: options.onLog });
  } catch (err) {
    if ((err as Error).name === 'CancelledError' || (err as Error).name === 'AbortError') throw new SandboxError('cancelled', 'The backtest was cancelled.');
    throw err;
  }
}
