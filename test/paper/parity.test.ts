import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readJournal } from '../../core/paper/journal';
import { compareParity, formatParity, recordedSeries } from '../../core/paper/parity';
import { runBacktest } from '../../core/engine/backtest';
import { loadStrategy } from '../../core/strategy/load';
import { compiledExample, driveDays, loadSpy, makeSession, startFake, tempDir } from './helpers';

test('parity: the recorded session bars replayed through the backtest give the same signals; the report shows live slippage and partial fills', async () => {
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2015-10-01');
    const { session } = await makeSession({ fake, dir });
    await session.start();
    // Live fills differ from the backtest's next-open assumption: 5 cents worse, and the second order fills 60 % at first.
    let n = 0;
    await driveDays(fake, session, bars, '2016-06-30', (bar) => {
      const open = fake.openOrders().filter((o) => o.symbol === 'SPY');
      if (open.length === 0) return;
      const side = open[0].side;
      n++;
      fake.fillAt('SPY', bar.o + (side === 'buy' ? 0.05 : -0.05), n === 2 ? 0.6 : 1);
    });
    await session.stop();
    const entries = readJournal(join(dir, 'journal.jsonl'));
    const compiled = await compiledExample('sma-crossover.strategy.ts');
    const result = runBacktest(loadStrategy(compiled.js, compiled.fileName), recordedSeries(entries, ['SPY']), { fill: 'next-open' });
    const report = compareParity(entries, result);
    assert.equal(report.sameSignals, true, formatParity(report));
    assert.equal(report.matched.length, 3);
    assert.equal(report.fills.length, 3);
    assert.deepEqual(report.fills.map((f) => f.note), [undefined, 'filled in 2 parts', undefined]);
    for (const f of report.fills.filter((x) => x.note === undefined)) {
      assert.ok(Math.abs(f.slippage! - 0.05) < 1e-6, `slippage of ${f.time}: ${f.slippage}`);
      assert.ok(f.slippageBps! > 0);
    }
    const text = formatParity(report);
    assert.match(text, /same 3 signal/);
    assert.match(text, /bps/);
    assert.match(text, /filled in 2 parts/);
  } finally {
    await fake.close();
  }
});

test('parity: signals that differ are listed on each side', () => {
  const bar = (t: number) => ({ type: 'bar' as const, bars: [{ symbol: 'X', time: t, open: 1, high: 1, low: 1, close: 1, volume: 1, index: -1 }], warmup: false, seq: 1, at: 0 });
  const entries = [bar(Date.UTC(2020, 0, 1)), { type: 'signal' as const, orderId: 1, clientOrderId: 'sl-a-1-0', request: { symbol: 'X', side: 'buy' as const }, placedAt: Date.UTC(2020, 0, 1), warmup: false, seq: 2, at: 0 }];
  const result = { orders: [{ id: 1, symbol: 'X', side: 'sell', type: 'market', status: 'filled', placedAt: '2020-01-01', placedBar: 0, shares: 1, fillPrice: 1 }] } as never;
  const r = compareParity(entries, result);
  assert.equal(r.sameSignals, false);
  assert.deepEqual(r.onlyLive.map((s) => s.side), ['buy']);
  assert.deepEqual(r.onlyBacktest.map((s) => s.side), ['sell']);
  assert.match(formatParity(r), /only live: 2020-01-01 buy X[\s\S]*only backtest: 2020-01-01 sell X/);
});

test('parity with protective exits: the report shows the live levels (from the last close, to the cent) against the backtest\'s (from its fill), and both exits', async () => {
  const { scriptedClass, scriptedHost } = await import('./scripted');
  const fake = await startFake();
  const dir = tempDir();
  try {
    const bars = loadSpy(fake, '2016-03-01');
    const script = [{ on: '2016-03-02', side: 'buy' as const, shares: 100, exits: { stopLossPct: 1, takeProfitPct: 1 } }];
    const { session } = await makeSession({ fake, dir, host: await scriptedHost(script), warmupBars: 5 });
    await session.start();
    await driveDays(fake, session, bars, '2016-03-07', (b) => fake.tradeBar('SPY', b));
    await session.stop();
    const entries = readJournal(join(dir, 'journal.jsonl'));
    const result = runBacktest(await scriptedClass(script), recordedSeries(entries, ['SPY']), { fill: 'next-open', cash: 100_000 });
    const report = compareParity(entries, result);
    assert.equal(report.sameSignals, true, formatParity(report));
    assert.equal(report.exits!.length, 1);
    const x = report.exits![0];
    assert.deepEqual(x.liveLevels, { stopLoss: 197.04, takeProfit: 201.02 });
    assert.ok(Math.abs(x.backtestLevels!.stopLoss! - 198.7 * 0.99) < 1e-9 && Math.abs(x.backtestLevels!.takeProfit! - 198.7 * 1.01) < 1e-9, JSON.stringify(x.backtestLevels));
    assert.deepEqual([x.liveExit!.kind, x.liveExit!.time.slice(0, 10), x.liveExit!.price], ['take-profit', '2016-03-04', 201.02]);
    assert.deepEqual([x.backtestExit!.kind, x.backtestExit!.time.slice(0, 10)], ['take-profit', '2016-03-04']);
    assert.ok(Math.abs(x.backtestExit!.price - 198.7 * 1.01) < 1e-9);
    assert.equal(x.notes.length, 3, x.notes.join('\n'));
    const text = formatParity(report);
    assert.match(text, /exits of 2016-03-02 SPY: live stop 197\.04, target 201\.02; backtest stop 196\.71, target 200\.69 — stop-loss 197\.04 live vs 196\.71 backtest/);
    assert.match(text, /exit price 201\.0200 live vs 200\.6870 backtest/);
  } finally {
    await fake.close();
  }
});
