/**
 * Values the engine reads from the strategy object itself (not through an SDK call) and puts into the result:
 * the class name and the parameters. Each is read once, checked and copied (docs/sandbox.md, "Caps").
 */
import { describeValue, StrategyInputError } from '../sdk/inputs';
import type { StrategyParams } from '../sdk/types';
import { MAX_PARAM_NAME_CHARS, MAX_PARAMS, MAX_STRATEGY_NAME_CHARS } from './caps';

/** The strategy class's name, read once: a non-empty string of at most MAX_STRATEGY_NAME_CHARS characters. */
export function strategyName(cls: { readonly name: unknown }): string {
  const name = cls.name;
  if (typeof name !== 'string') throw new StrategyInputError(`The strategy class's name must be a string, got ${describeValue(name)}.`);
  if (name.length > MAX_STRATEGY_NAME_CHARS) throw new StrategyInputError(`The strategy class's name is ${name.length} characters long; at most ${MAX_STRATEGY_NAME_CHARS} are allowed.`);
  return name;
}

/**
 * A plain copy of `this.params` for the result: at most MAX_PARAMS own data properties, each a finite number
 * or a boolean under a name of at most MAX_PARAM_NAME_CHARS characters.
 */
export function readParams(params: unknown): StrategyParams {
  if (typeof params !== 'object' || params === null) throw new StrategyInputError(`this.params must be an object such as { period: 14 }, got ${describeValue(params)}.`);
  const keys = Reflect.ownKeys(params);
  if (keys.length > MAX_PARAMS) throw new StrategyInputError(`this.params has ${keys.length} entries; at most ${MAX_PARAMS} are allowed.`);
  const out: StrategyParams = {};
  for (const key of keys) {
    if (typeof key !== 'string') continue; // symbol keys are not parameters (and never enumerable by JSON)
    const descriptor = Object.getOwnPropertyDescriptor(params, key);
    if (descriptor === undefined || !descriptor.enumerable) continue;
    if (key.length > MAX_PARAM_NAME_CHARS) throw new StrategyInputError(`this.params has a name of ${key.length} characters; at most ${MAX_PARAM_NAME_CHARS} are allowed.`);
    if (descriptor.get !== undefined || descriptor.set !== undefined) throw new StrategyInputError(`this.params.${key} is a getter; parameters must be plain numbers or booleans.`);
    const value: unknown = descriptor.value;
    if (!(typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) {
      throw new StrategyInputError(`this.params.${key} must be a finite number or a boolean, got ${describeValue(value)}.`);
    }
    // Defined, not assigned: a parameter named __proto__ must stay a parameter.
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return out;
}
