import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { journaledOrders, type JournalEntry } from '../../core/paper/journal';
import { tradeStreamUrl } from '../../core/paper/tradeStream';
import { assertJournalAgrees, crash, driveDays, loadSpy, makeSession, startFake, tempDir } from './helpers';
import { scriptedHost, type ScriptedOrder } from './scripted';
import { nyClose, nyOpen, type FakeAlpaca } from './fakeAlpaca';
import type { PaperSession } from '../../core/paper/session';

const d = (s: string) => Date.parse(`${s}T00:00:00Z`);

/** Waits for a state of the session or the fake (checked every few ms; fails with `what` after 10 s). */
async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Keep-alive: generous by default (a busy machine must not look like a hung stream); quick where the test hangs it. */
function streamOptions(fake: FakeAlpaca, keepAlive = { pingIntervalMs: 2000, pongWaitMs: 1500 }) {
  return { tradeStream: { url: fake.tradeStreamUrl, keyId: fake.keyId, secretKey: fake.secretKey, reconnectMs: 20, ...keepAlive } };
}

async function streamingSession(fake: FakeAlpaca, dir: string, script: ScriptedOrder[], log: string[] = [], keepAlive?: { pingIntervalMs: number; pongWaitMs: number }): Promise<PaperSession> {
  const { session } = await makeSession({ fake, dir, host: await scriptedHost(script, log), warmupBars: 5, extra: streamOptions(fake, keepAlive) });
  await session.start();
  await until('the trade stream to connect and catch up', () => session.tradeStreamState.up && fake.tradeStreamClients === 1);
  await session.settled();
  return session;
}

const fills = (s: PaperSession, coid?: string) => s.journal.entries.filter((e): e is Extract<JournalEntry, { type: 'fill' }> => e.type === 'fill' && (coid === undefined || e.clientOrderId === coid));
const statusOf = (s: PaperSession, coid: string) => journaledOrders(s.journal.entries).get(coid)?.status;
const day = (fake: FakeAlpaca, date: string, at: 'open' | 'close') => fake.setNow(at === 'open' ? nyOpen(d(date)) + 1000 : nyClose(d(date)) + 60_000);

test('trade stream URL: the trading host with ws(s) and /stream', () => {
  assert.equal(tradeStreamUrl('https://paper-api.alpaca.markets'), 'wss://paper-api.alpaca.markets/stream');
  assert.equal(tradeStreamUrl('http://127.0.0.1:8080/'), 'ws://127.0.0.1:8080/stream');
});

test('trade_updates: new, partial fill, fill, cancel and a late rejection are journaled as they happen, without REST order reads; onFill hears each part once', async () => {
  const fake = await startFake();
  const dir = tempDir();
  let session: PaperSession | undefined;
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const log: string[] = [];
    session = await streamingSession(fake, dir, [
      { on: '2016-03-02', side: 'buy', shares: 100 },
      { on: '2016-03-03', side: 'buy', shares: 10, limit: 1 },
      { on: '2016-03-04', side: 'buy', cancelAll: true },
      { on: '2016-03-07', side: 'buy', shares: 5 },
    ], log);
    assert.equal(session.snapshot().fillSource, 'stream');
    await driveDays(fake, session, bars, '2016-03-02', () => {});
    const entry = fake.orders[0];
    assert.deepEqual(fake.tradeEvents.map((e) => [e.event, e.delivered]), [['new', 1]]);
    const orderReads = () => fake.requests.filter((r) => r.startsWith('GET /v2/orders')).length;
    const readsBefore = orderReads();
    // 03-03 open: 40 shares, then the rest, each journaled from its event (no step runs meanwhile).
    day(fake, '2016-03-03', 'open');
    fake.fillAt('SPY', 198.7, 0.4);
    await until('the partial fill in the journal', () => fills(session!).length === 1);
    assert.equal(statusOf(session, entry.client_order_id), 'partially_filled');
    fake.fillAt('SPY', 198.9);
    await until('the fill in the journal', () => statusOf(session!, entry.client_order_id) === 'filled');
    assert.deepEqual(fills(session).map((f) => [f.qty, f.price, f.cumQty]), [[40, 198.7, 40], [60, 198.9, 100]], 'each execution at its own price');
    day(fake, '2016-03-03', 'close');
    await session.catchUp();
    assert.equal(orderReads(), readsBefore, 'with the stream up no step read the orders by REST');
    // 03-04 the strategy cancels its limit order: the canceled event closes it.
    await driveDays(fake, session, bars, '2016-03-04', () => {});
    const limit = fake.orders.find((o) => o.type === 'limit')!;
    await until('the cancel in the journal', () => statusOf(session!, limit.client_order_id) === 'canceled');
    // 03-07 a market order Alpaca accepts, then rejects.
    await driveDays(fake, session, bars, '2016-03-07', () => {});
    const late = fake.orders.find((o) => o.qty === 5)!;
    await until('the order acknowledged', () => statusOf(session!, late.client_order_id) === 'accepted');
    fake.rejectOrder(late, 'not enough liquidity');
    await until('the rejection in the journal', () => statusOf(session!, late.client_order_id) === 'rejected');
    await driveDays(fake, session, bars, '2016-03-08', () => {});
    await session.stop();
    assert.deepEqual(log.filter((l) => l.startsWith('onFill')).map((l) => l.split(' @')[0]), ['onFill buy 40', 'onFill buy 60']);
    assert.deepEqual(fake.tradeEvents.map((e) => e.event), ['new', 'partial_fill', 'fill', 'new', 'canceled', 'new', 'rejected']);
    assert.ok(fake.tradeEvents.every((e) => e.delivered === 1));
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await session?.stop();
    await fake.close();
  }
});

test('trade_updates dropped: an exit leg that fills while it is down is caught up by REST at the reconnection; a fill seen on both paths is journaled once', async () => {
  const fake = await startFake();
  const dir = tempDir();
  let session: PaperSession | undefined;
  try {
    const bars = loadSpy(fake, '2016-03-01');
    session = await streamingSession(fake, dir, [
      { on: '2016-03-02', side: 'buy', shares: 100, exits: { stopLossPct: 1, takeProfitPct: 1 } },
      { on: '2016-03-07', side: 'buy', shares: 10 },
    ]);
    await driveDays(fake, session, bars, '2016-03-02', () => {});
    day(fake, '2016-03-03', 'open');
    fake.tradeBar('SPY', bars.find((b) => b.t === d('2016-03-03'))!);
    const entry = fake.orders[0];
    await until('the entry fill', () => statusOf(session!, entry.client_order_id) === 'filled');
    assert.equal(session.journal.entries.filter((e) => e.type === 'leg').length, 2, 'the legs came with the entry\'s event');
    // The stream drops; on 03-04 the take-profit fills and Alpaca cancels the stop: nobody hears it.
    fake.dropTradeStream();
    day(fake, '2016-03-04', 'open');
    fake.tradeBar('SPY', bars.find((b) => b.t === d('2016-03-04'))!);
    const tp = fake.orders.find((o) => o.parent_id && o.type === 'limit')!;
    assert.deepEqual(fake.tradeEvents.filter((e) => e.client_order_id === tp.client_order_id && e.event === 'fill').map((e) => e.delivered), [0]);
    await until('the reconnection', () => session!.tradeStreamState.connects >= 2 && session!.tradeStreamState.up);
    await session.settled();
    assert.equal(statusOf(session, tp.client_order_id), 'filled', 'caught up by REST');
    assert.equal(fills(session, tp.client_order_id).length, 1);
    // 03-07 an order; on 03-08 half fills (heard on the stream), the stream drops and the catch-up reads the same fill.
    await driveDays(fake, session, bars, '2016-03-07', () => {});
    const second = fake.orders.find((o) => o.qty === 10)!;
    day(fake, '2016-03-08', 'open');
    fake.fillAt('SPY', 199.3, 0.5);
    await until('the partial fill', () => fills(session!, second.client_order_id).length === 1);
    const connects = session.tradeStreamState.connects;
    fake.dropTradeStream();
    await until('the reconnection', () => session!.tradeStreamState.connects > connects && session!.tradeStreamState.up);
    await session.settled();
    assert.equal(fills(session, second.client_order_id).length, 1, 'the REST catch-up saw the same 5 shares: journaled once');
    fake.fillAt('SPY', 199.5);
    await until('the rest', () => statusOf(session!, second.client_order_id) === 'filled');
    assert.deepEqual(fills(session, second.client_order_id).map((f) => f.qty), [5, 5]);
    day(fake, '2016-03-08', 'close');
    await session.catchUp();
    await session.stop();
    assert.equal(fake.positions.get('SPY')!.qty, 10);
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await session?.stop();
    await fake.close();
  }
});

test('trade_updates refusing the keys: no reconnect storm, fills are read by REST at every step', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    fake.tradeStreamMode = 'bad-auth';
    const { session, log } = await makeSession({ fake, dir, host: await scriptedHost([{ on: '2016-03-02', side: 'buy', shares: 10 }]), warmupBars: 5, extra: streamOptions(fake) });
    await session.start();
    await until('the refusal noted', () => log.some((l) => /trade_updates stream: auth failed/.test(l)));
    await driveDays(fake, session, bars, '2016-03-04', (b) => fake.fillAt('SPY', b.o));
    await session.stop();
    assert.equal(session.snapshot().fillSource, 'polling');
    assert.equal(fake.tradeConnections, 1, 'refused keys are not retried');
    assert.equal(session.journal.entries.filter((e) => e.type === 'fill').length, 1, 'the fill came by REST');
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await fake.close();
  }
});

test('trade_updates hanging: a connection that stops answering is dropped by the keep-alive and replaced; while it cannot authenticate the session polls', async () => {
  const fake = await startFake();
  const dir = tempDir();
  let session: PaperSession | undefined;
  try {
    const bars = loadSpy(fake, '2016-03-01');
    session = await streamingSession(fake, dir, [{ on: '2016-03-02', side: 'buy', shares: 10 }, { on: '2016-03-04', side: 'sell', shares: 10 }], [], { pingIntervalMs: 200, pongWaitMs: 150 });
    await driveDays(fake, session, bars, '2016-03-02', () => {});
    // The open connection hangs (no events, no pongs), and so do the next ones until the test lets them answer.
    fake.tradeStreamMode = 'hang';
    fake.hangTradeStream();
    day(fake, '2016-03-03', 'open');
    fake.fillAt('SPY', 198.7);
    assert.equal(fake.tradeEvents.at(-1)!.delivered, 0, 'the fill event went nowhere');
    await until('the hung connection dropped', () => !session!.tradeStreamState.up);
    // A step while it is down reads the fill by REST.
    day(fake, '2016-03-03', 'close');
    await session.catchUp();
    assert.equal(fills(session).length, 1);
    assert.equal(session.snapshot().fillSource, 'polling');
    const tries = fake.tradeConnections;
    await until('another attempt that hangs', () => fake.tradeConnections > tries + 1);
    fake.tradeStreamMode = 'ok';
    await until('the stream back', () => session!.tradeStreamState.up);
    await session.settled();
    await driveDays(fake, session, bars, '2016-03-04', () => {});
    day(fake, '2016-03-07', 'open');
    fake.fillAt('SPY', 199.4);
    const sell = fake.orders[1];
    await until('the sell filled from its event', () => statusOf(session!, sell.client_order_id) === 'filled');
    await session.stop();
    assert.equal(fills(session).length, 2);
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await session?.stop();
    await fake.close();
  }
});

test('restart with the stream: a bracket\'s entry and exit that filled while the process was dead are picked up at the start, nothing is sent twice, later events still arrive', async () => {
  const fake = await startFake();
  const dir = tempDir();
  let second: PaperSession | undefined;
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const script: ScriptedOrder[] = [{ on: '2016-03-02', side: 'buy', shares: 100, exits: { stopLossPct: 1, takeProfitPct: 1 } }, { on: '2016-03-07', side: 'buy', shares: 10 }];
    const first = await streamingSession(fake, dir, script);
    await driveDays(fake, first, bars, '2016-03-02', () => {});
    crash(first);
    await until('the dead process\'s stream closed', () => fake.tradeStreamClients === 0);
    for (const date of ['2016-03-03', '2016-03-04']) {
      day(fake, date, 'open');
      fake.tradeBar('SPY', bars.find((b) => b.t === d(date))!);
    }
    day(fake, '2016-03-04', 'close');
    assert.ok(fake.tradeEvents.filter((e) => e.event === 'fill').every((e) => e.delivered === 0), 'nobody heard the fills');
    second = await streamingSession(fake, dir, script);
    const entries = second.journal.entries;
    assert.equal(entries.filter((e) => e.type === 'fill').length, 2, 'entry and take-profit, once each');
    assert.deepEqual(entries.filter((e) => e.type === 'reconcile').map((e) => e.type === 'reconcile' && e.differences), [[], []]);
    await driveDays(fake, second, bars, '2016-03-07', () => {});
    day(fake, '2016-03-08', 'open');
    fake.fillAt('SPY', 199.3);
    const last = fake.orders.find((o) => o.qty === 10)!;
    await until('the new order filled from its event', () => statusOf(second!, last.client_order_id) === 'filled');
    await second.stop();
    assert.equal(fake.posts.length, 2, 'the bracket was not sent again');
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await second?.stop();
    await fake.close();
  }
});

test('with the stream up, an order whose send got no answer is still looked up by REST at the next step: found (acknowledged) or lost, never left pending', async () => {
  const fake = await startFake();
  const dir = tempDir();
  let session: PaperSession | undefined;
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const { apiFor } = await import('./helpers');
    const { session: s } = await makeSession({ fake, dir, host: await scriptedHost([{ on: '2016-03-02', side: 'buy', shares: 10 }, { on: '2016-03-03', side: 'buy', shares: 5 }]), warmupBars: 5, api: apiFor(fake, { retries: 0 }), extra: streamOptions(fake) });
    session = s;
    await session.start();
    await until('the trade stream', () => session!.tradeStreamState.up && fake.tradeStreamClients === 1);
    await session.settled();
    // 03-02: Alpaca takes the order but the answer is lost (no retries here), and the stream misses its event.
    fake.tradeEventsMuted = true;
    fake.faults.push({ path: '/v2/orders', method: 'POST', action: 'accept-then-500', times: 1 });
    await driveDays(fake, session, bars, '2016-03-02', () => {});
    assert.equal(statusOf(session, fake.orders[0].client_order_id), 'submitted');
    // 03-03: that order is looked up (found: acknowledged); the new one fails outright and never reaches the book.
    fake.faults.push({ path: '/v2/orders', method: 'POST', action: 503, times: 1 });
    await driveDays(fake, session, bars, '2016-03-03', () => {});
    assert.equal(statusOf(session, fake.orders[0].client_order_id), 'accepted');
    // 03-04: the second is looked up: Alpaca never had it.
    await driveDays(fake, session, bars, '2016-03-04', () => {});
    assert.ok(session.tradeStreamState.up && session.tradeStreamState.connects === 1, 'the stream stayed up throughout');
    assert.ok(fake.tradeEvents.every((e) => e.delivered === 0));
    await session.stop();
    const orders = [...journaledOrders(session.journal.entries).values()];
    assert.deepEqual(orders.map((o) => [o.qty, o.status]), [[10, 'accepted'], [5, 'lost']]);
    assert.equal(fake.orders.length, 1);
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await session?.stop();
    await fake.close();
  }
});

test('a catch-up that fails after a reconnection (REST errors) does not end the session; the next step reads every order by REST', async () => {
  const fake = await startFake();
  const dir = tempDir();
  let session: PaperSession | undefined;
  try {
    const bars = loadSpy(fake, '2016-03-01');
    session = await streamingSession(fake, dir, [{ on: '2016-03-02', side: 'buy', shares: 10 }]);
    await driveDays(fake, session, bars, '2016-03-02', () => {});
    fake.dropTradeStream();
    day(fake, '2016-03-03', 'open');
    fake.fillAt('SPY', 198.7);
    // Every order read fails while the client reconnects (its retries included).
    fake.faults.push({ path: '/v2/orders', method: 'GET', action: 500, times: 1000 });
    await until('the reconnection', () => session!.tradeStreamState.connects >= 2 && session!.tradeStreamState.up);
    await session.settled();
    const log = session.snapshot().log;
    assert.ok(log.some((l) => /order sync failed/.test(l)), log.join('\n'));
    assert.equal(fills(session).length, 0);
    fake.faults.length = 0;
    day(fake, '2016-03-03', 'close');
    await session.catchUp();
    assert.equal(fills(session).length, 1, 'the step after the failed catch-up read the fill by REST');
    await session.stop();
    await assertJournalAgrees(fake, join(dir, 'journal.jsonl'));
  } finally {
    await session?.stop();
    await fake.close();
  }
});
