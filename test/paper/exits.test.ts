import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readJournal, journaledOrders, type JournalEntry } from '../../core/paper/journal';
import { alpacaPrice, exitPlan, trailingStopId } from '../../core/paper/exits';
import { assertJournalAgrees, crash, driveDays, loadSpy, makeSession, startFake, tempDir } from './helpers';
import { scriptedHost, type ScriptedOrder } from './scripted';
import { nyClose, nyOpen, type FakeAlpaca } from './fakeAlpaca';

const d = (s: string) => Date.parse(`${s}T00:00:00Z`);
const trade = (fake: FakeAlpaca) => (b: { t: number; o: number; h: number; l: number; c: number; v: number }) => fake.tradeBar('SPY', b);
const of = <T extends JournalEntry['type']>(entries: JournalEntry[], type: T) => entries.filter((e): e is Extract<JournalEntry, { type: T }> => e.type === type);

test('exitPlan: bracket for both levels, oto for one, trailing alone; levels from the entry reference, rounded to cents', () => {
  assert.deepEqual(exitPlan({ symbol: 'X', side: 'buy', stopLossPct: 2, takeProfitPct: 6 }, 'buy', 10, 0, 199.03), { orderClass: 'bracket', stopLoss: 195.05, takeProfit: 210.97 });
  assert.deepEqual(exitPlan({ symbol: 'X', side: 'sell', stopLossPct: 2, takeProfitPct: 6 }, 'sell', 10, 0, 100), { orderClass: 'bracket', stopLoss: 102, takeProfit: 94 });
  assert.deepEqual(exitPlan({ symbol: 'X', side: 'buy', stopLoss: 95.123 }, 'buy', 10, 0, 100), { orderClass: 'oto', stopLoss: 95.12 });
  assert.deepEqual(exitPlan({ symbol: 'X', side: 'buy', takeProfitPct: 10 }, 'buy', 10, 0, 0.5), { orderClass: 'oto', takeProfit: 0.55 });
  assert.deepEqual(exitPlan({ symbol: 'X', side: 'buy', trailingStopPct: 3 }, 'buy', 10, 0, 100), { trailPercent: 3 });
  assert.deepEqual(exitPlan({ symbol: 'X', side: 'buy' }, 'buy', 10, 0, 100), {});
  // An order that closes the position: the backtest ignores its exits, so does the session.
  assert.deepEqual(exitPlan({ symbol: 'X', side: 'sell', stopLossPct: 2 }, 'sell', 10, 10, 100), {});
  assert.match((exitPlan({ symbol: 'X', side: 'sell', stopLossPct: 2 }, 'sell', 20, 10, 100) as { unsupported: string }).unsupported, /reverses a position/);
  assert.match((exitPlan({ symbol: 'X', side: 'buy', stopLossPct: 2 }, 'buy', 5, 10, 100) as { unsupported: string }).unsupported, /adds to a position/);
  assert.match((exitPlan({ symbol: 'X', side: 'buy', stopLossPct: 2, trailingStopPct: 3 }, 'buy', 5, 0, 100) as { unsupported: string }).unsupported, /trailing stop together/);
  assert.equal(alpacaPrice(1.005), 1.01);
  assert.equal(alpacaPrice(0.123456), 0.1235);
  assert.equal(trailingStopId('sl-s-abc-0'), 'sl-s-abc-0-ts');
});

test('bracket entry: one order with both legs (gtc), legs journaled under Alpaca\'s ids, the take-profit fills, the stop is cancelled, the strategy hears the exit fill', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const log: string[] = [];
    const host = await scriptedHost([{ on: '2016-03-02', side: 'buy', shares: 100, exits: { stopLossPct: 1, takeProfitPct: 1 } }], log);
    const { session } = await makeSession({ fake, dir, host, warmupBars: 5 });
    await session.start();
    await driveDays(fake, session, bars, '2016-03-02', trade(fake));
    assert.equal(fake.posts.length, 1);
    const post = fake.posts[0] as Record<string, unknown>;
    // Levels from the last close (199.03), to the cent: the backtest takes them from the fill (next open).
    assert.deepEqual({ cls: post.order_class, tif: post.time_in_force, tp: post.take_profit, sl: post.stop_loss }, { cls: 'bracket', tif: 'gtc', tp: { limit_price: '201.02' }, sl: { stop_price: '197.04' } });
    let entries = readJournal(join(dir, 'journal.jsonl'));
    const legs = of(entries, 'leg');
    assert.deepEqual(legs.map((l) => [l.exit, l.side, l.qty, l.limit ?? l.stop, l.status]).sort(), [['stop-loss', 'sell', 100, 197.04, 'held'], ['take-profit', 'sell', 100, 201.02, 'held']]);
    const entryId = of(entries, 'submit')[0].clientOrderId;
    assert.ok(legs.every((l) => l.parent === entryId && fake.orders.some((o) => o.client_order_id === l.clientOrderId && o.parent_id !== undefined)));
    // 03-03: the entry fills at the open (198.70), neither level is reached; 03-04: the high (201.35) reaches the target.
    await driveDays(fake, session, bars, '2016-03-05', trade(fake));
    await session.stop();
    entries = readJournal(join(dir, 'journal.jsonl'));
    const orders = journaledOrders(entries);
    const tp = [...orders.values()].find((o) => o.exit === 'take-profit')!;
    const sl = [...orders.values()].find((o) => o.exit === 'stop-loss')!;
    assert.deepEqual([tp.status, tp.filledQty, tp.fills[0].price, tp.fills[0].time >= nyOpen(d('2016-03-04'))], ['filled', 100, 201.02, true]);
    assert.equal(sl.status, 'canceled', 'the other leg is cancelled by Alpaca (one-cancels-other)');
    assert.equal(fake.positions.get('SPY'), undefined);
    assert.deepEqual(log.filter((l) => l.startsWith('onFill')), ['onFill buy 100 @ 198.7 #1', 'onFill sell 100 @ 201.02 #0'], 'the exit fill reaches onFill (order id 0: not an order the strategy placed)');
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('oto with a stop-loss only; a trailing stop placed once the entry has filled, under an id derived from the entry\'s', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-08');
    const host = await scriptedHost([
      { on: '2016-03-09', side: 'buy', shares: 50, exits: { stopLossPct: 1 } },
      { on: '2016-03-14', side: 'buy', shares: 30, exits: { trailingStopPct: 0.5 } },
    ]);
    const { session } = await makeSession({ fake, dir, host, warmupBars: 5 });
    await session.start();
    // 03-10: open 199.90, low 197.38 reaches the stop at 197.42 (1 % under the 03-09 close 199.41).
    await driveDays(fake, session, bars, '2016-03-10', trade(fake));
    const oto = fake.posts[0] as Record<string, unknown>;
    assert.deepEqual([oto.order_class, oto.stop_loss, oto.take_profit], ['oto', { stop_price: '197.42' }, undefined]);
    assert.equal(fake.orders.find((o) => o.type === 'stop')!.filled_avg_price, 197.42);
    assert.equal(fake.positions.get('SPY'), undefined);
    // 03-14 the trailing entry; it fills at the 03-15 open; the trailing stop goes out at the next sync (the 03-15 step).
    await driveDays(fake, session, bars, '2016-03-15', trade(fake));
    const entry = fake.orders.find((o) => o.qty === 30 && o.type === 'market')!;
    assert.equal(entry.status, 'filled');
    const trailing = fake.orders.filter((o) => o.type === 'trailing_stop');
    assert.equal(trailing.length, 1);
    assert.deepEqual([trailing[0].client_order_id, trailing[0].side, trailing[0].qty, trailing[0].trail_percent, trailing[0].time_in_force], [trailingStopId(entry.client_order_id), 'sell', 30, 0.5, 'gtc']);
    await driveDays(fake, session, bars, '2016-03-31', trade(fake));
    await session.stop();
    assert.equal(trailing[0].status, 'filled', 'the trailing stop was reached');
    assert.equal(fake.orders.filter((o) => o.type === 'trailing_stop').length, 1, 'placed once, whatever the later steps saw');
    const entries = readJournal(join(dir, 'journal.jsonl'));
    const ts = journaledOrders(entries).get(trailing[0].client_order_id)!;
    assert.deepEqual([ts.exit, ts.parent, ts.status, ts.filledQty], ['trailing-stop', entry.client_order_id, 'filled', 30]);
    assert.equal(fake.positions.get('SPY'), undefined);
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('the strategy closing a protected position cancels the legs first; exits the session cannot relay are blocked with the reason', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-11');
    const host = await scriptedHost([
      { on: '2016-03-14', side: 'buy', shares: 20, exits: { stopLossPct: 5, takeProfitPct: 5 } },
      { on: '2016-03-16', side: 'buy', shares: 5, exits: { stopLossPct: 5 } },
      { on: '2016-03-17', side: 'sell', close: true },
      { on: '2016-03-21', side: 'buy', shares: 5, exits: { stopLossPct: 5, trailingStopPct: 2 } },
    ]);
    const { session } = await makeSession({ fake, dir, host, warmupBars: 5 });
    await session.start();
    await driveDays(fake, session, bars, '2016-03-22', trade(fake));
    await session.stop();
    const entries = readJournal(join(dir, 'journal.jsonl'));
    const blocked = of(entries, 'blocked');
    assert.deepEqual(blocked.map((b) => b.rule), ['unsupported', 'unsupported']);
    assert.match(blocked[0].reason, /adds to a position/);
    assert.match(blocked[1].reason, /trailing stop together/);
    const cancels = of(entries, 'cancel').filter((c) => c.by === 'position-exit');
    assert.equal(cancels.length, 2, 'both legs cancelled');
    const closeSubmit = of(entries, 'submit').find((s) => s.side === 'sell')!;
    assert.ok(cancels.every((c) => c.seq < closeSubmit.seq), 'the legs were cancelled before the closing order left');
    assert.deepEqual(fake.orders.filter((o) => o.parent_id).map((o) => o.status), ['canceled', 'canceled']);
    assert.equal(fake.positions.get('SPY'), undefined);
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('guard rails: working exit legs are not exposure (the position rail sees the real position), the kill switch cancels the legs and flattens', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const host = await scriptedHost([
      { on: '2016-03-02', side: 'buy', shares: 100, exits: { stopLossPct: 5, takeProfitPct: 5 } },
      // With the legs (2 × 100 sells) counted as working, this would look like it reduces the position and pass.
      { on: '2016-03-04', side: 'buy', shares: 100 },
    ]);
    const { session } = await makeSession({ fake, dir, host, warmupBars: 5, limits: { maxPositionNotional: 30_000 } });
    await session.start();
    await driveDays(fake, session, bars, '2016-03-04', trade(fake));
    let entries = readJournal(join(dir, 'journal.jsonl'));
    assert.deepEqual(of(entries, 'blocked').map((b) => b.rule), ['position']);
    assert.deepEqual(fake.openOrders().map((o) => o.status), ['new', 'new'], 'both legs working');
    await session.kill('test', true);
    entries = readJournal(join(dir, 'journal.jsonl'));
    assert.deepEqual(of(entries, 'cancel').map((c) => c.by), ['kill-switch', 'kill-switch']);
    assert.equal(fake.openOrders().filter((o) => o.parent_id).length, 0, 'no leg left working');
    // The flatten order fills at the next open; the journal then agrees with the account.
    fake.setNow(nyOpen(d('2016-03-07')) + 1000);
    fake.fillAt('SPY', 199.4);
    assert.equal(fake.positions.get('SPY'), undefined);
    const restart = await makeSession({ fake, dir, host: await scriptedHost([]), warmupBars: 5 });
    const { differences } = await restart.session.start();
    await restart.session.stop();
    assert.deepEqual(differences, []);
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('restart: an entry and its exit leg that filled while the session was down are picked up, legs found by id, nothing sent twice; a trailing stop owed is placed once', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const script: ScriptedOrder[] = [
      { on: '2016-03-02', side: 'buy', shares: 100, exits: { stopLossPct: 1, takeProfitPct: 1 } },
      { on: '2016-03-08', side: 'buy', shares: 10, exits: { trailingStopPct: 5 } },
    ];
    const first = await makeSession({ fake, dir, host: await scriptedHost(script), warmupBars: 5 });
    await first.session.start();
    await driveDays(fake, first.session, bars, '2016-03-02', trade(fake));
    // The process dies; 03-03 and 03-04 trade while it is down: entry at the open, take-profit on 03-04.
    crash(first.session);
    for (const day of ['2016-03-03', '2016-03-04']) {
      fake.setNow(nyOpen(d(day)) + 1000);
      fake.tradeBar('SPY', bars.find((b) => b.t === d(day))!);
    }
    fake.setNow(nyClose(d('2016-03-04')) + 60_000);
    const second = await makeSession({ fake, dir, host: await scriptedHost(script), warmupBars: 5 });
    const { differences } = await second.session.start();
    assert.deepEqual(differences, [], 'entry and leg fills were journaled before reconciling');
    let entries = readJournal(join(dir, 'journal.jsonl'));
    assert.equal(of(entries, 'fill').length, 2);
    assert.equal(of(entries, 'leg').length, 2, 'legs journaled once');
    // 03-08 the trailing entry; it fills at the 03-09 open and the process dies before any sync saw it.
    await driveDays(fake, second.session, bars, '2016-03-08', trade(fake));
    crash(second.session);
    fake.setNow(nyOpen(d('2016-03-09')) + 1000);
    fake.tradeBar('SPY', bars.find((b) => b.t === d('2016-03-09'))!);
    fake.setNow(nyClose(d('2016-03-09')) + 60_000);
    const third = await makeSession({ fake, dir, host: await scriptedHost(script), warmupBars: 5 });
    await third.session.start();
    assert.equal(fake.orders.filter((o) => o.type === 'trailing_stop').length, 1, 'the owed trailing stop went out at the restart');
    await third.session.stop();
    const fourth = await makeSession({ fake, dir, host: await scriptedHost(script), warmupBars: 5 });
    await fourth.session.start();
    await fourth.session.stop();
    assert.equal(fake.orders.filter((o) => o.type === 'trailing_stop').length, 1, 'and only once');
    assert.equal(fake.posts.length, 3, 'bracket, trailing entry, trailing stop: each sent once');
    entries = readJournal(join(dir, 'journal.jsonl'));
    assert.equal(fake.positions.get('SPY')!.qty, 10);
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('a bracket whose answer is lost (500 after Alpaca took it) is found by its id with its legs; a 429 before it is retried; one order, legs journaled once', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const { session, log } = await makeSession({ fake, dir, host: await scriptedHost([{ on: '2016-03-02', side: 'buy', shares: 100, exits: { stopLossPct: 1, takeProfitPct: 1 } }]), warmupBars: 5 });
    await session.start();
    fake.faults.push({ path: '/v2/orders', method: 'POST', action: 429, times: 1 }, { path: '/v2/orders', method: 'POST', action: 'accept-then-500', times: 1 });
    await driveDays(fake, session, bars, '2016-03-05', trade(fake));
    await session.stop();
    assert.equal(fake.orders.filter((o) => o.parent_id === undefined).length, 1, log.join('\n'));
    assert.equal(fake.posts.length, 1, 'the 429 never reached the book; the lost answer was looked up, not re-sent');
    const entries = readJournal(join(dir, 'journal.jsonl'));
    assert.equal(of(entries, 'leg').length, 2);
    assert.equal(fake.orders.find((o) => o.parent_id && o.type === 'limit')!.status, 'filled');
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});
