/**
 * Parameter spaces: specs parsed and checked against the declared params (read from source without running it),
 * actionable errors for bad input, and deterministic sampling (grid, random, Latin hypercube).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readDeclaredParams } from '../../core/strategy/config';
import { gridSize, parseParamSpec, parseSpace, sampleVariants, SweepInputError } from '../../core/sweep/space';
import { example } from '../evaluate/helpers';

const declared = { period: 14, buyBelow: 35, sellAbove: 65, size: 0.5, useStop: false };

describe('declared params', () => {
  it('reads params = { … } of the default-exported class without running it', () => {
    assert.deepEqual(readDeclaredParams(example('rsi-reversion')).params, { period: 14, buyBelow: 35, sellAbove: 65 });
    const src = `export default class S extends BaseStrategy { static config = { symbols: ['X'] }; params = { a: -2, b: true, c: 0.25 }; onBar() {} }`;
    assert.deepEqual(readDeclaredParams(src).params, { a: -2, b: true, c: 0.25 });
  });
  it('says why when params are missing or computed', () => {
    assert.match(readDeclaredParams('export default class S { onBar() {} }').problem ?? '', /declares no `params/);
    assert.match(readDeclaredParams('export default class S { params = { a: Math.max(1, 2) } }').problem ?? '', /param 'a' is not a number or boolean literal/);
    assert.match(readDeclaredParams('export default class S { params = makeParams() }').problem ?? '', /not a plain object literal/);
    assert.match(readDeclaredParams("export default class S { params = { a: 'x' } }").problem ?? '', /param 'a' is not a number or boolean/);
  });
});

describe('param specs', () => {
  it('ranges are inclusive, lists keep their order, booleans take true/false/bool', () => {
    assert.deepEqual(parseParamSpec('period=10:30:5', declared).values, [10, 15, 20, 25, 30]);
    assert.deepEqual(parseParamSpec('period=10:13', declared).values, [10, 11, 12, 13], 'a whole-number param steps by 1 by default');
    assert.deepEqual(parseParamSpec('size=0.1:0.5:0.1', declared).values, [0.1, 0.2, 0.3, 0.4, 0.5], 'no floating-point drift');
    assert.deepEqual(parseParamSpec('buyBelow=30,25,35', declared).values, [30, 25, 35]);
    assert.deepEqual(parseParamSpec('useStop=bool', declared).values, [false, true]);
    assert.deepEqual(parseParamSpec('useStop=true', declared).values, [true]);
    assert.deepEqual(parseParamSpec('period=20', declared).values, [20]);
  });

  const bad: [string, RegExp][] = [
    ['perod=10:20:2', /Unknown param 'perod': the strategy declares 'period', 'buyBelow'/],
    ['period=30:10:2', /range 30:10:2 is empty.*low:high:step/],
    ['period=10:30:0', /step must be > 0/],
    ['period=10:30:-1', /step must be > 0/],
    ['size=0.1:0.5', /give the step too/],
    ['useStop=1,2', /is a boolean/],
    ['period=ten', /is a number/],
    ['period=10,,20', /is a number/],
    ['period', /expects name=from:to:step/],
    ['period=1:1000000:1', /more than 10000; use a larger step/],
  ];
  for (const [spec, message] of bad) {
    it(`rejects '${spec}' with an actionable error`, () => {
      assert.throws(() => parseParamSpec(spec, declared), (err: Error) => err instanceof SweepInputError && message.test(err.message));
    });
  }

  it('rejects no params, a param twice, and a strategy without params', () => {
    assert.throws(() => parseSpace([], declared), /at least one --param/);
    assert.throws(() => parseSpace(['period=10', 'period=12'], declared), /given twice/);
    assert.throws(() => parseSpace(['period=10'], {}), /declares no params/);
  });
});

describe('sampling', () => {
  const space = parseSpace(['period=5:40:1', 'buyBelow=20:40:2', 'useStop=bool'], declared);

  it('grid: every point once, the last param fastest; larger than the budget is an error', () => {
    const small = parseSpace(['period=10,20', 'buyBelow=25,30,35'], declared);
    const ids = sampleVariants(small, { method: 'grid', seed: 1 }).map((v) => v.id);
    assert.deepEqual(ids, ['period=10,buyBelow=25', 'period=10,buyBelow=30', 'period=10,buyBelow=35', 'period=20,buyBelow=25', 'period=20,buyBelow=30', 'period=20,buyBelow=35']);
    assert.equal(sampleVariants(space, { method: 'grid', seed: 1 }).length, gridSize(space));
    assert.throws(() => sampleVariants(space, { method: 'grid', budget: 100, seed: 1 }), /grid has 792 variants, more than --budget 100/);
  });

  it('random and LHS: the same seed gives the same variants, another seed others; all distinct and in the space', () => {
    for (const method of ['random', 'lhs'] as const) {
      const a = sampleVariants(space, { method, budget: 50, seed: 7 });
      const b = sampleVariants(space, { method, budget: 50, seed: 7 });
      const c = sampleVariants(space, { method, budget: 50, seed: 8 });
      assert.deepEqual(a, b, method);
      assert.notDeepEqual(a.map((v) => v.id), c.map((v) => v.id), method);
      assert.equal(new Set(a.map((v) => v.id)).size, a.length, method);
      for (const v of a) for (const d of space) assert.ok(d.values.includes(v.params[d.name]), `${method} ${v.id}`);
    }
    assert.equal(sampleVariants(space, { method: 'random', budget: 50, seed: 7 }).length, 50);
  });

  it('LHS covers every stratum of each param once', () => {
    const s = parseSpace(['period=1:20:1', 'buyBelow=1:20:1'], { period: 1, buyBelow: 1 });
    const v = sampleVariants(s, { method: 'lhs', budget: 20, seed: 3 });
    assert.equal(v.length, 20, 'no two points coincide when every param has budget values');
    assert.deepEqual(v.map((x) => x.params.period).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.deepEqual(v.map((x) => x.params.buyBelow).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('a budget at least the grid size runs the whole grid; random without a budget is an error', () => {
    const small = parseSpace(['period=10,20'], declared);
    assert.equal(sampleVariants(small, { method: 'random', budget: 10, seed: 1 }).length, 2);
    assert.throws(() => sampleVariants(space, { method: 'random', seed: 1 }), /needs --budget/);
    assert.throws(() => sampleVariants(space, { method: 'lhs', budget: 0, seed: 1 }), /whole number ≥ 1/);
  });
});
