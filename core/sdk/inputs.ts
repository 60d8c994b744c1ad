/**
 * Reads what strategy code hands to the engine. Strategy code is hostile (docs/sandbox.md): a value it passes
 * could be an object whose `valueOf` answers differently each time it is asked, a getter, a Proxy or a BigInt.
 * So every value is read exactly once, checked to be a plain primitive of the right type and size, and copied
 * into a fresh object the strategy never sees. Anything else is a StrategyInputError that names the call.
 */
import type { OrderRequest } from './broker';
import { isProxy } from './internal';
import type { OrderSide } from './types';

/** Longest order tag (characters): tags are copied into orders and trades of the result. */
export const MAX_TAG_CHARS = 256;
/** Longest symbol a call may name (characters). */
export const MAX_SYMBOL_CHARS = 64;

/** Wrong type, shape or size of a value a strategy passed to the SDK. */
export class StrategyInputError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'StrategyInputError';
  }
}

const getPrototypeOf = Object.getPrototypeOf;
const ownKeys = Reflect.ownKeys;
const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const isFinite = Number.isFinite;
const OBJECT_PROTOTYPE = Object.prototype;

const NUMBER_OPTIONS = ['shares', 'cash', 'percent', 'limit', 'stop', 'stopLossPct', 'takeProfitPct', 'stopLoss', 'takeProfit', 'trailingStopPct'] as const;
type NumberOption = (typeof NUMBER_OPTIONS)[number];
const NUMBER_OPTION_SET: ReadonlySet<string> = new Set(NUMBER_OPTIONS);

/** How a bad value is named in an error: its type, never its (possibly huge or hostile) text. */
export function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return 'a BigInt';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (value === null) return 'null';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return isProxy(value) ? 'a Proxy' : 'an object';
  return typeof value;
}

/** A symbol argument: a non-empty string of at most MAX_SYMBOL_CHARS characters. */
export function readSymbol(call: string, symbol: unknown): string {
  if (typeof symbol !== 'string') throw new StrategyInputError(`${call}: the symbol must be a string such as 'AAPL', got ${describeValue(symbol)}.`);
  if (symbol.length > MAX_SYMBOL_CHARS) throw new StrategyInputError(`${call}: the symbol is ${symbol.length} characters long; at most ${MAX_SYMBOL_CHARS} are allowed.`);
  return symbol;
}

/** An optional symbol argument (openOrders). */
export function readOptionalSymbol(call: string, symbol: unknown): string | undefined {
  return symbol === undefined ? undefined : readSymbol(call, symbol);
}

/**
 * The request of `buy`/`sell`: a fresh object of one fixed shape whose fields are all primitives read once
 * from `options`, which must be a plain object (an object literal) with data properties only.
 */
export function readOrderRequest(call: 'buy' | 'sell', symbol: unknown, options: unknown): OrderRequest {
  const request: OrderRequest = {
    symbol: readSymbol(`${call}()`, symbol),
    side: call satisfies OrderSide,
    shares: undefined,
    cash: undefined,
    percent: undefined,
    limit: undefined,
    stop: undefined,
    stopLossPct: undefined,
    takeProfitPct: undefined,
    stopLoss: undefined,
    takeProfit: undefined,
    trailingStopPct: undefined,
    tag: undefined,
    closePosition: false,
  };
  if (options === undefined) return request;
  const where = `${call}(${JSON.stringify(request.symbol)}, options)`;
  if (typeof options !== 'object' || options === null || isProxy(options)) {
    throw new StrategyInputError(`${where}: options must be an object literal such as { shares: 10 }, got ${describeValue(options)}.`);
  }
  const proto: unknown = getPrototypeOf(options);
  if (proto !== OBJECT_PROTOTYPE && proto !== null) {
    throw new StrategyInputError(`${where}: options must be a plain object literal such as { shares: 10 }, not an instance of a class or an array.`);
  }
  for (const key of ownKeys(options)) {
    if (typeof key !== 'string') throw new StrategyInputError(`${where}: options may not have symbol keys.`);
    const descriptor = getOwnPropertyDescriptor(options, key)!;
    if (descriptor.get !== undefined || descriptor.set !== undefined) {
      throw new StrategyInputError(`${where}: options.${key} is a getter; give a plain value.`);
    }
    const value: unknown = descriptor.value;
    if (value === undefined) continue;
    if (NUMBER_OPTION_SET.has(key)) {
      if (typeof value !== 'number' || !isFinite(value)) {
        throw new StrategyInputError(`${where}: options.${key} must be a finite number, got ${describeValue(value)}.`);
      }
      request[key as NumberOption] = value;
    } else if (key === 'tag') {
      if (typeof value !== 'string') throw new StrategyInputError(`${where}: options.tag must be a string, got ${describeValue(value)}.`);
      if (value.length > MAX_TAG_CHARS) throw new StrategyInputError(`${where}: options.tag is ${value.length} characters long; at most ${MAX_TAG_CHARS} are allowed.`);
      request.tag = value;
    } else {
      throw new StrategyInputError(`${where}: unknown option '${key.slice(0, 40)}'. Known options: ${NUMBER_OPTIONS.join(', ')}, tag.`);
    }
  }
  return request;
}

/** The order id `cancel` was given: a number, or an order returned by buy/sell/openOrders. */
export function readOrderId(order: unknown): number {
  let id: unknown = order;
  if (typeof order === 'object' && order !== null && !isProxy(order)) id = (order as { id?: unknown }).id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    throw new StrategyInputError(`cancel(order): give an order returned by buy()/sell()/openOrders() or its numeric id, got ${describeValue(id)}.`);
  }
  return id;
}
