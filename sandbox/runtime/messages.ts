/** Messages from the strategy worker to the supervisor (in-process, structured clone). */
import type { ErrorPayload } from '../../core/sandbox/protocol';

export type WorkerMessage =
  | { t: 'ready' }
  | { t: 'log'; time: number | null; message: string }
  | { t: 'result'; json: string }
  | ({ t: 'error' } & ErrorPayload);

/** What the supervisor hands the worker: the job without its key (the key never enters the strategy's heap). */
export interface WorkerJob {
  js: string;
  fileName: string;
  options: import('../../core/sandbox/protocol').SandboxBacktestOptions;
  series: import('../../core/data/series').BarSeries[];
}
