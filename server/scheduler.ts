import { ValidationCancelled, type CancellationToken, type ValidationResult } from '../core/validate/index';

/** A validation's cancellation token that can also tell a listener (a worker to terminate) when it is cancelled. */
export interface SchedulerToken extends CancellationToken {
  /** Calls `listener` once when the run is cancelled; returns a function that removes it. */
  onCancellationRequested(listener: () => void): () => void;
}

class Token implements SchedulerToken {
  isCancellationRequested = false;
  private listeners = new Set<() => void>();

  onCancellationRequested(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  cancel(): void {
    if (this.isCancellationRequested) return;
    this.isCancellationRequested = true;
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }
}

interface Pending {
  timer?: NodeJS.Timeout;
  token: Token;
}

/**
 * Runs one validation per document at a time. A change to a document that is
 * idle validates at once (the common case: one edit, then a pause); a change
 * that arrives while a run is pending or in flight cancels it (the run stops at
 * its next phase boundary and publishes nothing) and waits out a short
 * debounce, so a burst of keystrokes costs one validation, not one each.
 */
export class ValidationScheduler {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private debounceMs: number,
    private readonly run: (uri: string, token: SchedulerToken) => Promise<ValidationResult>,
    private readonly publish: (uri: string, result: ValidationResult) => void,
    private readonly onError: (uri: string, error: unknown) => void,
  ) {}

  setDebounce(ms: number): void {
    this.debounceMs = Math.max(0, ms);
  }

  schedule(uri: string): void {
    const busy = this.pending.has(uri);
    this.cancel(uri);
    const entry: Pending = { token: new Token() };
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      this.run(uri, entry.token).then(
        (result) => {
          if (!entry.token.isCancellationRequested) this.publish(uri, result);
        },
        (error) => {
          if (!(error instanceof ValidationCancelled)) this.onError(uri, error);
        },
      ).finally(() => {
        if (this.pending.get(uri) === entry) this.pending.delete(uri);
      });
    }, busy ? this.debounceMs : 0);
    this.pending.set(uri, entry);
  }

  cancel(uri: string): void {
    const entry = this.pending.get(uri);
    if (!entry) return;
    if (entry.timer) clearTimeout(entry.timer);
    entry.token.cancel();
    this.pending.delete(uri);
  }
}
