/**
 * Caps and checks on what crosses from the sandbox to the host (docs/sandbox.md, "Caps"). Shared by the
 * supervisor, which checks every message of the worker (the strategy's realm), and the host, which checks every
 * frame of the supervisor: each value is typed and bounded, and anything else is reported, never thrown.
 */
import type { LogLine } from '../engine/types';
import type { ErrorAt, ErrorPayload } from './protocol';

/** Longest error message that reaches the host (characters); longer ones are cut with a note. */
export const MAX_ERROR_MESSAGE_CHARS = 16 * 1024;
/** Longest error name (characters). */
export const MAX_ERROR_NAME_CHARS = 100;
/** Longest strategy stack that reaches the host (characters). */
export const MAX_ERROR_STACK_CHARS = 16 * 1024;
const PHASES: ReadonlySet<string> = new Set(['constructor', 'onStart', 'onBar', 'onEnd', 'onFill']);

const ERROR_KINDS: ReadonlySet<string> = new Set<ErrorPayload['kind']>(['timeout', 'memory', 'output-limit', 'strategy', 'crashed', 'protocol']);

/** `text` cut to `max` characters, saying how much was cut. */
export function capText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters cut)`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A log line as it may cross: `time` null or a finite number, `message` a string. A string says what is wrong. */
export function readLogLine(value: unknown): LogLine | string {
  if (!isRecord(value)) return 'a log line that is not an object';
  const { time, message } = value;
  if (!(time === null || (typeof time === 'number' && Number.isFinite(time)))) return `a log line whose time is ${describe(time)}, not a finite number or null`;
  if (typeof message !== 'string') return `a log line whose message is ${describe(message)}, not a string`;
  return { time, message };
}

/** An error report as it may cross: a known kind, a bounded name and a bounded message. */
export function readErrorPayload(value: unknown): ErrorPayload | string {
  if (!isRecord(value)) return 'an error report that is not an object';
  const { kind, name, message } = value;
  if (typeof kind !== 'string' || !ERROR_KINDS.has(kind)) return `an error report of unknown kind ${describe(kind)}`;
  if (typeof name !== 'string' || typeof message !== 'string') return 'an error report whose name or message is not a string';
  const at = readErrorAt(value.at);
  return { kind: kind as ErrorPayload['kind'], name: capText(name, MAX_ERROR_NAME_CHARS), message: capText(message, MAX_ERROR_MESSAGE_CHARS), ...(at ? { at } : {}) };
}

/** The optional `at` of an error report: each field kept only when well-typed and bounded; anything else dropped. */
export function readErrorAt(value: unknown): ErrorAt | undefined {
  if (!isRecord(value)) return undefined;
  const at: ErrorAt = {};
  if (typeof value.phase === 'string' && PHASES.has(value.phase)) at.phase = value.phase as ErrorAt['phase'];
  if (value.time === null || typeof value.time === 'string') at.time = value.time === null ? null : value.time.slice(0, 40);
  if (value.symbol === null || typeof value.symbol === 'string') at.symbol = value.symbol === null ? null : value.symbol.slice(0, 40);
  if (value.bar === null || (typeof value.bar === 'number' && Number.isSafeInteger(value.bar) && value.bar >= 0)) at.bar = value.bar as number | null;
  if (typeof value.stack === 'string') at.stack = value.stack.slice(0, MAX_ERROR_STACK_CHARS);
  return Object.keys(at).length ? at : undefined;
}

/** A value's type for a message (never its text: it may be huge or hostile). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (typeof value === 'number') return String(value);
  return `a ${typeof value}`;
}
