import { ValidationCancelled, type CancellationToken, type ValidationResult } from '../core/validate/index';

interface Pending {
  timer?: NodeJS.Timeout;
  token: { isCancellationRequested: boolean };
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
    private readonly run: (uri: string, token: CancellationToken) => Promise<ValidationResult>,
    private readonly publish: (uri: string, result: ValidationResult) => void,
    private readonly onError: (uri: string, error: unknown) => void,
  ) {}

  setDebounce(ms: number): void {
    this.debounceMs = Math.max(0, ms);
  }

  schedule(uri: string): void {
    const busy = this.pending.has(uri);
    this.cancel(uri);
    const entry: Pending = { token: { isCancellationRequested: false } };
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
    entry.token.isCancellationRequested = true;
    this.pending.delete(uri);
  }
}
