import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BaseStrategy, type Bar } from 'strategy-lab';
import { withParamOverrides } from '../../core/sdk/internal';

class Probe extends BaseStrategy {
  static override config = { symbols: ['AAPL'], timeframe: '1d' as const };
  override params = { period: 14, enabled: true };
  seenPeriod = this.params.period;
  onBar(_bar: Bar) {}
}

test('params overrides apply before field initializers read them', () => {
  const plain = new Probe();
  assert.equal(plain.seenPeriod, 14);
  const tuned = withParamOverrides({ period: 20 }, () => new Probe());
  assert.equal(tuned.seenPeriod, 20);
  assert.deepEqual(tuned.params, { period: 20, enabled: true });
  assert.equal(new Probe().params.period, 14, 'overrides do not leak into later constructions');
});

test('placing an order before a broker is attached gives an actionable error', () => {
  assert.throws(() => new Probe().buy('AAPL'), /not attached to a broker/);
});
