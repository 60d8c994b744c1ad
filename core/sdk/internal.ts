/**
 * Engine-side hooks into BaseStrategy that strategies cannot reach: the SDK's
 * public `.d.ts` does not declare this module, and the sandbox's module loader
 * does not resolve it for strategy code.
 */
import type { Broker } from './broker';
import type { StrategyParams } from './types';

let plotReader: ((strategy: object) => { all: boolean; settings: Map<object, unknown> }) | undefined;

/** Called once by BaseStrategy's static block: how the engine reads what `plot()` recorded in a private field. */
export function registerPlotReader(fn: (strategy: object) => { all: boolean; settings: Map<object, unknown> }): void {
  plotReader ??= fn;
}

/** The strategy's plot settings: `all` false after `plot(false)`; settings by indicator (checked by sdk/plot.ts). */
export function readPlotSettings(strategy: object): { all: boolean; settings: Map<object, unknown> } {
  return plotReader!(strategy);
}

let pendingOverrides: Partial<StrategyParams> | undefined;
let attach: ((strategy: object, broker: Broker) => void) | undefined;

/** Called once by BaseStrategy's static block: the only way into its private `#broker` field. */
export function registerBrokerAttacher(fn: (strategy: object, broker: Broker) => void): void {
  attach ??= fn;
}

export function bindBroker(strategy: object, broker: Broker): void {
  attach!(strategy, broker);
}

/**
 * Runs `construct` with parameter overrides applied while the strategy's own
 * field initializers run, so `private rsi = new RSI(this.params.period)` sees
 * the overridden period. Used by optimisers and robustness checks.
 */
export function withParamOverrides<T>(overrides: Partial<StrategyParams> | undefined, construct: () => T): T {
  const previous = pendingOverrides;
  pendingOverrides = overrides;
  try {
    return construct();
  } finally {
    pendingOverrides = previous;
  }
}

export function currentOverrides(): Partial<StrategyParams> | undefined {
  return pendingOverrides;
}

let proxyCheck: (value: object) => boolean = () => false;

/**
 * Set once by the engine (Node's `util.types.isProxy`; the SDK itself is compiled without Node's types), so the
 * SDK can refuse a Proxy passed as order options with a clear error instead of running its traps.
 */
export function registerProxyCheck(check: (value: object) => boolean): void {
  proxyCheck = check;
}

export function isProxy(value: object): boolean {
  return proxyCheck(value);
}

/**
 * Freezes a class, its prototype, and every method and accessor function on both, so no code in the realm can
 * patch how it behaves (or hang state on its functions). Used for the SDK's classes and the engine's objects
 * that strategy code can reach.
 */
export function freezeClass(cls: Function): void {
  for (const target of [cls, cls.prototype as object | undefined]) {
    if (target === undefined || target === null) continue;
    for (const key of Reflect.ownKeys(target)) {
      const d = Object.getOwnPropertyDescriptor(target, key)!;
      for (const f of [d.value, d.get, d.set]) if (typeof f === 'function' && key !== 'constructor') Object.freeze(f);
    }
    Object.freeze(target);
  }
}
