/** The VS Code form's checks: the same parsing as the CLI flags, and starting ranges that parse. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestFromForm } from '../../core/sweep/form';
import { parseParamSpec } from '../../core/sweep/space';
import { defaultSpec, type SweepForm } from '../../media/sweepProtocol';

const declared = { period: 14, buyBelow: 35, size: 0.5, short: -3, useStop: false };
const form = (over: Partial<SweepForm> = {}): SweepForm => ({
  specs: { period: '10:20:5', buyBelow: '25,35', size: '0.25:0.75:0.25', short: '-5:-1:2', useStop: 'bool' },
  swept: { period: true, buyBelow: true },
  objective: 'sharpe',
  sample: 'grid',
  budget: '',
  seed: '1',
  minTrades: '',
  maxDrawdown: '',
  ...over,
});

describe('the Optimize Parameters form', () => {
  it('only ticked params are swept; constraints and sampling are read', () => {
    const r = requestFromForm(form({ minTrades: '5', maxDrawdown: '30', sample: 'lhs', budget: '4', seed: '9' }), declared);
    assert.deepEqual(r.space.map((d) => d.name), ['period', 'buyBelow']);
    assert.deepEqual(r.constraints, { minTrades: 5, maxDrawdownPct: 30 });
    assert.deepEqual(r.sampling, { method: 'lhs', budget: 4, seed: 9 });
  });

  const bad: [string, Partial<SweepForm>, RegExp][] = [
    ['nothing ticked', { swept: {} }, /Tick at least one param/],
    ['empty range', { specs: { period: '20:10:1' } }, /is empty/],
    ['step 0', { specs: { period: '10:20:0' } }, /step must be > 0/],
    ['empty spec', { specs: { period: '' } }, /expects name=from:to:step/],
    ['bad budget', { budget: '2.5' }, /Budget must be a whole number/],
    ['bad min trades', { minTrades: '-1' }, /Min trades must be a whole number ≥ 0/],
    ['bad drawdown', { maxDrawdown: '0' }, /Max drawdown is a percentage/],
    ['grid over the budget', { budget: '3' }, /grid has 6 variants, more than --budget 3/],
  ];
  for (const [what, over, message] of bad) {
    it(`refuses ${what} with a message`, () => assert.throws(() => requestFromForm(form(over), declared), message));
  }

  it('the starting range of every declared value parses and contains that value', () => {
    for (const [name, value] of Object.entries(declared)) {
      const values = parseParamSpec(`${name}=${defaultSpec(value)}`, declared).values;
      assert.ok(values.length >= 2, `${name}: ${defaultSpec(value)}`);
      if (typeof value === 'boolean') assert.deepEqual(values, [false, true]);
      else assert.ok(Math.min(...(values as number[])) <= value && Math.max(...(values as number[])) >= value, `${name}: ${defaultSpec(value)} → ${values}`);
    }
  });
});
