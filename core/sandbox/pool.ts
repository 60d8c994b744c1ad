/**
 * Warm pool: containers started ahead of time, each waiting for exactly one
 * job. A container is never given a second job, so one hostile strategy cannot
 * leave anything behind for the next run. Refilled after each take.
 */
import type { SandboxChannel } from './channel';

export class WarmPool {
  private readonly ready: SandboxChannel[] = [];
  private readonly starting = new Set<Promise<void>>();
  private disposed = false;
  /** The last start failure, for diagnostics (the run itself falls back to a cold start and reports its own error). */
  lastError: unknown;

  constructor(
    private readonly start: () => Promise<SandboxChannel>,
    readonly size: number,
  ) {}

  /** A started sandbox, or undefined when none is ready (the caller starts one cold). */
  take(): SandboxChannel | undefined {
    while (this.ready.length) {
      const channel = this.ready.shift()!;
      if (channel.alive) return channel;
      void channel.dispose();
    }
    return undefined;
  }

  /** Starts containers until `size` are ready or starting. */
  fill(): void {
    while (!this.disposed && this.ready.length + this.starting.size < this.size) {
      const p: Promise<void> = this.start().then(
        (channel) => {
          this.starting.delete(p);
          if (this.disposed) return channel.dispose();
          this.ready.push(channel);
        },
        (err) => {
          this.starting.delete(p);
          this.lastError = err;
        },
      );
      this.starting.add(p);
    }
  }

  /** Resolves when every container being started now is ready (bench and tests use it). */
  async settled(): Promise<void> {
    while (this.starting.size) await Promise.all([...this.starting]);
  }

  get readyCount(): number {
    return this.ready.filter((c) => c.alive).length;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.settled();
    await Promise.all(this.ready.splice(0).map((c) => c.dispose()));
  }
}
