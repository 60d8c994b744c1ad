import type { Order, OrderOptions, OrderSide, Position } from './types';

/** What a strategy asks the broker to do. */
export interface OrderRequest extends OrderOptions {
  symbol: string;
  side: OrderSide;
  /** true for `close()`: size is the whole open position, whatever it is at fill time. */
  closePosition?: boolean;
}

/**
 * The only thing a strategy talks to. `BacktestBroker` implements it for
 * simulations; a live broker (e.g. Alpaca) implements the same interface, so
 * strategy code runs unchanged.
 */
export interface Broker {
  submit(request: OrderRequest): Order;
  cancel(orderId: number): boolean;
  /** Signed shares held in `symbol` (0 when flat): the cheap query strategies make every bar. */
  shares(symbol: string): number;
  /** Open position in `symbol`, or undefined when flat. */
  position(symbol: string): Position | undefined;
  /** Orders not yet filled or cancelled. */
  openOrders(symbol?: string): Order[];
  cash(): number;
  /** Cash plus the market value of every open position at the last close. */
  equity(): number;
  /** Text the strategy logs; never mixed with results. */
  log(message: string): void;
}
