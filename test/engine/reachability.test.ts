/**
 * No property path from a strategy instance reaches mutable engine state. A strategy stores everything the SDK
 * hands it (orders from buy/sell/close, open orders, positions, fills, bars, cash, equity) on `this`; then every
 * object reachable from the instance is collected — own properties (symbol keys too), prototypes, getter results
 * (with the instance as receiver, as strategy code would call them), accessor functions, array and map entries —
 * and compared with every object reachable from the engine's broker. Any object in both must be frozen;
 * built-ins shared by every object of the realm (Object.prototype and its kin) are left out here because the
 * sandbox freezes them (harden.ts, tested in test/sandbox/hostile.test.ts).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { simulate } from '../../core/engine/simulate';
import { compileStrategySync } from '../../core/strategy/transpile';
import { loadStrategy } from '../../core/strategy/load';
import { BaseStrategy } from '../../core/sdk/strategy';
import { bars, strategySource } from '../sandbox/helpers';

interface Walk {
  seen: Set<object>;
  /** One path by which each object was reached, for the failure message. */
  path: Map<object, string>;
}

const isObject = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

/**
 * Every object reachable from `roots`. With `receiver`, getters found on an object's prototype chain are called
 * with that object as receiver (what `obj.prop` does); without, only data properties are followed.
 */
function walk(roots: [string, unknown][], callGetters: boolean, stopAt: Set<object> = new Set()): Walk {
  const seen = new Set<object>();
  const path = new Map<object, string>();
  const queue: [unknown, string][] = [];
  const visit = (value: unknown, where: string) => {
    if (!isObject(value) || seen.has(value) || stopAt.has(value)) return;
    seen.add(value);
    path.set(value, where);
    queue.push([value, where]);
  };
  for (const [where, value] of roots) visit(value, where);
  while (queue.length) {
    const [value, where] = queue.shift()!;
    if (!isObject(value)) continue;
    visit(Object.getPrototypeOf(value), `${where}.__proto__`);
    for (const key of Reflect.ownKeys(value)) {
      const d = Object.getOwnPropertyDescriptor(value, key)!;
      const name = `${where}.${String(key)}`;
      if ('value' in d) visit(d.value, name);
      else {
        visit(d.get, `${name}<get>`);
        visit(d.set, `${name}<set>`);
      }
    }
    if (callGetters) {
      // Accessors anywhere on the chain, read as strategy code reads them: `value.key`.
      for (let p = Object.getPrototypeOf(value); p !== null; p = Object.getPrototypeOf(p)) {
        for (const key of Reflect.ownKeys(p)) {
          const d = Object.getOwnPropertyDescriptor(p, key)!;
          if (d.get === undefined || key === '__proto__') continue;
          try {
            visit(Reflect.get(value, key), `${where}.${String(key)}`);
          } catch {
            // a getter that refuses this receiver (a private-field brand check) reveals nothing
          }
        }
      }
    }
    if (value instanceof Map) for (const [k, v] of value) (visit(k, `${where}<key>`), visit(v, `${where}<value>`));
    if (value instanceof Set) for (const v of value) visit(v, `${where}<entry>`);
  }
  return { seen, path };
}

/** The realm's built-ins: reached from any object, frozen by the sandbox's harden.ts before strategy code runs. */
function intrinsics(): Set<object> {
  const roots: [string, unknown][] = [Object, Function, Array, Map, Set, Number, String, Boolean, Symbol, Error, TypeError, RangeError, Promise, Float64Array, Int32Array, Uint8Array, Object.getPrototypeOf(Float64Array), Math, JSON, Reflect, Date, RegExp, BigInt, WeakMap, ArrayBuffer, Object.getPrototypeOf([][Symbol.iterator]()), Object.getPrototypeOf(function* () {}), Object.getPrototypeOf(async () => {})].map((v, i) => [`intrinsic${i}`, v]);
  return walk(roots, false).seen;
}

const COLLECTOR = `
  if (bar.index === 1) this.store('buy', this.buy(bar.symbol, { percent: 50, stopLossPct: 5, tag: 't' }));
  if (bar.index === 2) this.store('limit', this.buy(bar.symbol, { limit: bar.low * 0.5, shares: 1 }));
  if (bar.index === 3) this.store('sell', this.sell(bar.symbol, { stop: bar.low * 0.5, shares: 1 }));
  if (bar.index === 4) { this.store('open', this.openOrders()); this.store('openSym', this.openOrders(bar.symbol)); this.store('position', this.positionInfo(bar.symbol)); }
  if (bar.index === 6) this.store('close', this.close(bar.symbol));
  this.store('bar', bar);
  this.store('cash', this.cash);
  this.store('equity', this.equity);
  this.store('shares', this.position(bar.symbol));`;

const HANDOFF = '__strategyLabWalkInstance';
const MEMBERS = `
  collected: unknown[] = [];
  store(name: string, value: unknown) { this.collected.push([name, value]); }
  onStart() { (globalThis as any)['${HANDOFF}'] = this; this.store('start-open', this.openOrders()); }
  onFill(fill: unknown) { this.store('fill', fill); }
  onEnd() { this.store('end-open', this.openOrders()); this.store('end-position', this.positionInfo('TEST')); }`;

describe('no property path from a strategy instance reaches mutable engine state', () => {
  test('every object reachable from the instance (and from everything the SDK returned) that the engine also holds is frozen', () => {
    const source = strategySource(COLLECTOR, { members: MEMBERS });
    const cls = loadStrategy(compileStrategySync(source, 'walk.strategy.ts').js, 'walk.strategy.ts');
    const { broker } = simulate(cls, [bars(40)], { commission: 0.001 });
    // The strategy handed itself out in onStart (the test's only way to the instance the engine made).
    const instance = (globalThis as Record<string, unknown>)[HANDOFF] as BaseStrategy | undefined;
    delete (globalThis as Record<string, unknown>)[HANDOFF];
    assert.ok(instance, 'the engine constructed the strategy');
    const collected = (instance as unknown as { collected: [string, unknown][] }).collected;
    const kinds = new Set(collected.map(([name]) => name));
    for (const k of ['buy', 'limit', 'sell', 'open', 'position', 'close', 'fill', 'bar', 'end-open', 'end-position']) assert.ok(kinds.has(k), `the strategy collected ${k}`);
    assert.ok(collected.some(([name, v]) => name === 'fill' && isObject(v)), 'a fill was delivered');

    const builtIns = intrinsics();
    const fromStrategy = walk([['this', instance]], true, builtIns);
    const fromEngine = walk([['broker', broker]], false, builtIns);
    assert.ok(fromStrategy.seen.size > 20, `walked ${fromStrategy.seen.size} objects from the strategy`);
    assert.ok(fromEngine.seen.size > 20, `walked ${fromEngine.seen.size} objects from the engine`);

    const shared = [...fromStrategy.seen].filter((o) => fromEngine.seen.has(o));
    const mutable = shared.filter((o) => !Object.isFrozen(o));
    assert.deepEqual(
      mutable.map((o) => `${fromStrategy.path.get(o)} (engine: ${fromEngine.path.get(o)})`),
      [],
      'objects the strategy can reach and the engine uses must be frozen',
    );
    // The broker itself, its orders and its bar columns are not even reachable.
    assert.equal(fromStrategy.seen.has(broker), false, 'the broker is unreachable');
    for (const order of broker.orders) assert.equal(fromStrategy.seen.has(order), false, `broker order #${order.id} is unreachable`);
    // What is shared is exactly what the engine hands out by design: frozen fills, frozen order views, frozen classes.
    assert.ok(shared.some((o) => broker.fills.includes(o as never)), 'fills are shared, frozen');
  });

  test('the walker does find a live engine object when one leaks (the test can fail)', () => {
    const engineState = { cash: 1 };
    const strategyLike = { a: { b: [engineState] } };
    const builtIns = intrinsics();
    const fromStrategy = walk([['this', strategyLike]], true, builtIns);
    const fromEngine = walk([['engine', { state: engineState }]], false, builtIns);
    const shared = [...fromStrategy.seen].filter((o) => fromEngine.seen.has(o) && !Object.isFrozen(o));
    assert.deepEqual(shared, [engineState]);
    assert.equal(fromStrategy.path.get(engineState), 'this.a.b.0');
  });
});
