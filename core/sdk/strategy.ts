import type { Broker } from './broker';
import { readOptionalSymbol, readOrderId, readOrderRequest, readSymbol } from './inputs';
import { currentOverrides, isProxy, registerBrokerAttacher, registerPlotReader } from './internal';
import { readPlotOptions, type PlotSetting } from './plot';
import type { Bar, Fill, Order, OrderOptions, PlotOptions, Plottable, Position, StrategyConfigInput, StrategyParams } from './types';

/**
 * Base class of every strategy. Extend it, set `static config`, put tunable
 * numbers in `params`, and implement `onBar`.
 *
 * ```ts
 * export default class RsiReversion extends BaseStrategy {
 *   static config = { symbols: ['AAPL'], timeframe: '1d' };
 *   params = { period: 14, buyBelow: 35, sellAbove: 65 };
 *   private rsi = new RSI(this.params.period);
 *   onBar(bar: Bar) {
 *     const value = this.rsi.update(bar.close);
 *     if (value === undefined) return;
 *     if (value < this.params.buyBelow && !this.position(bar.symbol)) this.buy(bar.symbol);
 *     else if (value > this.params.sellAbove && this.position(bar.symbol)) this.close(bar.symbol);
 *   }
 * }
 * ```
 */
export abstract class BaseStrategy {
  /** Symbols and timeframe the strategy trades. Required. */
  static config: StrategyConfigInput;

  /** Tunable numbers and switches, read as `this.params.name`. */
  declare params: StrategyParams;

  /** Called once per bar, in time order; bars of one timestamp arrive together, one call each. */
  abstract onBar(bar: Bar): void;
  /** Called once before the first bar. */
  onStart?(): void;
  /** Called once after the last bar. */
  onEnd?(): void;
  /** Called when one of this strategy's orders fills. */
  onFill?(fill: Fill): void;

  /**
   * Buy `symbol`. With no size: covers the whole short if short, otherwise spends
   * all available cash (whole shares, commission included). Market order unless
   * `limit` or `stop` is given.
   */
  buy(symbol: string, options?: OrderOptions): Order {
    return this.#attached().submit(readOrderRequest('buy', symbol, options));
  }

  /**
   * Sell `symbol`. With no size: sells the whole long if long, otherwise opens a
   * short with all available buying power. Market order unless `limit` or `stop` is given.
   */
  sell(symbol: string, options?: OrderOptions): Order {
    return this.#attached().submit(readOrderRequest('sell', symbol, options));
  }

  /** Close the whole position in `symbol` at the next fill (market order). Returns undefined when flat. */
  close(symbol: string): Order | undefined {
    const broker = this.#attached();
    const shares = broker.shares(readSymbol('close()', symbol));
    if (shares === 0) return undefined;
    const request = readOrderRequest(shares > 0 ? 'sell' : 'buy', symbol, undefined);
    request.closePosition = true;
    return broker.submit(request);
  }

  /** Cancel a pending order. Returns false when it already filled or was cancelled. */
  cancel(order: Order | number): boolean {
    return this.#attached().cancel(readOrderId(order));
  }

  /** Signed shares held in `symbol`: positive long, negative short, 0 flat. */
  position(symbol: string): number {
    return this.#attached().shares(readSymbol('position()', symbol));
  }

  /** Full details of the open position in `symbol`, or undefined when flat. */
  positionInfo(symbol: string): Position | undefined {
    return this.#attached().position(readSymbol('positionInfo()', symbol));
  }

  /** Pending orders, optionally for one symbol. */
  openOrders(symbol?: string): Order[] {
    return this.#attached().openOrders(readOptionalSymbol('openOrders()', symbol));
  }

  /** Cash available now. */
  get cash(): number {
    return this.#attached().cash();
  }

  /** Cash plus open positions at the last close. */
  get equity(): number {
    return this.#attached().equity();
  }

  /** Write a line to the run's log (shown live in the results view). */
  log(...values: unknown[]): void {
    this.#attached().log(values.map(formatLogValue).join(' '));
  }

  /**
   * How an indicator is drawn on the results chart. Every indicator held in a field of the strategy is drawn
   * by default, named after the field; call this in the constructor or `onStart` to name one, set its levels,
   * or leave it out. `this.plot(false)` draws only the indicators you plot explicitly.
   *
   * ```ts
   * private fast = new SMA(20);
   * private rsi = new RSI(14);
   * private atr = new ATR(14);
   * onStart() {
   *   this.plot(this.fast, 'SMA 20');
   *   this.plot(this.rsi, { levels: [30, 70] });
   *   this.plot(this.atr, false); // not drawn
   * }
   * ```
   * Drawing only: what is plotted never changes the backtest.
   */
  plot(indicator: Plottable | false, options?: string | false | PlotOptions): void {
    if (indicator === false) {
      this.#plotAll = false;
      return;
    }
    if (typeof indicator !== 'object' || indicator === null || isProxy(indicator)) {
      throw new TypeError('plot(): pass an indicator from strategy-lab/indicators (e.g. this.plot(this.rsi)), or false to draw only the ones you plot.');
    }
    const setting: PlotSetting = readPlotOptions(options);
    this.#plots.set(indicator, setting);
  }

  #plots = new Map<object, PlotSetting>();
  #plotAll = true;

  // A true private field (and a private method to read it): no property path leads from `this` to the broker,
  // not even `(this as any)['broker']`; the lookup is as cheap as a property load (it runs every bar).
  #broker: Broker | undefined;

  static {
    registerBrokerAttacher((strategy, broker) => {
      (strategy as BaseStrategy).#broker = broker;
    });
    registerPlotReader((strategy) => ({ all: (strategy as BaseStrategy).#plotAll, settings: (strategy as BaseStrategy).#plots }));
  }

  #attached(): Broker {
    const broker = this.#broker;
    if (broker === undefined) {
      throw new Error('This strategy is not attached to a broker yet: place orders from onStart/onBar/onEnd, not from the constructor.');
    }
    return broker;
  }
}

// `params` is an accessor at run time so that parameter overrides (optimiser,
// robustness checks) apply *before* the subclass's field initializers read
// them. Strategies are compiled with [[Set]] semantics for class fields
// (useDefineForClassFields: false), so `params = {...}` in a subclass calls
// this setter. Declared as a plain property above so the `.d.ts` stays simple.
Object.defineProperty(BaseStrategy.prototype, 'params', {
  configurable: false,
  enumerable: false,
  get(this: object): StrategyParams {
    return ownParams(this, {});
  },
  set(this: object, value: StrategyParams) {
    ownParams(this, value);
  },
});

/**
 * Stores the merged params as an own data property, shadowing the accessor:
 * `this.params.x` in onBar is then a plain property load (it runs every bar).
 */
function ownParams(target: object, value: StrategyParams): StrategyParams {
  const merged = { ...value, ...currentOverrides() } as StrategyParams;
  Object.defineProperty(target, 'params', { value: merged, writable: true, enumerable: true, configurable: true });
  return merged;
}

function formatLogValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
