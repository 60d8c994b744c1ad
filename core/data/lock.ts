/**
 * A lock file next to the file it guards, for serialising cache writers across
 * processes. `open(…, 'wx')` is atomic; a lock whose owner process is gone, or that is
 * older than `staleMs`, is taken over (renamed away first, so only one waiter wins it).
 */
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';

export interface LockOptions {
  /** Give up after this long (ms). Default 10 s. */
  timeoutMs?: number;
  /** A lock older than this (ms) is stale. Default 30 s. */
  staleMs?: number;
}

export type Release = () => Promise<void>;

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function isStale(lockPath: string, staleMs: number): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    const pid = Number(text.split(' ')[0]);
    if (Date.now() - info.mtimeMs > staleMs) return true;
    // Only judge by pid once the owner has written it (empty file = being created).
    return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
  } catch {
    return false; // vanished meanwhile: just retry
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits for and takes the lock; returns its release function, or null on timeout. */
export async function acquireLock(lockPath: string, options: LockOptions = {}): Promise<Release | null> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(`${process.pid} ${Date.now()}`);
      } finally {
        await handle.close();
      }
      return async () => {
        await unlink(lockPath).catch(() => undefined);
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockPath, staleMs)) {
      const grave = `${lockPath}.stale-${process.pid}-${Date.now()}`;
      // rename is atomic: of several waiters, one moves the stale lock; the rest fail and retry.
      if (await rename(lockPath, grave).then(() => true, () => false)) await unlink(grave).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) return null;
    await sleep(delay);
    delay = Math.min(delay * 2, 50);
  }
}
