/**
 * The VS Code panel's model (core/paper/view.ts) from real sessions on the fake Alpaca: what the panel and the
 * status bar show is the session's state and journal, computed here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readJournal } from '../../core/paper/journal';
import type { SessionState } from '../../core/paper/session';
import { isFinished, modeLabel, paperView, pnlPath, signedMoney, statusBarText } from '../../core/paper/view';
import { nyClose, nyOpen } from './fakeAlpaca';
import { loadSpy, makeSession, startFake, tempDir } from './helpers';

const day = (d: string) => Date.parse(`${d}T00:00:00Z`);

test('paper view of a live session: open order, then a partial fill with the order still open, equity and P&L per step', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2015-12-16');
    const { session } = await makeSession({ fake, dir });
    await session.start();
    fake.setNow(nyClose(day('2015-12-17')) + 60_000);
    await session.catchUp();
    const sent = paperView(session.snapshot(), session.journal.entries, true);
    assert.equal(sent.mode, 'PAPER');
    assert.equal(sent.status, 'running');
    assert.equal(sent.running, true);
    assert.equal(sent.openOrders.length, 1);
    assert.equal(sent.openOrders[0].side, 'buy');
    assert.equal(sent.openOrders[0].qty, fake.orders[0].qty);
    assert.equal(sent.openOrders[0].clientOrderId, fake.orders[0].client_order_id);
    assert.deepEqual(sent.fills, []);
    assert.equal(sent.account?.number, 'PA0000FAKE');
    assert.equal(sent.account?.cash, 100_000);
    assert.equal(sent.account?.buyingPower, 100_000, 'no short position: buying power is the cash');

    const open18 = bars.find((b) => b.t === day('2015-12-18'))!;
    fake.setNow(nyOpen(day('2015-12-18')) + 1000);
    fake.fillAt('SPY', open18.o, 0.5);
    fake.setNow(nyClose(day('2015-12-18')) + 60_000);
    await session.catchUp();
    const part = paperView(session.snapshot(), session.journal.entries, true);
    const filled = fake.orders[0].filled_qty;
    assert.ok(filled > 0 && filled < fake.orders[0].qty);
    assert.equal(part.fills.length, 1);
    assert.equal(part.fills[0].qty, filled);
    assert.equal(part.fills[0].price, open18.o);
    assert.equal(part.openOrders.length, 1, 'the rest of the order is still working');
    assert.equal(part.openOrders[0].filledQty, filled);
    assert.deepEqual(part.positions.map((p) => [p.symbol, p.shares, p.avgPrice]), [['SPY', filled, open18.o]]);
    const pos = part.positions[0];
    assert.equal(pos.marketValue, filled * pos.lastPrice);
    assert.ok(Math.abs(pos.unrealizedPnl - filled * (pos.lastPrice - open18.o)) < 1e-6);
    assert.equal(part.equity.length, 2, 'one point per live step');
    assert.equal(part.equity[0].pnl, 0);
    assert.ok(Math.abs(part.sessionPnl - (fake.equity() - 100_000)) < 1e-6, `${part.sessionPnl} vs ${fake.equity() - 100_000}`);
    assert.match(statusBarText(part, ['SPY']), /^\$\(pulse\) PAPER SPY [+−]\$\d/);

    // The kill switch: the view says killed, offers no Stop, and shows no open order.
    await session.kill('test', false);
    const killed = paperView(session.snapshot(), session.journal.entries, true);
    assert.equal(killed.status, 'killed');
    assert.equal(killed.killed, true);
    assert.equal(killed.running, false, 'a finished session is never shown as running, whatever the caller believed');
    assert.deepEqual(killed.openOrders, []);
    assert.equal(statusBarText(killed, ['SPY']), '$(pulse) PAPER SPY killed');
  } finally {
    await fake.close();
  }
});

test('paper view lists guard-rail blocks from the journal, newest first, with rule and reason', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    loadSpy(fake, '2015-12-16');
    const { session } = await makeSession({ fake, dir, limits: { maxOrderNotional: 1_000 } });
    await session.start();
    fake.setNow(nyClose(day('2015-12-17')) + 60_000);
    await session.catchUp();
    await session.stop('test');
    const entries = readJournal(join(dir, 'journal.jsonl'));
    const view = paperView(session.snapshot(), entries, false);
    assert.equal(view.blocks.length, 1);
    assert.equal(view.blocks[0].rule, 'order-notional');
    assert.match(view.blocks[0].reason, /over the \$1,000\.00 limit/);
    assert.match(view.blocks[0].clientOrderId, /^sl-test-/);
    assert.equal(fake.posts.length, 0);
    assert.equal(view.status, 'stopped');
    assert.ok(view.log.some((l) => /blocked \(order-notional\)/.test(l)));
  } finally {
    await fake.close();
  }
});

function state(over: Partial<SessionState> = {}): SessionState {
  return { sessionId: 's-live', mode: 'live', account: { number: 'A1', cash: 10_000, equity: 12_000, lastEquity: 12_500 }, positions: [], openOrders: [], fills: [], equity: [], lastBar: undefined, status: 'running', killed: false, differences: [], log: [], ...over };
}

test('paper view: live mode label, buying power net of shorts, today and session P&L, fills newest first, strategy log', () => {
  const v = paperView(state({
    positions: [{ symbol: 'SPY', shares: -10, avgPrice: 100, lastPrice: 110 }, { symbol: 'QQQ', shares: 5, avgPrice: 50, lastPrice: 40 }],
    fills: [{ clientOrderId: 'a', symbol: 'SPY', side: 'sell', qty: 10, price: 100, time: 1 }, { clientOrderId: 'b', symbol: 'QQQ', side: 'buy', qty: 5, price: 50, time: 2 }],
    equity: [{ time: 1, equity: 12_300 }, { time: 2, equity: 12_100 }, { time: 3, equity: 12_000 }],
  }), [], true, ['hello']);
  assert.equal(v.mode, 'LIVE');
  assert.equal(v.account!.buyingPower, 10_000 - 2 * 1_100);
  assert.equal(v.account!.todayPnl, -500);
  assert.deepEqual(v.equity.map((e) => e.pnl), [0, -200, -300]);
  assert.equal(v.sessionPnl, -300);
  assert.deepEqual(v.fills.map((f) => f.clientOrderId), ['b', 'a']);
  assert.deepEqual(v.positions.map((p) => p.unrealizedPnl), [-100, -50]);
  assert.deepEqual(v.strategyLog, ['hello']);
  assert.equal(statusBarText(v, ['SPY', 'QQQ']), '$(pulse) LIVE SPY,QQQ −$300.00');
  assert.equal(paperView(state({ equity: [{ time: 1, equity: 5 }] }), [], true).sessionPnl, 0, 'one point: no P&L yet');
  assert.equal(paperView(state({ status: 'failed' }), [], true).running, false);
  assert.equal(paperView(state(), [], false).running, false, 'a dead owner process: no Stop offered');
  assert.equal(modeLabel('paper'), 'PAPER');
  assert.deepEqual(['starting', 'warming-up', 'running', 'killed', 'stopped', 'failed'].map((s) => isFinished(s as SessionState['status'])), [false, false, false, true, true, true]);
  assert.equal(signedMoney(1234.5), '+$1,234.50');
  assert.equal(signedMoney(-0.001), '−$0.00');
});

test('P&L chart path: time on x, P&L on y (up is positive), zero line inside the box', () => {
  const { d, zeroY } = pnlPath([{ time: 0, pnl: 0 }, { time: 50, pnl: 100 }, { time: 100, pnl: -100 }], 200, 100);
  assert.equal(d, 'M0,50 L100,0 L200,100');
  assert.equal(zeroY, 50);
  const up = pnlPath([{ time: 0, pnl: 0 }, { time: 10, pnl: 30 }], 100, 60);
  assert.equal(up.d, 'M0,60 L100,0');
  assert.equal(up.zeroY, 60, 'all gains: zero at the bottom');
  assert.deepEqual(pnlPath([], 100, 60), { d: '', zeroY: 30 });
  assert.equal(pnlPath([{ time: 5, pnl: 0 }], 100, 60).d, 'M50,30');
});
