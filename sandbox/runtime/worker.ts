/**
 * The strategy worker: loads the engine at boot, optionally warms it up while
 * idle, waits for exactly one job, closes the realm's doors (harden.ts), then
 * runs the strategy. It talks to the supervisor only through `post`, captured
 * before any strategy code exists.
 */
import { parentPort } from 'node:worker_threads';
import { runBacktest } from '../../core/engine/backtest';
import { freezeIntrinsics, hardenRealm } from './harden';
import { freezeSdk, loadStrategy } from '../../core/strategy/load';
import { logCost, outputLimitError, type SupervisorMessage, type WorkerJob, type WorkerMessage } from './messages';
import { warmUpEngine } from './warmup';
import { LiveEngine } from '../../core/paper/liveEngine';
import type { Feed } from '../../core/paper/types';
import { encodeResult } from '../../core/sandbox/result-codec';
import { capText, MAX_ERROR_MESSAGE_CHARS, MAX_ERROR_NAME_CHARS } from '../../core/sandbox/caps';

export function runWorker(): void {
  // Before any warm-up, so the engine is optimised against the frozen built-ins it will run with.
  freezeIntrinsics();
  freezeSdk();
  const port = parentPort!;
  const post: (m: WorkerMessage, transfer?: ArrayBuffer[]) => void = port.postMessage.bind(port);
  let started = false;
  let session: ((feed: Feed) => void) | undefined;
  port.on('message', (m: SupervisorMessage) => {
    if (m.t === 'warmup') {
      // Warm-up is an optimisation: if it fails, the container is still ready for its job.
      void warmUpEngine(() => started)
        .catch(() => {})
        .then(() => post({ t: 'warm' }));
    } else if (m.t === 'job' && !started) {
      started = true;
      if (m.job.session) session = startSession(m.job, post);
      else runJob(m.job, post);
    } else if (m.t === 'feed' && session) {
      session(m.feed);
    }
  });
  post({ t: 'loaded' });
}

function runJob(job: WorkerJob, post: (m: WorkerMessage, transfer?: ArrayBuffer[]) => void): void {
  const log = logSink(job.maxLogBytes, post);
  hardenRealm({ onConsole: (message) => log(null, message) });
  try {
    const cls = loadStrategy(job.js, job.fileName);
    const result = runBacktest(cls, job.series, { ...job.options, onLog: (line) => log(line.time, line.message) });
    const bytes = encodeResult(result);
    post({ t: 'result', bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (err) {
    post(strategyError(err));
  }
}

/**
 * A paper session: the strategy is constructed once and then steps, one feed at a time, until the host ends the
 * sandbox. An exception ends the session (the host stops trading and reports it). The log budget is per step.
 */
function startSession(job: WorkerJob, post: (m: WorkerMessage) => void): ((feed: Feed) => void) | undefined {
  let budget = logSink(job.maxLogBytes, post);
  hardenRealm({ onConsole: (message) => budget(null, message) });
  try {
    const engine = new LiveEngine(loadStrategy(job.js, job.fileName), job.session!, (time, message) => budget(time, message));
    post({ t: 'session-ready' });
    return (feed) => {
      budget = logSink(job.maxLogBytes, post);
      try {
        post({ t: 'decision', decision: engine.step(feed) });
      } catch (err) {
        post(strategyError(err));
      }
    };
  } catch (err) {
    post(strategyError(err));
    return undefined;
  }
}

/** The report of a failed run, bounded; describing a hostile thrown value (a throwing getter) cannot throw. */
function strategyError(err: unknown): WorkerMessage {
  try {
    const e = err instanceof Error ? err : new Error(String(err));
    return { t: 'error', kind: 'strategy', name: capText(String(e.name), MAX_ERROR_NAME_CHARS), message: capText(String(e.message), MAX_ERROR_MESSAGE_CHARS) };
  } catch {
    return { t: 'error', kind: 'strategy', name: 'Error', message: 'The strategy threw a value that cannot be turned into a message.' };
  }
}

/**
 * Forwards log lines until the budget is spent, then reports once and drops the
 * rest: a strategy logging in a tight loop cannot queue more messages than the
 * budget while the supervisor stops it.
 */
function logSink(maxLogBytes: number, post: (m: WorkerMessage) => void): (time: number | null, message: string) => void {
  let spent = 0;
  return (time, message) => {
    if (spent > maxLogBytes) return;
    const text = String(message);
    spent += logCost(text);
    post(spent > maxLogBytes ? { t: 'error', ...outputLimitError(maxLogBytes) } : { t: 'log', time, message: text });
  };
}
