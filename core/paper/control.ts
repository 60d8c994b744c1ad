/**
 * Stopping a session from outside its process (`strategy-lab paper stop`, the VS Code kill switch of a session
 * another process runs): the control file is polled, and a session whose state says it is running in a live
 * process refuses a second owner. Shared by the CLI and the extension (docs/paper.md, "Surfaces").
 */
import { processAlive, readControl, readState, type ControlRequest, type StateFile } from './sessionFiles';
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

/** Waits (polling state.json) until the session in `dir` has ended; its final state, or undefined after `timeoutMs`. */
export async function waitUntilFinished(dir: string, timeoutMs = 15_000, pollMs = 250): Promise<StateFile | undefined> {
  const t0 = Date.now();
  while (Date.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, pollMs));
    const st = readState(dir);
    if (st && isFinished(st.status)) return st;
  }
  return undefined;
}
