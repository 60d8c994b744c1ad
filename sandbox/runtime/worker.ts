/**
 * The strategy worker: loads the engine at boot, waits for exactly one job,
 * closes the realm's doors (harden.ts), then runs the strategy. It talks to the
 * supervisor only through `post`, captured before any strategy code exists.
 */
import { parentPort } from 'node:worker_threads';
import { hardenRealm } from './harden';
import { loadSandboxedStrategy } from './load';
import { runBacktest } from '../../core/engine/backtest';
import type { WorkerJob, WorkerMessage } from './messages';

export function runWorker(): void {
  const port = parentPort!;
  const post: (m: WorkerMessage) => void = port.postMessage.bind(port);
  const stringify = JSON.stringify;
  port.once('message', (job: WorkerJob) => {
    hardenRealm({ onConsole: (message) => post({ t: 'log', time: null, message }) });
    try {
      const cls = loadSandboxedStrategy(job.js, job.fileName);
      const result = runBacktest(cls, job.series, { ...job.options, onLog: (line) => post({ t: 'log', time: line.time, message: line.message }) });
      post({ t: 'result', json: stringify(result) });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      post({ t: 'error', kind: 'strategy', name: String(e.name), message: String(e.message) });
    }
  });
  post({ t: 'ready' });
}
