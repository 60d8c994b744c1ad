import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readJournal, journaledOrders } from '../../core/paper/journal';
import { assertJournalAgrees, crash, driveDays, loadSpy, makeSession, startFake, tempDir } from './helpers';
import { scriptedHost } from './scripted';
import { nyClose, nyOpen } from './fakeAlpaca';


const d = (s: string) => Date.parse(`${s}T00:00:00Z`);

test('order life cycle: accepted, partial fill, fill, onFill sees each part once, positions agree', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const strategyLog: string[] = [];
    const host = await scriptedHost([{ on: '2016-03-02', side: 'buy', shares: 100 }], strategyLog);
    const { session } = await makeSession({ fake, dir, host, warmupBars: 5 });
    await session.start();
    // Day 1: the order is placed after the close of 03-02.
    await driveDays(fake, session, bars, '2016-03-02');
    assert.equal(fake.orders.length, 1);
    assert.equal(fake.orders[0].status, 'accepted');
    // 03-03: 40 % fills at the open; 03-04: the rest at another price.
    await driveDays(fake, session, bars, '2016-03-03', (b) => fake.fillAt('SPY', b.o, 0.4));
    assert.equal(fake.orders[0].status, 'partially_filled');
    await driveDays(fake, session, bars, '2016-03-04', (b) => fake.fillAt('SPY', b.o + 0.5));
    await session.stop();
    const entries = readJournal(join(dir, 'journal.jsonl'));
    const fills = entries.filter((e) => e.type === 'fill');
    assert.deepEqual(fills.map((f) => f.type === 'fill' && f.qty), [40, 60]);
    const open3 = bars.find((b) => b.t === d('2016-03-03'))!.o;
    const open4 = bars.find((b) => b.t === d('2016-03-04'))!.o + 0.5;
    assert.ok(Math.abs((fills[0] as { price: number }).price - open3) < 1e-9);
    assert.ok(Math.abs((fills[1] as { price: number }).price - open4) < 1e-6, 'the second fill price is recovered from the moving average price');
    assert.deepEqual(strategyLog.filter((l) => l.startsWith('onFill')).map((l) => l.split(' @')[0]), ['onFill buy 40', 'onFill buy 60']);
    const order = [...journaledOrders(entries).values()][0];
    assert.equal(order.status, 'filled');
    assert.equal(fake.positions.get('SPY')!.qty, 100);
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('order life cycle: a limit order the strategy cancels, and an order Alpaca rejects', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const host = await scriptedHost([
      { on: '2016-03-02', side: 'buy', shares: 10, limit: 1 },
      { on: '2016-03-04', side: 'buy', cancelAll: true },
      { on: '2016-03-07', side: 'buy', shares: 5 },
    ]);
    const { session, log } = await makeSession({ fake, dir, host, warmupBars: 5 });
    await session.start();
    await driveDays(fake, session, bars, '2016-03-04');
    assert.equal(fake.orders[0].status, 'canceled', 'cancelled at Alpaca by the strategy');
    fake.rejectSymbols.add('SPY');
    await driveDays(fake, session, bars, '2016-03-08');
    await session.stop();
    const entries = readJournal(join(dir, 'journal.jsonl'));
    assert.ok(entries.some((e) => e.type === 'cancel' && e.by === 'strategy'));
    assert.ok(entries.some((e) => e.type === 'status' && e.status === 'canceled'));
    const rejected = entries.find((e) => e.type === 'rejected');
    assert.ok(rejected && rejected.type === 'rejected' && /not tradable/.test(rejected.reason), log.join('\n'));
    assert.equal(fake.orders.length, 1, 'the rejected order never became an order');
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('429 and 5xx answers are retried; an order whose answer was lost is found by its client order id, never sent twice', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const host = await scriptedHost([{ on: '2016-03-02', side: 'buy', shares: 10 }, { on: '2016-03-03', side: 'sell', shares: 10 }]);
    const { session } = await makeSession({ fake, dir, host, warmupBars: 5 });
    await session.start();
    fake.faults.push({ path: '/v2/account', action: 429, times: 2 }, { path: '/v2/positions', action: 503, times: 1 }, { path: '/v2/orders', method: 'POST', action: 'accept-then-500', times: 1 });
    await driveDays(fake, session, bars, '2016-03-02');
    assert.equal(fake.orders.length, 1);
    assert.equal(fake.posts.length, 1, 'the lost answer was recovered by a lookup, not a second POST');
    fake.faults.push({ path: '/v2/orders', method: 'POST', action: 502, times: 2 });
    await driveDays(fake, session, bars, '2016-03-04');
    await session.stop();
    assert.equal(fake.orders.length, 2);
    assert.equal(fake.requests.filter((r) => r === 'POST /v2/orders').length, 4, 'the lost answer, then two 502s and the order');
    assert.equal(fake.posts.length, 2, 'the 502s never reached the order book');
    assert.equal(new Set(fake.orders.map((o) => o.client_order_id)).size, 2);
    const entries = readJournal(join(dir, 'journal.jsonl'));
    assert.equal(entries.filter((e) => e.type === 'ack').length, 2);
    assert.equal(fake.positions.get('SPY'), undefined, 'bought and sold');
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('a hanging order request times out; the retry checks first and the order exists once', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const host = await scriptedHost([{ on: '2016-03-02', side: 'buy', shares: 10 }]);
    const { apiFor } = await import('./helpers');
    const { session } = await makeSession({ fake, dir, host, warmupBars: 5, api: apiFor(fake, { timeoutMs: 300 }) });
    await session.start();
    fake.faults.push({ path: '/v2/orders', method: 'POST', action: 'hang', times: 1 });
    await driveDays(fake, session, bars, '2016-03-03');
    await session.stop();
    assert.equal(fake.orders.length, 1);
    assert.equal(fake.orders[0].status, 'filled');
    assert.equal(fake.posts.length, 1, 'the hung request never reached the order book; the retry did');
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('restart mid-session: fills that happened while down are picked up, nothing is sent twice, the journal and the account agree', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const script = [{ on: '2016-03-02', side: 'buy' as const, shares: 10 }, { on: '2016-03-08', side: 'sell' as const, shares: 4 }];
    const first = await makeSession({ fake, dir, host: await scriptedHost(script), warmupBars: 5 });
    await first.session.start();
    await driveDays(fake, first.session, bars, '2016-03-02');
    // The process dies (no stop line): the order fills at the next open while the session is down.
    fake.setNow(nyOpen(d('2016-03-03')) + 1000);
    fake.fillAt('SPY', bars.find((b) => b.t === d('2016-03-03'))!.o);
    fake.setNow(nyClose(d('2016-03-03')) + 60_000);
    crash(first.session);

    const second = await makeSession({ fake, dir, host: await scriptedHost(script), warmupBars: 5 });
    const { differences } = await second.session.start();
    assert.deepEqual(differences, [], 'the fill made while down was journaled before reconciling');
    let entries = readJournal(join(dir, 'journal.jsonl'));
    assert.equal(entries.filter((e) => e.type === 'fill').length, 1);
    await driveDays(fake, second.session, bars, '2016-03-10');
    await second.session.stop();
    entries = readJournal(join(dir, 'journal.jsonl'));
    assert.equal(fake.posts.length, 2, 'the 03-02 buy was not sent again on restart');
    assert.equal(fake.positions.get('SPY')!.qty, 6);
    assert.equal(entries.filter((e) => e.type === 'start').length, 2);
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('restart after a crash between journaling an order and sending it: reported as not sent, never sent later', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const script = [{ on: '2016-03-02', side: 'buy' as const, shares: 10 }];
    const first = await makeSession({ fake, dir, host: await scriptedHost(script), warmupBars: 5 });
    await first.session.start();
    fake.faults.push({ path: '/v2/orders', method: 'POST', action: 503, times: 100 });
    await driveDays(fake, first.session, bars, '2016-03-02');
    crash(first.session);
    fake.faults.length = 0;
    assert.equal(fake.orders.length, 0);
    const second = await makeSession({ fake, dir, host: await scriptedHost(script), warmupBars: 5 });
    await second.session.start();
    await driveDays(fake, second.session, bars, '2016-03-04');
    await second.session.stop();
    const entries = readJournal(join(dir, 'journal.jsonl'));
    assert.ok(entries.some((e) => e.type === 'lost'));
    assert.equal(fake.orders.length, 0, 'a stale order is never sent after a restart');
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('an account changed outside the session is reported on restart', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const first = await makeSession({ fake, dir, host: await scriptedHost([]), warmupBars: 5 });
    await first.session.start();
    await driveDays(fake, first.session, bars, '2016-03-02');
    await first.session.stop();
    fake.positions.set('SPY', { qty: 7, avg: 190 });
    const second = await makeSession({ fake, dir, host: await scriptedHost([]), warmupBars: 5 });
    const { differences } = await second.session.start();
    await second.session.stop();
    assert.equal(differences.length, 1);
    assert.match(differences[0], /SPY: the journal accounts for 0 shares, the account holds 7/);
  } finally {
    await fake.close();
  }
});
