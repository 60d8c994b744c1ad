/**
 * Engine-side hooks into BaseStrategy that strategies cannot reach: the SDK's
 * public `.d.ts` does not declare this module, and the sandbox's module loader
 * does not resolve it for strategy code.
 */
import type { Broker } from './broker';
import type { StrategyParams } from './types';

const brokers = new WeakMap<object, Broker>();
let pendingOverrides: Partial<StrategyParams> | undefined;

export function bindBroker(strategy: object, broker: Broker): void {
  brokers.set(strategy, broker);
}

export function brokerOf(strategy: object): Broker {
  const broker = brokers.get(strategy);
  if (!broker) {
    throw new Error('This strategy is not attached to a broker yet: place orders from onStart/onBar/onEnd, not from the constructor.');
  }
  return broker;
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
