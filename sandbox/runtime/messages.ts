/** Messages between the supervisor and the strategy worker (in-process, structured clone). */
import type { BarSeries } from '../../core/data/series';
import type { BatchSpec, ErrorPayload, SandboxBacktestOptions } from '../../core/sandbox/protocol';
import { describe, readErrorPayload, readLogLine } from '../../core/sandbox/caps';
import type { Decision, Feed, SessionInit } from '../../core/paper/types';
import { readDecision } from '../../core/paper/decision';

export type WorkerMessage =
  | { t: 'loaded' }
  | { t: 'warm' }
  | { t: 'log'; time: number | null; message: string }
  /** result-codec.ts's payload; its buffer is transferred, not copied. */
  | { t: 'result'; bytes: Uint8Array }
  /** One batch variant's outcome (result-codec.ts encode*Outcome); the supervisor numbers them itself. */
  | { t: 'outcome'; bytes: Uint8Array }
  /** The batch stopped: every variant ran, or the realm could not be reset and the host runs the rest elsewhere. */
  | { t: 'end' }
  | ({ t: 'error' } & ErrorPayload)
  /** Session: the strategy is constructed. */
  | { t: 'session-ready' }
  /** Session: one step's decision, checked (readDecision). */
  | { t: 'decision'; decision: Decision };

/** What the supervisor hands the worker: the job without its key (the key never enters the strategy's heap). */
export interface WorkerJob {
  /** Log budget in bytes; the worker stops forwarding (and reports) once it is spent. */
  maxLogBytes: number;
  js: string;
  fileName: string;
  options: SandboxBacktestOptions;
  series: BarSeries[];
  batch?: BatchSpec;
  /** A paper session instead of a backtest. */
  session?: SessionInit;
  /** core/sandbox/protocol.ts JobHeader.equity. */
  equity?: 'drawable';
  /** core/sandbox/protocol.ts JobHeader.detail. */
  detail?: 'overview';
}

export type SupervisorMessage = { t: 'warmup' } | { t: 'job'; job: WorkerJob } | { t: 'feed'; feed: Feed };

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

/**
 * A message from the worker, checked: the worker shares its realm with strategy code, so the supervisor treats
 * what it receives as untrusted (a strategy that reached `postMessage` could send anything structured clone
 * carries: BigInts, huge strings, cycles, wrong types). Returns what is wrong as a string instead of throwing.
 */
export function readWorkerMessage(raw: unknown): WorkerMessage | string {
  if (typeof raw !== 'object' || raw === null) return `a message that is ${describe(raw)}, not an object`;
  const m = raw as Record<string, unknown>;
  switch (m.t) {
    case 'loaded':
    case 'warm':
    case 'end':
    case 'session-ready':
      return { t: m.t };
    case 'outcome':
      return m.bytes instanceof Uint8Array && m.bytes.length > 0 ? { t: 'outcome', bytes: m.bytes } : `an outcome whose payload is ${describe(m.bytes)}, not bytes`;
    case 'decision': {
      const d = readDecision(m.decision);
      return typeof d === 'string' ? d : { t: 'decision', decision: d };
    }
    case 'log': {
      const line = readLogLine(m);
      return typeof line === 'string' ? line : { t: 'log', time: line.time, message: line.message };
    }
    case 'result':
      return m.bytes instanceof Uint8Array ? { t: 'result', bytes: m.bytes } : `a result whose payload is ${describe(m.bytes)}, not bytes`;
    case 'error': {
      const error = readErrorPayload(m);
      return typeof error === 'string' ? error : { t: 'error', ...error };
    }
    default:
      return `a message of unknown type ${describe(m.t)}`;
  }
}

/** What the supervisor reports when the worker sent something it never sends. */
export function protocolError(problem: string): ErrorPayload {
  return {
    kind: 'protocol',
    name: 'ProtocolViolation',
    message: `The run was stopped: the strategy's thread sent the sandbox supervisor ${problem.slice(0, 200)}. Strategy code must not talk to the sandbox directly.`,
  };
}
