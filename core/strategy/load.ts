import { compileFunction } from 'node:vm';
import * as sdk from '../sdk/index';
import * as indicators from '../sdk/indicators/index';
import { BaseStrategy } from '../sdk/strategy';
import type { StrategyConfig } from '../sdk/types';
import { strategyName } from '../engine/strategyValues';
import { checkStrategySize } from './size';
import { freezeClass } from '../sdk/internal';

/** A strategy class as loaded from a compiled file. */
export type StrategyClass = (new () => BaseStrategy) & { config: StrategyConfig; name: string };

/**
 * The only modules a strategy may import. Everything else is refused at load time too (not only by the validator).
 * Frozen copies of the modules' exports, so `require('strategy-lab').BaseStrategy = …` fails and cannot change
 * what the next strategy loaded in this realm gets (in-process and process modes load several).
 */
const SDK_MODULES: Readonly<Record<string, unknown>> = Object.freeze({
  'strategy-lab': Object.freeze({ ...sdk }),
  'strategy-lab/indicators': Object.freeze({ ...indicators }),
});

let sdkFrozen = false;

/**
 * Freezes the SDK's classes, their prototypes and their SDK parents before any strategy code loads (idempotent):
 * patching `BaseStrategy.prototype.buy` or `RSI.prototype.update` then fails with a clear error instead of
 * changing how this or a later strategy in the same realm is simulated. Called by loadStrategy in every mode,
 * and by the sandbox worker at boot (before its JIT warm-up, like the built-ins).
 */
export function freezeSdk(): void {
  if (sdkFrozen) return;
  sdkFrozen = true;
  for (const exports of Object.values(SDK_MODULES)) {
    for (const value of Object.values(exports as Record<string, unknown>)) {
      if (typeof value === 'function') freezeClassChain(value);
    }
  }
}

/** A class, its prototype, and every parent class up to (not including) the built-ins. */
function freezeClassChain(cls: Function): void {
  for (let c: Function | null = cls; c !== null && c !== Function.prototype && c !== Error; c = Object.getPrototypeOf(c) as Function | null) {
    freezeClass(c);
  }
}

export class StrategyLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategyLoadError';
  }
}

/**
 * Evaluates compiled strategy code and returns its default-exported class.
 * Through vm.compileFunction, not `new Function`: it works where string code
 * generation is disabled (the sandbox) and gives the code no `import()` hook.
 */
export function loadStrategy(js: string, fileName = 'strategy.ts'): StrategyClass {
  return strategyModule(js, fileName)();
}

/**
 * Compiles strategy code once and returns a function that evaluates the module afresh at each call: a new
 * module scope, new classes with new static fields, a new `require`. Batched runs of one strategy call it once
 * per variant, so module-level and static state a strategy keeps cannot carry from one variant to the next.
 */
export function strategyModule(js: string, fileName = 'strategy.ts'): () => StrategyClass {
  checkStrategySize(js, fileName);
  freezeSdk();
  const factory = compileFunction(js, ['module', 'exports', 'require'], { filename: fileName.replace(/[\r\n]/g, '') });
  return () => {
    const module = { exports: {} as Record<string, unknown> };
    factory.call(undefined, module, module.exports, (name: string) => requireSdkModule(name, fileName));
    return strategyClassFrom(module.exports, fileName);
  };
}

/** The `require` a strategy gets: the SDK modules, and nothing else. */
export function requireSdkModule(name: string, fileName: string): unknown {
  if (Object.prototype.hasOwnProperty.call(SDK_MODULES, name)) return SDK_MODULES[name];
  throw new StrategyLoadError(`${fileName}: import of '${name}' is not allowed. A strategy may import only 'strategy-lab' and 'strategy-lab/indicators'.`);
}

/** Picks and checks the strategy class from a module's exports. */
export function strategyClassFrom(exports: Record<string, unknown>, fileName: string): StrategyClass {
  const candidate = exports.default;
  if (typeof candidate !== 'function') {
    throw new StrategyLoadError(`${fileName}: no default-exported class. Write \`export default class MyStrategy extends BaseStrategy { … }\`.`);
  }
  if (!(candidate.prototype instanceof BaseStrategy)) {
    throw new StrategyLoadError(`${fileName}: the default export '${candidate.name || 'anonymous'}' does not extend BaseStrategy. Write \`class ${candidate.name || 'MyStrategy'} extends BaseStrategy\` and import BaseStrategy from 'strategy-lab'.`);
  }
  const cls = candidate as StrategyClass;
  try {
    strategyName(cls);
  } catch (err) {
    throw new StrategyLoadError(`${fileName}: ${(err as Error).message}`);
  }
  checkConfig(cls.config, fileName);
  return cls;
}

const TIMEFRAMES = new Set(['1m', '2m', '5m', '15m', '30m', '1h', '4h', '1d', '1wk']);

function checkConfig(config: StrategyConfig | undefined, fileName: string): void {
  if (!config || typeof config !== 'object') {
    throw new StrategyLoadError(`${fileName}: missing \`static config = { symbols: ['AAPL'], timeframe: '1d' }\` on the strategy class.`);
  }
  if (!Array.isArray(config.symbols) || config.symbols.length === 0 || !config.symbols.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new StrategyLoadError(`${fileName}: config.symbols must be a non-empty list of tickers, e.g. ['AAPL'].`);
  }
  if (!TIMEFRAMES.has(config.timeframe)) {
    throw new StrategyLoadError(`${fileName}: config.timeframe '${String(config.timeframe)}' is not one of ${[...TIMEFRAMES].join(', ')}.`);
  }
}
