/**
 * Where in the strategy's own source a runtime error happened: the stack the engine (or the sandbox) reported is
 * read for the first frame in the strategy's compiled file, and that position is mapped back through the
 * compiler's source map to the user's line and column (docs/sandbox.md, "Runtime errors on the source line").
 *
 * The stack is untrusted text: strategy code can throw a forged `stack`, replace `Error.prepareStackTrace`, or
 * throw something that is not an Error at all. So only frames naming the strategy's own file are read, and a
 * position is kept only when it maps into that file's lines; the file itself is always the host's, never a name
 * from the stack. The worst a forger can do is put the diagnostic on another line of its own file.
 */
import { SourceMap } from 'node:module';
import type { ErrorAt } from '../sandbox/protocol';
import type { CompiledStrategy } from './compile';

/** A runtime error placed on the strategy: 1-based line and column in the user's file, and the bar it happened on. */
export interface StrategyErrorLocation {
  /** The strategy file the run compiled (the host's name for it). */
  file: string;
  /** 1-based line in the user's source; absent when no frame of the strategy's file could be mapped. */
  line?: number;
  /** 1-based column. */
  column?: number;
  phase?: ErrorAt['phase'];
  /** The bar's time as the engine formats it, or null outside the bar loop. */
  time?: string | null;
  symbol?: string | null;
  /** The timeline step (the bar index of a single-symbol run). */
  bar?: number | null;
}

/** A location as it crosses to the webview and back (the phase as plain text). */
export type ShownLocation = Omit<StrategyErrorLocation, 'phase'> & { phase?: string };

/** Only this many stack lines are looked at: a recursion overflow has thousands of identical frames. */
const MAX_FRAMES = 200;

/**
 * The first `fileName:line:column` frame of `stack` in the strategy's compiled file (1-based, positions in the
 * compiled JS). Both V8 frame shapes: `at f (file:1:2)` and `at file:1:2`.
 */
export function strategyFrame(stack: string, fileName: string): { line: number; column: number } | undefined {
  const lines = stack.split('\n', MAX_FRAMES);
  for (const raw of lines) {
    const m = /^\s*at (?:.*? \()?(.*):(\d+):(\d+)\)?\s*$/.exec(raw);
    if (!m || m[1] !== fileName) continue;
    const line = Number(m[2]);
    const column = Number(m[3]);
    if (Number.isSafeInteger(line) && Number.isSafeInteger(column) && line >= 1 && column >= 1) return { line, column };
  }
  return undefined;
}

/** The phase, bar and stack an error carries: the engine's StrategyRuntimeError in this process, or a SandboxError's `at`. */
export function errorFacts(err: unknown): ErrorAt | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: unknown; at?: unknown; phase?: unknown; time?: unknown; symbol?: unknown; bar?: unknown; strategyStack?: unknown; stack?: unknown };
  if (e.name === 'SandboxError') return typeof e.at === 'object' && e.at !== null ? (e.at as ErrorAt) : undefined;
  if (e.name === 'StrategyRuntimeError') {
    return {
      phase: e.phase as ErrorAt['phase'],
      time: typeof e.time === 'string' ? e.time : null,
      symbol: typeof e.symbol === 'string' ? e.symbol : null,
      bar: typeof e.bar === 'number' ? e.bar : null,
      ...(typeof e.strategyStack === 'string' ? { stack: e.strategyStack } : {}),
    };
  }
  // A load error (the module threw at its top level) in this process: its own stack.
  if (e.name !== 'StrategyCompileError' && typeof e.stack === 'string') return { stack: e.stack };
  return undefined;
}

/**
 * Places a failed run's error on the strategy's source: undefined when the error is not the strategy's (data,
 * sandbox, compile errors) or carries nothing to place. `source` is the text that was compiled into `compiled`.
 */
export async function locateStrategyError(err: unknown, source: string, compiled: CompiledStrategy): Promise<StrategyErrorLocation | undefined> {
  const facts = errorFacts(err);
  if (!facts) return undefined;
  const location: StrategyErrorLocation = { file: compiled.fileName };
  if (facts.phase !== undefined) location.phase = facts.phase;
  if (facts.time !== undefined) location.time = facts.time;
  if (facts.symbol !== undefined) location.symbol = facts.symbol;
  if (facts.bar !== undefined) location.bar = facts.bar;
  const frame = facts.stack ? strategyFrame(facts.stack, compiled.fileName) : undefined;
  const mapped = frame ? await mapToSource(frame, source, compiled) : undefined;
  if (mapped) Object.assign(location, mapped);
  if (location.line === undefined && location.phase === undefined) return undefined;
  return location;
}

/** A position in the compiled JS mapped to the user's file, or undefined when it is not a position of that file. */
async function mapToSource(frame: { line: number; column: number }, source: string, compiled: CompiledStrategy): Promise<{ line: number; column: number } | undefined> {
  // The map describes one compilation only: the code that ran came from esbuild (the run path) or TypeScript (its
  // fallback), so the map is taken from whichever gives exactly that code; none matching, no line is better than a
  // wrong one. TypeScript is loaded only here, when a run failed.
  const { transpileWithEsbuildSourceMap } = await import('./esbuildTranspile');
  let mapped = await transpileWithEsbuildSourceMap(source, compiled.fileName);
  if (!mapped || mapped.js !== compiled.js) {
    const { transpileWithSourceMap } = await import('./transpile');
    try {
      mapped = transpileWithSourceMap(source, compiled.fileName);
    } catch {
      return undefined;
    }
  }
  if (!mapped || mapped.js !== compiled.js) return undefined;
  const jsLines = compiled.js.split('\n');
  if (frame.line > jsLines.length || frame.column > jsLines[frame.line - 1].length + 1) return undefined;
  const origin = new SourceMap(JSON.parse(mapped.map)).findOrigin(frame.line, frame.column) as { lineNumber?: number; columnNumber?: number };
  const line = origin.lineNumber;
  const column = origin.columnNumber;
  if (typeof line !== 'number' || typeof column !== 'number') return undefined;
  const sourceLines = source.split('\n');
  if (line < 1 || line > sourceLines.length) return undefined;
  return { line, column: Math.min(Math.max(1, column), sourceLines[line - 1].length + 1) };
}

/** `file:LINE:COL` (or just the file), then the bar: what the CLI prints under a runtime error. */
export function formatErrorLocation(location: ShownLocation): string {
  const place = location.line !== undefined ? `${location.file}:${location.line}:${location.column ?? 1}` : location.file;
  const bar = location.bar !== undefined && location.bar !== null ? `bar ${location.bar}${location.time ? ` (${location.time}${location.symbol ? `, ${location.symbol}` : ''})` : ''}` : '';
  const phase = location.phase ? `in ${location.phase}` : '';
  return [place, phase, bar].filter(Boolean).join(', ');
}

/** The location a failed run's error was given by attachErrorLocation, if any. */
export function errorLocationOf(err: unknown): StrategyErrorLocation | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const d = Object.getOwnPropertyDescriptor(err, LOCATION_KEY);
  return d && 'value' in d ? (d.value as StrategyErrorLocation) : undefined;
}

// A property rather than a WeakMap: the CLI and the extension load this module from more than one bundle chunk.
const LOCATION_KEY = 'strategyLocation';

/**
 * Locates `err` on the strategy's source and keeps the location on the error (a non-enumerable property, for the
 * CLI's report and the editor's diagnostic), then returns the error so the caller rethrows it unchanged. Never throws.
 */
export async function attachErrorLocation(err: unknown, source: string, compiled: CompiledStrategy): Promise<unknown> {
  if (typeof err !== 'object' || err === null) return err;
  try {
    const location = await locateStrategyError(err, source, compiled);
    if (location) Object.defineProperty(err, LOCATION_KEY, { value: location, enumerable: false, configurable: true });
  } catch {
    // No location is better than a second error hiding the first (a frozen error object, say).
  }
  return err;
}

/**
 * The range an editor underlines for a located error (0-based line, columns): from the mapped column over the
 * word or call that starts there (`new Error(…)` → `new`, `note.text` → `text`), or the whole line's text when the
 * column is unknown. Undefined without a line.
 */
export function errorRange(location: ShownLocation, source: string): { line: number; start: number; end: number } | undefined {
  if (location.line === undefined) return undefined;
  const text = source.split('\n')[location.line - 1]?.replace(/\r$/, '');
  if (text === undefined) return undefined;
  if (location.column === undefined) {
    const start = text.length - text.trimStart().length;
    return { line: location.line - 1, start, end: Math.max(start + 1, text.trimEnd().length) };
  }
  const start = Math.min(location.column - 1, text.length);
  const word = /^[\p{L}\p{N}_$]+/u.exec(text.slice(start));
  return { line: location.line - 1, start, end: start + Math.max(1, word ? word[0].length : 1) };
}

/** The diagnostic's message: the error, then the bar it happened on. */
export function errorDiagnosticMessage(message: string, location: ShownLocation): string {
  const bar = location.bar !== undefined && location.bar !== null ? ` (bar ${location.bar}${location.time ? `, ${location.time}` : ''}${location.symbol ? `, ${location.symbol}` : ''})` : '';
  return `${message.split('\n')[0].slice(0, 1000)}${bar}`;
}
