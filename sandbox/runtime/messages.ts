/** Messages between the supervisor and the strategy worker (in-process, structured clone). */
import type { BarSeries } from '../../core/data/series';
import type { ErrorPayload, SandboxBacktestOptions } from '../../core/sandbox/protocol';

export type WorkerMessage =
  | { t: 'loaded' }
  | { t: 'warm' }
  | { t: 'log'; time: number | null; message: string }
  | { t: 'result'; json: string }
  | ({ t: 'error' } & ErrorPayload);

/** What the supervisor hands the worker: the job without its key (the key never enters the strategy's heap). */
export interface WorkerJob {
  js: string;
  fileName: string;
  options: SandboxBacktestOptions;
  series: BarSeries[];
}

export type SupervisorMessage = { t: 'warmup' } | { t: 'job'; job: WorkerJob };
