/**
 * The modules a strategy may import inside the sandbox, and the class check.
 * INTERIM: mirrors core/strategy/load.ts until the indicators package exists
 * and load.ts exports its module map; then this file re-exports from there.
 */
import * as sdk from '../../core/sdk/index';
import { BaseStrategy } from '../../core/sdk/strategy';
import type { StrategyConfig } from '../../core/sdk/types';

export type StrategyClass = (new () => BaseStrategy) & { config: StrategyConfig; name: string };

const MODULES: Record<string, unknown> = { 'strategy-lab': sdk };

export class StrategyLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategyLoadError';
  }
}

export function sdkModule(name: string, fileName: string): unknown {
  if (Object.prototype.hasOwnProperty.call(MODULES, name)) return MODULES[name];
  throw new StrategyLoadError(`${fileName}: import of '${name}' is not allowed. A strategy may import only 'strategy-lab' and 'strategy-lab/indicators'.`);
}

export function strategyClassFrom(exports: Record<string, unknown>, fileName: string): StrategyClass {
  const candidate = exports.default;
  if (typeof candidate !== 'function' || !(candidate.prototype instanceof BaseStrategy)) {
    throw new StrategyLoadError(`${fileName}: the default export must be a class extending BaseStrategy.`);
  }
  return candidate as StrategyClass;
}
