/**
 * A session's folder, `.strategy-lab/paper/<session>/`: the journal (journal.jsonl), the state surfaces read
 * (state.json, rewritten atomically after every step, with the owner's pid) and the control file another
 * process writes to stop it (control.json: `paper stop`, the VS Code kill switch).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SessionState } from './session';
import { SESSION_ID } from './ids';

export interface StateFile extends SessionState {
  pid: number;
  file: string;
  updatedAt: number;
}

export interface ControlRequest {
  action: 'stop' | 'kill';
  flatten: boolean;
  at: number;
}

export function paperRoot(workspace: string): string {
  return join(workspace, '.strategy-lab', 'paper');
}

export function sessionDir(workspace: string, sessionId: string): string {
  if (!SESSION_ID.test(sessionId)) throw new RangeError(`Invalid paper session name '${sessionId}': use up to 40 letters, digits, '.', '-' or '_'.`);
  return join(paperRoot(workspace), sessionId);
}

/** The default session name for a strategy file: its base name and the mode (paper and live never share a journal). */
export function defaultSessionId(file: string, mode: 'paper' | 'live'): string {
  const base = file.split(/[\\/]/).pop()!.replace(/\.strategy\.ts$|\.ts$/, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 30) || 'strategy';
  return `${base}-${mode}`;
}

export function writeState(dir: string, state: StateFile): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `state.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(state, null, 1));
  renameSync(tmp, join(dir, 'state.json'));
}

export function readState(dir: string): StateFile | undefined {
  const path = join(dir, 'state.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as StateFile;
  } catch {
    return undefined;
  }
}

export function requestControl(dir: string, request: Omit<ControlRequest, 'at'>): void {
  const tmp = join(dir, `control.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify({ ...request, at: Date.now() }));
  renameSync(tmp, join(dir, 'control.json'));
}

/** A control request written after `since` (ms), if any. */
export function readControl(dir: string, since: number): ControlRequest | undefined {
  try {
    const c = JSON.parse(readFileSync(join(dir, 'control.json'), 'utf8')) as ControlRequest;
    return c.at >= since && (c.action === 'stop' || c.action === 'kill') ? { action: c.action, flatten: c.flatten === true, at: c.at } : undefined;
  } catch {
    return undefined;
  }
}

/** True when a process with this pid exists. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every session folder with its state (running or not). */
export function listSessions(workspace: string): { id: string; dir: string; state: StateFile | undefined; running: boolean }[] {
  const root = paperRoot(workspace);
  if (!existsSync(root)) return [];
  return readdirSync(root).filter((n) => SESSION_ID.test(n)).map((id) => {
    const dir = join(root, id);
    const state = readState(dir);
    return { id, dir, state, running: state !== undefined && !['stopped', 'killed', 'failed'].includes(state.status) && processAlive(state.pid) };
  });
}
