/**
 * What the engine hands to strategy code: never its own mutable objects.
 *
 * An order is a read-only *view*: its getters read the broker's order through a true private field, so a
 * strategy sees the status change when the order fills, but cannot assign, redefine or add a property (the view
 * and its class are frozen), and no property path leads from the view to the broker's order. Fills and
 * positions are frozen copies (docs/sandbox.md, "Values, not handles").
 */
import type { Order, OrderSide, OrderStatus, OrderType } from '../sdk/types';
import type { BrokerOrder } from './broker';
import { freezeClass } from '../sdk/internal';

class OrderView implements Order {
  readonly #order: BrokerOrder;

  constructor(order: BrokerOrder) {
    this.#order = order;
  }

  get id(): number {
    return this.#order.id;
  }
  get symbol(): string {
    return this.#order.symbol;
  }
  get side(): OrderSide {
    return this.#order.side;
  }
  get type(): OrderType {
    return this.#order.type;
  }
  get status(): OrderStatus {
    return this.#order.status;
  }
  get shares(): number | undefined {
    return this.#order.shares;
  }
  get limit(): number | undefined {
    return this.#order.limit;
  }
  get stop(): number | undefined {
    return this.#order.stop;
  }
  get placedAt(): number {
    return this.#order.placedAt;
  }
  get tag(): string | undefined {
    return this.#order.tag;
  }
  get reason(): string | undefined {
    return this.#order.reason;
  }

  /** `JSON.stringify(order)` and `this.log(order)` show the fields, not `{}`. */
  toJSON(): Order {
    const o = this.#order;
    return {
      id: o.id, symbol: o.symbol, side: o.side, type: o.type, status: o.status, shares: o.shares,
      ...(o.limit !== undefined ? { limit: o.limit } : {}),
      ...(o.stop !== undefined ? { stop: o.stop } : {}),
      placedAt: o.placedAt,
      ...(o.tag !== undefined ? { tag: o.tag } : {}),
      ...(o.reason !== undefined ? { reason: o.reason } : {}),
    };
  }
}
freezeClass(OrderView);

/** The one view of a broker order (the same object every time, so strategies may compare orders by identity). */
export function orderView(order: BrokerOrder): Order {
  return (order.view ??= Object.freeze(new OrderView(order)));
}
