/**
 * A started sandbox (a container or a child process) seen as byte streams:
 * what the job runner needs, independent of how the sandbox was made.
 */
import type { Readable, Writable } from 'node:stream';
import { READY_MARKER } from './protocol';

/** Watches stderr for the runtime's ready marker (or another line it writes before it is ready). */
export function readyWhen(stderr: Readable, exited: Promise<SandboxExit>, marker: string = READY_MARKER): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (seen.includes(marker)) {
        stderr.off('data', onData);
        resolve();
      }
    };
    stderr.on('data', onData);
    void exited.then((exit) => reject(new Error(`the sandbox exited (code ${exit.code}) before it was ready: ${seen.trim().slice(-500)}`)));
  });
}

export interface SandboxExit {
  code: number | null;
  /** Set when the sandbox was killed by a signal (process mode) or Docker reports OOM. */
  signal?: string | null;
  oomKilled?: boolean;
  /** Set when the sandbox never ran the job for a reason outside it (a Swarm task rejected, its node lost): the work can be retried elsewhere. */
  infra?: string;
}

export interface SandboxChannel {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves once the sandbox has stopped. Never rejects. */
  readonly exited: Promise<SandboxExit>;
  /** True until `exited` resolves. */
  readonly alive: boolean;
  /** Stop it now (SIGKILL). Idempotent; resolves once the kill has been delivered. */
  kill(): Promise<void>;
  /** Release everything (remove the container). Idempotent; never rejects. */
  dispose(): Promise<void>;
  /** For messages, e.g. "container 3f2a1c…" or "process 1234". */
  readonly label: string;
  /** Resolves when the runtime has loaded and waits for its job; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Memory limit, for the "killed at the memory limit" message. */
  readonly memoryMb: number;
}
