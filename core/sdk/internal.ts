/**
 * Engine-side hooks into BaseStrategy that strategies cannot reach: the SDK's
 * public `.d.ts` does not declare this module, and the sandbox's module loader
 * does not resolve it for strategy code.
 */
import type { Broker } from './broker';
import type { StrategyParams } from './types';

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
