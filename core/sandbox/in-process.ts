/**
 * NOT A SANDBOX. Runs the strategy in this thread, for tests and benchmarks
 * (the baseline the sandbox overhead is measured against). Never use it for
 * code you did not write.
 */
import type { BarSeries } from '../data/series';
import type { BacktestOptions, BacktestResult } from '../engine/types';
import { SandboxError } from './errors';

export async function runInProcess(compiled: { js: string; fileName: string }, series: BarSeries[], options: BacktestOptions, signal?: AbortSignal): Promise<BacktestResult> {
  // Loaded on first use: the engine is only needed by this mode on the host side.
  const [{ loadStrategy }, { runBacktest }] = await Promise.all([import('../strategy/load'), import('../engine/backtest')]);
  const cls = loadStrategy(compiled.js, compiled.fileName);
  try {
    return runBacktest(cls, series, { ...options, isCancelled: signal ? () => signal.aborted : undefined });
  } catch (err) {
    if ((err as Error).name === 'CancelledError') throw new SandboxError('cancelled', 'The backtest was cancelled.');
    throw err;
  }
}
