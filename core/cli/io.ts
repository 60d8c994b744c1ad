import { redactKnownSecrets, secretsFromEnv } from '../report/redact';
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
 * The process streams. Everything printed passes escapeText (terminal.ts), so no string that reaches the terminal
 * can carry a control sequence, whichever command printed it (commands escape strategy text themselves too:
 * escapeLine keeps one log line on one line; JSON never contains raw control characters and passes unchanged);
 * and every credential found in the environment is masked (whole or partial echoes).
 */
export function processIo(signal?: AbortSignal, env: Record<string, string | undefined> = process.env): CliIo {
  const clean = cliRedactor(env);
  return {
    stdout: (t) => process.stdout.write(clean(escapeText(t))),
    stderr: (t) => process.stderr.write(clean(escapeText(t))),
    signal,
  };
}

/** Masks the environment's credentials (OPENAI_API_KEY, Alpaca keys, …) in what the CLI prints. */
export function cliRedactor(env: Record<string, string | undefined>): (text: string) => string {
  const secrets = secretsFromEnv(env);
  return secrets.length ? (text) => redactKnownSecrets(text, secrets) : (text) => text;
}
