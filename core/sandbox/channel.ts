/**
 * A started sandbox (a container or a child process) seen as byte streams:
 * what the job runner needs, independent of how the sandbox was made.
 */
import type { Readable, Writable } from 'node:stream';

export interface SandboxExit {
  code: number | null;
  /** Set when the sandbox was killed by a signal (process mode) or Docker reports OOM. */
  signal?: string | null;
  oomKilled?: boolean;
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
  /** Memory limit, for the "killed at the memory limit" message. */
  readonly memoryMb: number;
}
