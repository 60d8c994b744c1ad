/**
 * Closes the doors of the worker's JavaScript realm before strategy code runs.
 * The container (or the process mode's permission flags) is the security
 * boundary; this layer keeps strategy code away from the things that would let
 * it talk past the supervisor: Node's process object (bindings, exit, env),
 * module loading, and network globals. Dynamic `import()` is refused because
 * strategies are compiled with vm.compileFunction without an import hook, and
 * `eval`/`new Function` are refused by --disallow-code-generation-from-strings.
 *
 * It also freezes the built-ins the engine computes with (Math, JSON, Number, the prototypes of arrays,
 * typed arrays, objects, maps, strings, dates…) and makes their global names read-only: strategy code
 * shares this realm with the engine, and could otherwise forge its own results by patching them
 * (`Array.prototype.push = …`, `Math.sqrt = …`). Error constructors stay writable: Node's own error paths
 * assign `Error.stackTraceLimit`.
 */
import { format } from 'node:util';

export interface HardenOptions {
  /** Where console output goes (the supervisor turns it into log frames). */
  onConsole: (message: string) => void;
}

/** Built-ins frozen with their prototypes (and made read-only as globals) before strategy code runs. */
const FROZEN_GLOBALS = [
  'Object', 'Function', 'Array', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Math', 'JSON', 'Reflect', 'Date', 'RegExp',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'ArrayBuffer', 'DataView', 'Atomics',
  'Float64Array', 'Float32Array', 'Int32Array', 'Uint32Array', 'Int16Array', 'Uint16Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'BigInt64Array', 'BigUint64Array',
  'isFinite', 'isNaN', 'parseFloat', 'parseInt',
] as const;

/**
 * Idempotent. The worker calls it at boot, before the idle JIT warm-up: freezing changes the prototypes' maps,
 * which throws away code V8 optimised against the unfrozen ones (measured: a warmed 20-year job took ~60 ms
 * longer when the freeze came after the warm-up).
 */
export function freezeIntrinsics(g: Record<string, unknown> = globalThis as Record<string, unknown>): void {
  const freeze = (v: unknown) => {
    if ((typeof v === 'object' && v !== null) || typeof v === 'function') Object.freeze(v);
  };
  for (const name of FROZEN_GLOBALS) {
    const value = g[name];
    if (value === undefined) continue;
    freeze(value);
    freeze((value as { prototype?: unknown }).prototype);
    Object.defineProperty(g, name, { value, writable: false, configurable: false, enumerable: false });
  }
  // %TypedArray% (the shared parent of Float64Array & co.) and the iterator prototypes the engine's loops use.
  const typedArray = Object.getPrototypeOf(Float64Array) as { prototype: unknown };
  freeze(typedArray);
  freeze(typedArray.prototype);
  freeze(Object.getPrototypeOf([][Symbol.iterator]()));
  freeze(Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())));
  freeze(Object.getPrototypeOf(new Map()[Symbol.iterator]()));
  freeze(Object.getPrototypeOf(new Set()[Symbol.iterator]()));
}

const REMOVED_GLOBALS = ['fetch', 'WebSocket', 'EventSource', 'BroadcastChannel', 'MessageChannel', 'MessagePort', 'Request', 'Response', 'Headers', 'FormData', 'require', 'module'];

export function hardenRealm({ onConsole }: HardenOptions): void {
  const g = globalThis as Record<string, unknown>;
  const real = process;
  const refuse = (what: string) => () => {
    throw new Error(`${what} is not available to strategies: return from onBar instead.`);
  };
  const safeProcess = Object.freeze({
    env: Object.freeze({}),
    argv: Object.freeze([]),
    version: real.version,
    versions: Object.freeze({ ...real.versions }),
    platform: real.platform,
    arch: real.arch,
    pid: 0,
    hrtime: Object.freeze(Object.assign((t?: [number, number]) => real.hrtime(t), { bigint: () => real.hrtime.bigint() })),
    nextTick: (fn: (...a: unknown[]) => void, ...args: unknown[]) => real.nextTick(fn, ...args),
    memoryUsage: () => real.memoryUsage(),
    cwd: () => '/',
    exit: refuse('process.exit()'),
    reallyExit: refuse('process.reallyExit()'),
    abort: refuse('process.abort()'),
    kill: refuse('process.kill()'),
  });
  Object.defineProperty(g, 'process', { value: safeProcess, writable: false, configurable: false, enumerable: false });
  for (const name of REMOVED_GLOBALS) {
    try {
      Object.defineProperty(g, name, { value: undefined, writable: false, configurable: false, enumerable: false });
    } catch {
      delete g[name];
    }
  }
  // `Buffer` goes too: its allocUnsafe hands out slices of one shared pool, a place where one run of a batch could
  // leave bytes for the next to read (docs/sandbox.md, "Batches"); strategies have no use for it. Left writable,
  // as a global a strategy may define for itself (the runtime captured what it needs at load).
  Object.defineProperty(g, 'Buffer', { value: undefined, writable: true, configurable: true, enumerable: false });
  // Only the clock: Node's performance object keeps a realm-wide timeline (marks, measures) that would carry from
  // one run of a batch to the next.
  const realPerformance = (globalThis as { performance?: { now(): number; timeOrigin: number } }).performance;
  if (realPerformance) {
    const now = realPerformance.now.bind(realPerformance);
    Object.defineProperty(g, 'performance', { value: Object.freeze({ now: () => now(), timeOrigin: realPerformance.timeOrigin }), writable: false, configurable: false, enumerable: false });
  }
  const write = (...args: unknown[]) => onConsole(format(...args));
  const quietConsole = Object.freeze({
    log: write, info: write, warn: write, error: write, debug: write, trace: write,
    dir: (v: unknown) => write(v),
    table: (v: unknown) => write(v),
    assert: (cond: unknown, ...args: unknown[]) => { if (!cond) write('Assertion failed', ...args); },
    time: () => {}, timeEnd: () => {}, timeLog: () => {}, count: () => {}, countReset: () => {}, group: () => {}, groupEnd: () => {},
  });
  Object.defineProperty(g, 'console', { value: quietConsole, writable: false, configurable: false, enumerable: false });
  freezeIntrinsics(g);
}
