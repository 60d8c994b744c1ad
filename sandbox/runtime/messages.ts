/** Messages between the supervisor and the strategy worker (in-process, structured clone). */
import type { BarSeries } from '../../core/data/series';
import type { ErrorPayload, SandboxBacktestOptions } from '../../core/sandbox/protocol';

export type WorkerMessage =
  | { t: 'loaded' }
  | { t: 'warm' }
  | { t: 'log'; time: number | null; message: string }
  /** result-codec.ts's payload; its buffer is transferred, not copied. */
  | { t: 'result'; bytes: Uint8Array }
  | ({ t: 'error' } & ErrorPayload);

/** What the supervisor hands the worker: the job without its key (the key never enters the strategy's heap). */
export interface WorkerJob {
  /** Log budget in bytes; the worker stops forwarding (and reports) once it is spent. */
  maxLogBytes: number;
  js: string;
  fileName: string;
  options: SandboxBacktestOptions;
  series: BarSeries[];
}

export type SupervisorMessage = { t: 'warmup' } | { t: 'job'; job: WorkerJob };

// Captured at load, before strategy code could replace the global Buffer.
const byteLength = Buffer.byteLength;

/** Bytes a log line counts against the budget: its UTF-8 text plus framing overhead. */
export function logCost(message: string): number {
  return byteLength(message, 'utf8') + 16;
}

export function outputLimitError(maxLogBytes: number): ErrorPayload {
  return {
    kind: 'output-limit',
    name: 'OutputLimitError',
    message: `The strategy wrote more than ${Math.round(maxLogBytes / 1024)} KB of log output and was stopped. Log less (for example only when a signal fires), or raise the sandbox log limit.`,
  };
}
