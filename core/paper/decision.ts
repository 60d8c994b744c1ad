/**
 * A step's decision as it may cross from the strategy's realm to the host:
 * every field typed and bounded, nothing else copied. The supervisor checks what
 * the worker sends; the host checks every frame again (docs/paper.md, "The session channel").
 */
import { describe } from '../sandbox/caps';
import type { OrderRequest } from '../sdk/broker';
import { MAX_ORDERS_PER_STEP } from './liveEngine';
import type { Decision } from './types';

const NUMBER_FIELDS = ['shares', 'cash', 'percent', 'limit', 'stop', 'stopLossPct', 'takeProfitPct', 'stopLoss', 'takeProfit', 'trailingStopPct'] as const;
const MAX_TEXT = 200;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
const isSide = (v: unknown): v is 'buy' | 'sell' => v === 'buy' || v === 'sell';
const isText = (v: unknown): v is string => typeof v === 'string' && v.length <= MAX_TEXT;

/** The decision, or what is wrong with it. */
export function readDecision(value: unknown): Decision | string {
  if (!isRecord(value)) return `a decision that is ${describe(value)}, not an object`;
  const { orders, cancels, refused } = value;
  if (!Array.isArray(orders) || !Array.isArray(cancels) || !Array.isArray(refused)) return 'a decision without orders, cancels and refused lists';
  if (orders.length > MAX_ORDERS_PER_STEP || cancels.length > MAX_ORDERS_PER_STEP || refused.length > MAX_ORDERS_PER_STEP) return 'a decision with more entries than one step may have';
  const out: Decision = { orders: [], cancels: [], refused: [] };
  for (const o of orders) {
    if (!isRecord(o) || !isId(o.id) || !isRecord(o.request) || typeof o.placedAt !== 'number') return 'an order intent without an id, a request and a time';
    const r = o.request;
    if (!isText(r.symbol) || !isSide(r.side)) return 'an order without a symbol or side';
    const request: OrderRequest = { symbol: r.symbol, side: r.side };
    for (const k of NUMBER_FIELDS) {
      const v = r[k];
      if (v === undefined) continue;
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) return `an order whose ${k} is ${describe(v)}`;
      request[k] = v;
    }
    if (r.tag !== undefined) {
      if (!isText(r.tag)) return 'an order whose tag is not a short string';
      request.tag = r.tag;
    }
    if (r.closePosition === true) request.closePosition = true;
    out.orders.push({ id: o.id, request, placedAt: o.placedAt });
  }
  for (const c of cancels) {
    if (!isId(c)) return `a cancel of ${describe(c)}, not an order id`;
    out.cancels.push(c);
  }
  for (const r of refused) {
    if (!isRecord(r) || !isId(r.id) || !isText(r.symbol) || !isSide(r.side) || typeof r.reason !== 'string') return 'a refused order without id, symbol, side and reason';
    out.refused.push({ id: r.id, symbol: r.symbol, side: r.side, reason: r.reason.slice(0, 1000) });
  }
  return out;
}
