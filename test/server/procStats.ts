/** Resource use of a process (the language server) from Linux /proc, for tests and the LSP bench. */
import { readFileSync } from 'node:fs';

function status(pid: number): string {
  return readFileSync(`/proc/${pid}/status`, 'utf8');
}

/** Resident memory in MB. */
export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(status(pid))![1]) / 1024;
}

/**
 * CPU time (user + system, ms) the process has used, all threads; undefined where /proc is missing. Unlike wall
 * time it hardly depends on what else the machine runs.
 */
export function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return undefined;
  }
}
