/**
 * Removes sandbox containers left behind by a host process that died (crash,
 * kill -9, power loss): ours by label, made on this machine, by a PID that is
 * no longer running. Containers of live processes (their warm pools) stay.
 */
import { hostname } from 'node:os';
import type Docker from 'dockerode';
import { LABEL_OWNER_HOST, LABEL_OWNER_PID, listSandboxContainers, removeContainer } from './container';

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Pure decision, exported for tests. */
export function isStale(labels: Record<string, string>, host = hostname(), alive: (pid: number) => boolean = isProcessAlive): boolean {
  if (labels[LABEL_OWNER_HOST] !== host) return false;
  const pid = Number(labels[LABEL_OWNER_PID]);
  return pid !== process.pid && !alive(pid);
}

/** Returns the ids it removed. */
export async function removeStaleContainers(docker: Docker): Promise<string[]> {
  const stale = (await listSandboxContainers(docker)).filter((c) => isStale(c.Labels ?? {}));
  await Promise.all(stale.map((c) => removeContainer(docker, c.Id)));
  return stale.map((c) => c.Id);
}
