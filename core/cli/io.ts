/** Where a CLI command writes; tests pass buffers, the binary passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Aborted on Ctrl-C: long work stops at once. */
  signal?: AbortSignal;
}

/** An error the CLI prints as one clear line (no stack trace) with exit code `code`. */
export class CliError extends Error {
  constructor(message: string, readonly code = 1) {
    super(message);
    this.name = 'CliError';
  }
}

export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    signal,
  };
}
