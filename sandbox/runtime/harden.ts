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
import { walkRealm } from './realm';

export interface HardenOptions {
  /** Where console output goes (the supervisor turns it into log frames). */
  onConsole: (message: string) => void;
}

/** Built-ins frozen with their prototypes (and made read-only as globals) before strategy code runs. */
export const FROZEN_GLOBALS = [
  'Object', 'Function', 'Array', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Math', 'JSON', 'Reflect', 'Date', 'RegExp',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'Promise', 'ArrayBuffer', 'DataView', 'Atomics',
  'Float64Array', 'Float32Array', 'Int32Array', 'Uint32Array', 'Int16Array', 'Uint16Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'BigInt64Array', 'BigUint64Array',
  'isFinite', 'isNaN', 'parseFloat', 'parseInt',
] as const;

/**
 * Object.freeze's end state (Object.isFrozen is true) reached another way, for the prototypes every typed array,
 * array and object inherits from. V8's Object.freeze gives an object a *frozen elements kind*, and once such an
 * object sits on a receiver's prototype chain, V8 sends every keyed store into that receiver down its slow path
 * (Map::MayHaveReadOnlyElementsInPrototypeChain): `out[i] = x` into a Float64Array became 20–40× slower with
 * Float64Array.prototype, %TypedArray%.prototype or Object.prototype frozen, and the engine's metrics are such
 * loops (docs/performance.md, "Frozen built-ins"). Making each property read-only and non-configurable and then
 * preventing extensions reaches the same frozen state with a *non-extensible* elements kind, which keeps the fast
 * stores. Redefining a prototype's properties one by one turns it into a dictionary-mode object; using it as a
 * prototype once (`Object.create`) makes V8 turn it back into a fast one.
 */
function lockLikeFreeze(o: object): void {
  for (const key of Reflect.ownKeys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key)!;
    if ('value' in d) {
      if (d.writable || d.configurable) Object.defineProperty(o, key, { writable: false, configurable: false });
    } else if (d.configurable) Object.defineProperty(o, key, { configurable: false });
  }
  Object.create(o);
  Object.preventExtensions(o);
  Object.create(o);
  if (!Object.isFrozen(o)) throw new Error('strategy-lab sandbox: a built-in prototype could not be frozen');
}

/**
 * The prototypes locked with lockLikeFreeze instead of Object.freeze: those on the prototype chain of the typed
 * arrays and objects the engine writes into. Not Array.prototype: redefining its `constructor` and
 * `Symbol.iterator` one by one invalidates V8's array species and iterator protectors for the whole isolate
 * (slower `map`, `slice`, spread and for-of everywhere), which costs the engine more than slower keyed stores
 * into plain arrays (it fills typed arrays, and grows plain ones with push). Redefining the typed arrays'
 * `constructor` invalidates the typed-array species protector (only `subarray`/`slice`/`map` on typed arrays
 * look the species up then), a price measured as worth paying.
 */
function lockedPrototypes(): Set<unknown> {
  const typedArray = Object.getPrototypeOf(Float64Array) as { prototype: unknown };
  return new Set<unknown>([
    Object.prototype, typedArray.prototype,
    Float64Array.prototype, Float32Array.prototype, Int32Array.prototype, Uint32Array.prototype, Int16Array.prototype, Uint16Array.prototype,
    Int8Array.prototype, Uint8Array.prototype, Uint8ClampedArray.prototype, BigInt64Array.prototype, BigUint64Array.prototype,
  ]);
}

/**
 * Idempotent. The worker calls it at boot, before the idle JIT warm-up: freezing changes the prototypes' maps,
 * which throws away code V8 optimised against the unfrozen ones (measured: a warmed 20-year job took ~60 ms
 * longer when the freeze came after the warm-up).
 */
export function freezeIntrinsics(g: Record<string, unknown> = globalThis as Record<string, unknown>): void {
  const locked = lockedPrototypes();
  const freeze = (v: unknown) => {
    if (!((typeof v === 'object' && v !== null) || typeof v === 'function') || Object.isFrozen(v)) return;
    if (locked.has(v)) lockLikeFreeze(v as object);
    else Object.freeze(v);
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
  freezeOtherBuiltIns(g);
}

/** Built-ins left writable: Node's own error paths assign `Error.stackTraceLimit` and read `prepareStackTrace`. */
const WRITABLE_GLOBALS = ['Error', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError', 'AggregateError'] as const;

/**
 * Freezes every other object a batch's realm reset would watch (realm.ts walkRealm: the globals, their properties
 * and prototypes): Node's web APIs (URL, Intl, WebAssembly, streams, events, crypto, timers…), which strategies have
 * no reason to change. Only the global object itself (a strategy's own globals) and the Error family stay writable,
 * so the reset between two variants checks ~40 objects instead of ~300 (docs/sandbox.md, "Batches"). Applied to
 * every job, batch or not, so a variant behaves exactly as a separate run.
 */
export function freezeOtherBuiltIns(g: Record<string, unknown> = globalThis as Record<string, unknown>): void {
  const writable = new Set<unknown>([g]);
  for (const name of WRITABLE_GLOBALS) {
    const ctor = g[name] as { prototype?: unknown } | undefined;
    if (ctor) writable.add(ctor).add(ctor.prototype);
  }
  walkRealm(g, (target) => {
    if (writable.has(target)) return true;
    try {
      Object.freeze(target);
    } catch {
      // A typed array with elements cannot be frozen: the batch's reset watches it instead.
    }
    return true;
  });
}
