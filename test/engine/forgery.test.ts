/**
 * Strategies that try to forge their own numbers through the engine's objects, run in-process (the point here is
 * the engine, not the sandbox; test/sandbox/forgery-docker.test.ts repeats a few in Docker). Each attack either
 * ends with a clear error naming the call, or — when the strategy swallows the error — produces a result
 * byte-identical to its honest twin (the same strategy without the attempt).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runBacktest } from '../../core/engine/backtest';
import type { BacktestResult, LogLine } from '../../core/engine/types';
import { compileStrategySync } from '../../core/strategy/transpile';
import { loadStrategy } from '../../core/strategy/load';
import { BacktestBroker } from '../../core/engine/broker';
import { bars, strategySource } from '../sandbox/helpers';

const N = 60;
/** Trades on a fixed rhythm with every order type, so fills, commissions and protective exits all occur. */
const HONEST = `
  if (bar.index % 10 === 1) this.buy(bar.symbol, { percent: 50, tag: 'entry' });
  if (bar.index % 10 === 3) this.buy(bar.symbol, { limit: bar.close * 0.99, shares: 5 });
  if (bar.index % 10 === 5) this.sell(bar.symbol, { stop: bar.close * 0.98, shares: 2 });
  if (bar.index % 10 === 8) this.close(bar.symbol);`;

interface Outcome {
  result?: BacktestResult;
  error?: Error;
  logs: LogLine[];
}

function runSource(source: string): Outcome {
  const logs: LogLine[] = [];
  try {
    const cls = loadStrategy(compileStrategySync(source, 'attack.strategy.ts').js, 'attack.strategy.ts');
    const result = runBacktest(cls, [bars(N)], { commission: 0.001, slippageBps: 2, onLog: (l) => logs.push(l) });
    return { result, logs };
  } catch (err) {
    return { error: err as Error, logs };
  }
}

const run = (onBar: string, opts: { members?: string; prelude?: string } = {}) => runSource(strategySource(onBar, opts));
const honestJson = () => JSON.stringify(run(HONEST).result);

/**
 * The attack (with its errors swallowed) changes nothing: the result is byte-identical to the honest twin's
 * (the honest strategy plus `twin`, the attack's legitimate part, if any).
 */
function assertSilent(attack: string, opts: { members?: string; prelude?: string } = {}, twin = ''): Outcome {
  const outcome = run(`${attack}\n${HONEST}`, opts);
  assert.equal(outcome.error, undefined, outcome.error?.message);
  assert.ok(outcome.result!.trades.length >= 4, 'the twin trades');
  assertSameJson(JSON.stringify(outcome.result), twin ? JSON.stringify(run(`${twin}\n${HONEST}`).result) : honestJson());
  return outcome;
}

/** Equal strings, or a failure that shows where they differ (not two 20 KB results). */
export function assertSameJson(actual: string, expected: string): void {
  if (actual === expected) return;
  let i = 0;
  while (i < actual.length && actual[i] === expected[i]) i++;
  assert.fail(`the results differ at character ${i}:\n  attack: …${actual.slice(Math.max(0, i - 80), i + 80)}\n  honest: …${expected.slice(Math.max(0, i - 80), i + 80)}`);
}

function assertFails(onBar: string, pattern: RegExp, opts: { members?: string; prelude?: string } = {}): Error {
  const { error, result } = run(onBar, opts);
  assert.ok(error, `expected an error, got a result with ${result?.orders.length} orders`);
  assert.match(error.message, pattern);
  return error;
}

const swallow = (code: string) => `try { ${code} } catch (e) { this.log('refused:', (e as Error).message); }`;

describe('values strategy code hands to the engine are read once and checked', () => {
  test('a limit whose valueOf answers differently each time is refused, naming the call', () => {
    const probe = `let n = 0; const probe = { valueOf: () => (n++ % 2 ? bar.low : bar.high) };`;
    assertFails(`if (bar.index === 3) { ${probe} this.buy(bar.symbol, { limit: probe as any, shares: 10 }); }`, /buy\("TEST", options\): options\.limit must be a finite number, got an object/);
    const { logs } = assertSilent(`if (bar.index % 10 === 3) { ${probe} ${swallow('this.buy(bar.symbol, { limit: probe as any, shares: 10 });')} }`);
    assert.ok(logs.some((l) => /refused: buy/.test(l.message)));
  });

  test('getters, Proxies, class instances, arrays and symbol keys as options are refused', () => {
    assertFails(`if (bar.index === 3) { let k = 0; this.buy(bar.symbol, { get shares() { return ++k > 1 ? 1e6 : 1; } } as any); }`, /options\.shares is a getter/);
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, new Proxy({ shares: 1 }, {}) as any);`, /options must be an object literal.*got a Proxy/);
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, new (class { shares = 1; })() as any);`, /plain object literal/);
    assertFails(`if (bar.index === 3) this.sell(bar.symbol, [1] as any);`, /plain object literal/);
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, { [Symbol('x')]: 1 } as any);`, /symbol keys/);
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, { size: 10 } as any);`, /unknown option 'size'/);
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, null as any);`, /options must be an object literal/);
  });

  test('BigInt, NaN, Infinity and strings as sizes or prices are refused with the option named', () => {
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, { shares: 10n as any });`, /buy\("TEST", options\): options\.shares must be a finite number, got a BigInt/);
    assertFails(`if (bar.index === 3) this.sell(bar.symbol, { limit: NaN });`, /sell\("TEST", options\): options\.limit must be a finite number, got NaN/);
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, { cash: Infinity });`, /options\.cash must be a finite number, got Infinity/);
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, { stopLossPct: '2' as any });`, /options\.stopLossPct must be a finite number, got a string/);
    assertFails(`if (bar.index === 3) this.buy(10n as any);`, /buy\(\): the symbol must be a string/);
    assertFails(`if (bar.index === 3) this.position({ toString: () => 'TEST' } as any);`, /position\(\): the symbol must be a string/);
  });

  test('a non-positive number is still an order rejected with the reason (a value, not a type error)', () => {
    const { result, error } = run(`if (bar.index === 3) this.buy(bar.symbol, { shares: -5 });`);
    assert.equal(error, undefined);
    assert.deepEqual(result!.orders.map((o) => [o.status, o.reason]), [['rejected', 'shares must be a positive finite number, got -5']]);
  });

  test('tags are bounded strings', () => {
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, { tag: 'x'.repeat(1_000_000) });`, /options\.tag is 1000000 characters long; at most 256/);
    assertFails(`if (bar.index === 3) this.buy(bar.symbol, { tag: { toString: () => 'x' } as any });`, /options\.tag must be a string, got an object/);
    assertFails(`if (bar.index === 3) this.buy('T'.repeat(100));`, /the symbol is 100 characters long/);
  });

  test('cancel reads an order id once and checks it', () => {
    assertFails(`if (bar.index === 3) this.cancel(new Proxy({ id: 1 }, {}) as any);`, /cancel\(order\).*got a Proxy/);
    assertFails(`if (bar.index === 3) this.cancel({ id: 1n } as any);`, /cancel\(order\).*got a BigInt/);
    const { result } = run(`if (bar.index === 3) { const o = this.buy(bar.symbol, { limit: 1 }); this.log(String(this.cancel(o))); this.log(String(this.cancel(o.id))); }`);
    assert.equal(result!.orders[0].status, 'cancelled');
  });

  test('BigInts and hostile objects in log values never crash the run', () => {
    const { result, logs, error } = run(`if (bar.index === 3) { this.log(10n, { a: 1n }, { toJSON() { return 'j'; } }); }`);
    assert.equal(error, undefined, error?.message);
    assert.ok(result);
    assert.deepEqual(logs.map((l) => l.message), ['10 [object Object] "j"']);
  });

  test('params must stay plain numbers or booleans: BigInt, getters, strings and oversized names are clear errors', () => {
    assertFails('', /this\.params\.x must be a finite number or a boolean, got a BigInt/, { members: 'params = { x: 1n as any };' });
    assertFails(`if (bar.index === 2) Object.defineProperty(this.params, 'x', { get: () => 1, enumerable: true });`, /this\.params\.x is a getter/, { members: 'params = { x: 1 };' });
    // A getter in the assigned object is read once, when the params are assigned, and only its value is kept.
    const { result } = run('', { members: 'params = { get x() { return 7; } } as any;' });
    assert.deepEqual(result!.run.params, { x: 7 });
    assertFails('', /this\.params has a name of 500 characters/, { members: `params = { ${'p'.repeat(500)}: 1 };` });
    assertFails(`this.params.period = 10n as any;`, /this\.params\.period must be a finite number or a boolean, got a BigInt/, { members: 'params = { period: 3 };' });
    const ok = run('', { members: "params = { period: 3, on: true, ['__proto__']: 4 } as any;" });
    assert.equal(ok.error, undefined, ok.error?.message);
    assert.equal(JSON.stringify(ok.result!.run.params), '{"period":3,"on":true,"__proto__":4}');
  });

  test('the class name is read once and bounded; the order count is capped', () => {
    const long = `import { BaseStrategy } from 'strategy-lab';
export default class Probe extends BaseStrategy { static config = { symbols: ['TEST'], timeframe: '1d' as const }; onBar() {} }
Object.defineProperty(Probe, 'name', { value: 'x'.repeat(5000) });`;
    assert.match(runSource(long).error!.message, /name is 5000 characters long; at most 200/);
    const flood = run(`if (bar.index === 1) for (let i = 0; i < 300_000; i++) this.buy(bar.symbol, { limit: 1, shares: 1 });`);
    assert.match(flood.error!.message, /placed more than 250,000 orders in one run/);
  });
});

describe('objects the engine hands to strategy code are views or frozen copies', () => {
  test('an order returned by buy() cannot be rewritten (limit, status, defineProperty) and stays live', () => {
    assertFails(`if (bar.index === 3) { const o = this.buy(bar.symbol, { limit: bar.close, shares: 1 }); (o as any).limit = 1e9; }`, /Cannot set property limit|read only|getter/);
    assertFails(`if (bar.index === 3) { const o = this.buy(bar.symbol); Object.defineProperty(o, 'status', { value: 'filled' }); }`, /Cannot (redefine|define)|not extensible/);
    const legit = `if (bar.index % 10 === 1) { const o = this.buy(bar.symbol, { limit: bar.low * 0.9, shares: 1 }); ATTACK if (bar.index > 30) this.cancel(o); }`;
    assertSilent(legit.replace('ATTACK', swallow("(o as any).shares = 1e6; (o as any).limit = 1e9; Object.defineProperty(o, 'side', { value: 'sell' });")), {}, legit.replace('ATTACK', ''));
    const { logs } = run(`if (bar.index === 3) (this as any).o = this.buy(bar.symbol, { shares: 1 }); if (bar.index === 4) this.log((this as any).o.status, JSON.stringify((this as any).o));`);
    assert.match(logs[0].message, /^filled \{"id":1,"symbol":"TEST","side":"buy","type":"market","status":"filled","shares":1,"placedAt":\d+\}$/);
  });

  test('rewriting a fill in onFill is refused; swallowed, the result is the honest one', () => {
    assertFails(`if (bar.index === 1) this.buy(bar.symbol);`, /Cannot assign to read only property 'price'/, { members: 'onFill(fill: any) { fill.price = 0.01; }' });
    assertSilent('', { members: `onFill(fill: any) { ${swallow("fill.price = 0.01; fill.commission = 0; Object.defineProperty(fill, 'shares', { value: 1e6 });")} }` });
  });

  test('open orders and positions are read-only too', () => {
    assertSilent(`if (bar.index % 10 === 2) { ${swallow("for (const o of this.openOrders()) { (o as any).limit = 0.01; (o as any).status = 'cancelled'; }")} ${swallow("const p = this.positionInfo(bar.symbol); if (p) (p as any).shares = 1e6;")} }`);
    assertFails(`if (bar.index === 2) this.buy(bar.symbol); if (bar.index === 5) { const p = this.positionInfo(bar.symbol)!; (p as any).avgPrice = 0; }`, /read only property 'avgPrice'/);
  });

  test('mutating the bar changes nothing (each bar is a fresh copy of the engine\'s columns)', () => {
    // After the strategy's own decisions (which do read the bar): what the engine does next must not change.
    const { result, error } = run(`${HONEST}\n${swallow('(bar as any).close = 0.01; (bar as any).low = 0.01; (bar as any).high = 1e9; (bar as any).index = 0;')}`);
    assert.equal(error, undefined, error?.message);
    assertSameJson(JSON.stringify(result), honestJson());
  });

  test("the broker is unreachable: (this as any)['broker'], adding cash, reading future bars", () => {
    const { logs } = run(`if (bar.index === 0) this.log(String((this as any)['broker']), String((this as any).settings), String(Object.getOwnPropertyNames(Object.getPrototypeOf(Object.getPrototypeOf(this))).includes('broker')));`);
    assert.deepEqual(logs.map((l) => l.message), ['undefined undefined false']);
    assertFails(`if (bar.index === 2) (this as any)['broker'].cashBalance += 1e6;`, /Cannot read properties of undefined/);
    assertSilent(`${swallow("(this as any).broker.cashBalance += 1e6;")} ${swallow("const s = (this as any).broker.series[0]; this.log(String(s.close[bar.index + 1]));")}`);
    // Shadowing the SDK's getters on the instance only fools the strategy itself, never the engine.
    assertSilent(`if (bar.index === 0) { Object.defineProperty(this, 'cash', { get: () => 1e9 }); Object.defineProperty(this, 'equity', { get: () => 1e9 }); }`);
  });

  test('the SDK and the broker cannot be patched: prototypes, module exports, indicator classes', () => {
    const patches = [
      'BaseStrategy.prototype.buy = function () { return undefined as any; };',
      "Object.defineProperty(Object.getPrototypeOf(Object.getPrototypeOf(this)), 'position', { value: () => 0 });",
      '(BaseStrategy as any).extra = 1;',
      "(require('strategy-lab') as any).BaseStrategy = class {};",
      "(require('strategy-lab/indicators') as any).RSI.prototype.update = () => 50;",
      "Object.setPrototypeOf(BaseStrategy.prototype, null);",
    ];
    for (const patch of patches) {
      const error = assertFails(`if (bar.index === 0) { ${patch} }`, /read only|not extensible|Cannot (assign|add|define|redefine|set)|#<Object> is not extensible/, { prelude: '' });
      assert.ok(error, patch);
    }
    assertSilent(`if (bar.index === 0) { ${patches.map(swallow).join('\n')} }`);
    assert.ok(Object.isFrozen(BacktestBroker.prototype), 'the broker prototype is frozen (commission cannot be patched away)');
    assert.throws(() => {
      'use strict';
      (BacktestBroker.prototype as unknown as Record<string, unknown>).commissionFor = () => 0;
    }, /read only/);
  });
});
