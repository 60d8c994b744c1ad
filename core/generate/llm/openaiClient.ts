/**
 * The one way Strategy Lab builds an OpenAI client (generation and the LLM judges), so that no server
 * behaviour can put the API key into a message, a log line, a reply, a file or a report:
 *
 * - a fetch wrapper redacts the key (whole and partial echoes, core/report/redact.ts) from every response
 *   header, status text and body — line by line as it streams, so SSE `data:` lines the client fails to
 *   parse (and prints with `console.error` on some paths, whatever logger it was given) are already clean;
 * - a redacting logger at level `warn` replaces the client's default (which prints to the console raw).
 */
import OpenAI from 'openai';
import { redactKnownSecrets, redactSecrets } from '../../report/redact';

export interface OpenAIClientOptions {
  apiKey: string;
  baseURL: string;
  timeout: number;
  maxRetries: number;
  /** Where the client's warnings go (already redacted). Default: the console's warn/error. */
  log?: (level: 'error' | 'warn', message: string) => void;
}

export function createOpenAIClient(o: OpenAIClientOptions): OpenAI {
  const secrets = [o.apiKey];
  const log = o.log ?? ((level, message) => (level === 'error' ? console.error(message) : console.warn(message)));
  const line = (args: unknown[]) => redactSecrets(args.map(describe).join(' '), secrets);
  return new OpenAI({
    apiKey: o.apiKey,
    baseURL: o.baseURL,
    timeout: o.timeout,
    maxRetries: o.maxRetries,
    logLevel: 'warn',
    logger: {
      error: (...args: unknown[]) => log('error', line(args)),
      warn: (...args: unknown[]) => log('warn', line(args)),
      info: () => {},
      debug: () => {},
    },
    fetch: redactingFetch(secrets),
  });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** `fetch` whose responses have the secrets removed from headers, status text and body. */
export function redactingFetch(secrets: readonly string[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const headers = new Headers();
    response.headers.forEach((value, name) => {
      // The body is re-encoded after redaction: its length changes, and fetch already decoded any compression.
      if (name === 'content-length' || name === 'content-encoding') return;
      headers.set(name, redactKnownSecrets(value, secrets));
    });
    const body = response.body?.pipeThrough(new TextDecoderStream()).pipeThrough(redactLines(secrets)).pipeThrough(new TextEncoderStream()) ?? null;
    const nullBody = response.status === 204 || response.status === 205 || response.status === 304;
    return new Response(nullBody ? null : body, { status: response.status, statusText: redactKnownSecrets(response.statusText, secrets), headers });
  };
}

/** Redacts whole lines (a key split across chunks is still seen whole); the last partial line waits for the next chunk. */
function redactLines(secrets: readonly string[]): TransformStream<string, string> {
  let pending = '';
  return new TransformStream<string, string>({
    transform(chunk, controller) {
      pending += chunk;
      const end = pending.lastIndexOf('\n');
      if (end < 0) return;
      controller.enqueue(redactKnownSecrets(pending.slice(0, end + 1), secrets));
      pending = pending.slice(end + 1);
    },
    flush(controller) {
      if (pending) controller.enqueue(redactKnownSecrets(pending, secrets));
    },
  });
}
