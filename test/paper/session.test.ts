import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readJournal } from '../../core/paper/journal';
import { join } from 'node:path';
import { driveDays, loadSpy, makeSession, startFake, tempDir } from './helpers';

test('an example strategy paper-trades forward on the fake: warm-up, signals, orders sent, fills picked up, journal agrees with the account', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2015-10-01');
    const { session, log } = await makeSession({ fake, dir });
    const { differences } = await session.start();
    assert.deepEqual(differences, []);
    const days = await driveDays(fake, session, bars, '2016-06-30');
    assert.ok(days > 150, `drove ${days} days`);
    await session.stop('test over');
    const entries = readJournal(join(dir, 'journal.jsonl'));
    const live = entries.filter((e) => e.type === 'signal' && !e.warmup).map((e) => e.type === 'signal' && `${new Date(e.placedAt).toISOString().slice(0, 10)} ${e.request.side}`);
    // The backtest's signals in this window (2015-12-17 buy, 2016-01-11 sell, 2016-04-25 buy): the same file, forward.
    assert.deepEqual(live, ['2015-12-17 buy', '2016-01-11 sell', '2016-04-25 buy'], log.join('\n'));
    const fills = entries.filter((e) => e.type === 'fill');
    assert.equal(fills.length, 3, 'each order filled at the next open and the fill was journaled once');
    assert.equal(fake.posts.length, 3);
    assert.equal(new Set(fake.posts.map((p) => p.client_order_id)).size, 3);
    const held = fake.positions.get('SPY')?.qty ?? 0;
    const journaledShares = fills.reduce((s, f) => s + (f.type === 'fill' ? f.qty : 0) * (fake.orders.find((o) => f.type === 'fill' && o.client_order_id === f.clientOrderId)!.side === 'buy' ? 1 : -1), 0);
    assert.ok(held > 0, 'bought, sold, bought again');
    assert.equal(journaledShares, held, 'the journal accounts for every share the account holds');
    assert.equal(fake.openOrders().length, 0);
    // Sized like the backtest: all buying power in whole shares at the last close.
    const firstBuy = fake.orders[0];
    const closeBefore = bars.find((b) => b.t === Date.parse('2015-12-17T00:00:00Z'))!.c;
    assert.equal(firstBuy.qty, Math.floor(100_000 / closeBefore));
  } finally {
    await fake.close();
  }
});
