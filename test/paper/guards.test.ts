import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { checkOrder, checkLimits, DEFAULT_LIMITS, type GuardLimits, type GuardState } from '../../core/paper/guards';
import { readJournal } from '../../core/paper/journal';
import { resolveEndpoints, assertLoopback } from '../../core/paper/hosts';
import { sizeRequest } from '../../core/paper/sizing';
import { clientOrderId } from '../../core/paper/ids';
import { driveDays, loadSpy, makeSession, startFake, tempDir } from './helpers';
import { scriptedHost } from './scripted';

const limits: GuardLimits = { ...DEFAULT_LIMITS, allowedSymbols: ['SPY'], maxOrderNotional: 10_000, maxPositionNotional: 20_000, maxDailyLoss: 1_000, maxOrdersPerMinute: 3 };
const state: GuardState = { position: 0, working: 0, equity: 100_000, dayStartEquity: 100_000, recentSends: [], now: 1_000_000, killed: false };

test('guard rails: each rule blocks what it names and only that', () => {
  assert.equal(checkOrder({ symbol: 'SPY', side: 'buy', qty: 10, refPrice: 100 }, state, limits), undefined);
  assert.equal(checkOrder({ symbol: 'QQQ', side: 'buy', qty: 1, refPrice: 100 }, state, limits)?.rule, 'symbol');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'buy', qty: 101, refPrice: 100 }, state, limits)?.rule, 'order-notional');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'buy', qty: 100, refPrice: 100 }, state, limits), undefined, 'exactly at the limit passes');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'buy', qty: 50, refPrice: 100 }, { ...state, position: 160 }, limits)?.rule, 'position');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'buy', qty: 50, refPrice: 100 }, { ...state, working: 160 }, limits)?.rule, 'position', 'working orders count toward the position');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'sell', qty: 50, refPrice: 100 }, { ...state, position: 300 }, limits), undefined, 'reducing an oversized position is allowed');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'sell', qty: 600, refPrice: 100 }, { ...state, position: 300 }, { ...limits, maxOrderNotional: 1e9 })?.rule, 'position', 'flipping to a large short is not a reduction');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'buy', qty: 1, refPrice: 100 }, { ...state, equity: 99_000 }, limits)?.rule, 'daily-loss');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'sell', qty: 1, refPrice: 100 }, { ...state, equity: 99_000, position: 10 }, limits), undefined, 'exits pass the daily-loss rail');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'buy', qty: 1, refPrice: 100 }, { ...state, recentSends: [state.now - 59_000, state.now - 30_000, state.now - 1] }, limits)?.rule, 'rate');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'buy', qty: 1, refPrice: 100 }, { ...state, recentSends: [state.now - 61_000, state.now - 60_000, state.now - 1] }, limits), undefined, 'sends older than a minute do not count');
  assert.equal(checkOrder({ symbol: 'SPY', side: 'sell', qty: 1, refPrice: 100 }, { ...state, killed: true, position: 5 }, limits)?.rule, 'kill-switch');
  assert.throws(() => checkLimits({ ...limits, maxDailyLoss: 0 }), /maxDailyLoss must be a positive number/);
  assert.throws(() => checkLimits({ ...limits, allowedSymbols: [] }), /allowedSymbols is empty/);
});

test('sizing follows the backtest: close, exit without size, shares, cash, percent, all-in', () => {
  const c = { position: 0, cash: 10_000, equity: 10_000, shortValue: 0, price: 99 };
  assert.deepEqual(sizeRequest({ symbol: 'S', side: 'buy' }, c), { change: 101 });
  assert.deepEqual(sizeRequest({ symbol: 'S', side: 'buy', cash: 1000 }, c), { change: 10 });
  assert.deepEqual(sizeRequest({ symbol: 'S', side: 'buy', percent: 50 }, c), { change: 50 });
  assert.deepEqual(sizeRequest({ symbol: 'S', side: 'sell', shares: 3 }, c), { change: -3 });
  assert.deepEqual(sizeRequest({ symbol: 'S', side: 'sell' }, { ...c, position: 7 }), { change: -7 });
  assert.deepEqual(sizeRequest({ symbol: 'S', side: 'sell', closePosition: true }, { ...c, position: 7 }), { change: -7 });
  assert.equal(sizeRequest({ symbol: 'S', side: 'sell', closePosition: true }, c).change, 0);
  assert.equal(sizeRequest({ symbol: 'S', side: 'buy' }, { ...c, cash: 50 }).change, 0);
});

test('client order ids are derived (same bar and position → same id) and refuse bad session names', () => {
  assert.equal(clientOrderId('s1', 1_000, 0), clientOrderId('s1', 1_000, 0));
  assert.notEqual(clientOrderId('s1', 1_000, 0), clientOrderId('s1', 1_000, 1));
  assert.notEqual(clientOrderId('s1', 1_000, 0), clientOrderId('s2', 1_000, 0));
  assert.ok(clientOrderId('a'.repeat(40), Date.UTC(2030, 0, 1), 99).length <= 128);
  assert.throws(() => clientOrderId('bad name', 1, 0), /Invalid paper session name/);
});

test('paper and live are separate: paper refuses the live host, live refuses the paper host; tests reach loopback only', () => {
  assert.throws(() => resolveEndpoints('paper', { tradingUrl: 'https://api.alpaca.markets' }, {}), /Paper mode refuses the live trading host/);
  assert.throws(() => resolveEndpoints('live', { tradingUrl: 'https://paper-api.alpaca.markets' }, {}), /drop --live/);
  assert.equal(resolveEndpoints('live', {}, {}).tradingUrl, 'https://api.alpaca.markets');
  assert.equal(resolveEndpoints('paper', {}, {}).tradingUrl, 'https://paper-api.alpaca.markets');
  assert.throws(() => resolveEndpoints('paper', {}, { STRATEGY_LAB_TEST: '1' }), /refusing to contact paper-api\.alpaca\.markets/);
  assert.doesNotThrow(() => assertLoopback('http://127.0.0.1:9/x'));
  assert.throws(() => assertLoopback('http://10.0.0.1/'), /loopback/);
});

test('guard rails in a session: a blocked order is journaled with its rule and never reaches Alpaca', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const host = await scriptedHost([
      { on: '2016-03-02', side: 'buy', shares: 1000 }, // ~$198k: over the order notional
      { on: '2016-03-03', side: 'buy', shares: 10 },
      { on: '2016-03-03', side: 'buy', shares: 10 },
      { on: '2016-03-03', side: 'buy', shares: 10 }, // the third in a minute
    ]);
    const { session, log } = await makeSession({ fake, dir, host, warmupBars: 5, limits: { maxOrderNotional: 50_000, maxOrdersPerMinute: 2 } });
    await session.start();
    await driveDays(fake, session, bars, '2016-03-04');
    await session.stop();
    const blocked = readJournal(join(dir, 'journal.jsonl')).filter((e) => e.type === 'blocked').map((e) => e.type === 'blocked' && e.rule);
    assert.deepEqual(blocked, ['order-notional', 'rate'], log.join('\n'));
    assert.equal(fake.orders.length, 2);
  } finally {
    await fake.close();
  }
});

test('the kill switch: nothing more leaves, open orders are cancelled, positions flattened when asked', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const host = await scriptedHost([{ on: '2016-03-02', side: 'buy', shares: 20 }, { on: '2016-03-03', side: 'buy', shares: 5, limit: 1 }]);
    const { session } = await makeSession({ fake, dir, host, warmupBars: 5 });
    await session.start();
    await driveDays(fake, session, bars, '2016-03-03');
    assert.equal(fake.openOrders().length, 1);
    await session.kill('test', true);
    await session.done;
    assert.equal(fake.openOrders().filter((o) => o.type === 'limit').length, 0, 'the working limit order was cancelled');
    const flatten = fake.orders.find((o) => o.client_order_id.includes('-flat-'));
    assert.ok(flatten && flatten.side === 'sell' && flatten.qty === 20);
    const entries = readJournal(join(dir, 'journal.jsonl'));
    assert.ok(entries.some((e) => e.type === 'kill' && e.flatten));
    assert.ok(entries.some((e) => e.type === 'cancel' && e.by === 'kill-switch'));
    assert.equal(entries[entries.length - 1].type, 'stop');
    assert.equal(session.snapshot().status, 'killed');
  } finally {
    await fake.close();
  }
});
