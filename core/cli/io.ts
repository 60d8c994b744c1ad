import { escapeText } from './terminal';

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

/**
 * The terminal: everything printed passes escapeText (terminal.ts), so no string that reaches the terminal can
 * carry a control sequence, whichever command printed it. Commands escape strategy text themselves too (escapeLine
 * keeps one log line on one line); JSON output never contains raw control characters and passes unchanged.
 */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: (t) => process.stdout.write(escapeText(t)),
    stderr: (t) => process.stderr.write(escapeText(t)),
    signal,
  };
}
