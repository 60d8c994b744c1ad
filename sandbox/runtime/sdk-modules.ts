/**
 * The modules a strategy may import inside the sandbox; same list and class
 * checks as core/strategy/load.ts (whose evaluator uses `new Function`, which
 * the sandbox disables).
 */
import * as sdk from '../../core/sdk/index';
import * as indicators from '../../core/sdk/indicators/index';
import { StrategyLoadError, strategyClassFrom, type StrategyClass } from '../../core/strategy/load';

export { strategyClassFrom, type StrategyClass };

const MODULES: Record<string, unknown> = { 'strategy-lab': sdk, 'strategy-lab/indicators': indicators };

export function sdkModule(name: string, fileName: string): unknown {
  if (Object.prototype.hasOwnProperty.call(MODULES, name)) return MODULES[name];
  throw new StrategyLoadError(`${fileName}: import of '${name}' is not allowed. A strategy may import only 'strategy-lab' and 'strategy-lab/indicators'.`);
}
