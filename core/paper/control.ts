/**
 * Stopping a session from outside its process (`strategy-lab paper stop`, the VS Code kill switch of a session
 * another process runs): the control file is polled, and a session whose state says it is running in a live
 * process refuses a second owner. Shared by the CLI and the extension (docs/paper.md, "Surfaces").
 */
import { processAlive, readControl, readState, type ControlRequest } from './sessionFiles';
import { isFinished } from './view';

/** Polls `dir`'s control file for requests written after `since`; calls `onRequest` once, then stops polling. */
export function watchControl(dir: string, since: number, onRequest: (request: ControlRequest) => void, intervalMs = 500): () => void {
  const timer = setInterval(() => {
    const c = readControl(dir, since);
    if (!c) return;
    clearInterval(timer);
    onRequest(c);
  }, intervalMs);
  return () => clearInterval(timer);
}

/** The pid of another live process that runs the session in `dir`, if any (a second one must not start). */
export function runningOwner(dir: string, self = process.pid): number | undefined {
  const existing = readState(dir);
  return existing && existing.pid !== self && processAlive(existing.pid) && !isFinished(existing.status) ? existing.pid : undefined;
}
