import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BarFeed } from '../../core/paper/feed';
import type { Bar } from '../../core/sdk/types';
import { providerFor, startFake } from './helpers';
import { nyOpen } from './fakeAlpaca';

const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('1-minute bars stream through the official client; a dropped stream reconnects and the missed bars come by REST, each once, in order', async () => {
  const fake = await startFake();
  let feed: BarFeed | undefined;
  try {
    const day = Date.parse('2024-03-05T00:00:00Z');
    const t0 = nyOpen(day);
    fake.setNow(t0);
    const got: Bar[][] = [];
    feed = new BarFeed({
      symbols: ['SPY', 'QQQ'], timeframe: '1m', provider: providerFor(fake), now: async () => fake.now, after: t0 - 60_000, pollMs: 3_600_000,
      stream: { url: fake.streamUrl, keyId: fake.keyId, secretKey: fake.secretKey, reconnectMs: 50 },
    });
    feed.start(async (bars) => void got.push(bars));
    await until(() => fake.streamClients === 1);
    await until(() => feed!.connects === 1);
    await feed.catchUp(); // the catch-up the connection started has run (queued before this one) while the clock says t0
    const bar = (i: number, p: number) => ({ t: t0 + i * 60_000, o: p, h: p + 1, l: p - 1, c: p + 0.5, v: 100 });
    // Minute 0: SPY then QQQ arrive; the minute is delivered once both are there.
    fake.setNow(t0 + 60_000);
    fake.pushBar('SPY', bar(0, 100));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(got.length, 0, 'waits for the other symbol of the minute');
    fake.pushBar('QQQ', bar(0, 200));
    await until(() => got.length === 1);
    assert.deepEqual(got[0].map((b) => b.symbol), ['SPY', 'QQQ']);
    // The stream drops; minutes 1 and 2 happen while it is down (they exist only in REST).
    fake.dropStream();
    fake.minuteBars.get('SPY')!.push(bar(1, 101), bar(2, 102));
    fake.minuteBars.get('QQQ')!.push(bar(1, 201), bar(2, 202));
    fake.setNow(t0 + 3 * 60_000);
    await until(() => fake.streamClients === 1);
    await until(() => got.length === 3);
    assert.ok(feed.connects >= 2, 'reconnected');
    // Minute 3 streams again; a duplicate of minute 2 is ignored.
    fake.setNow(t0 + 4 * 60_000);
    fake.pushBar('SPY', bar(2, 102));
    fake.pushBar('SPY', bar(3, 103));
    fake.pushBar('QQQ', bar(3, 203));
    await until(() => got.length === 4);
    await new Promise((r) => setTimeout(r, 100));
    feed.stop();
    assert.deepEqual(got.map((g) => (g[0].time - t0) / 60_000), [0, 1, 2, 3]);
    assert.deepEqual(got.map((g) => g.length), [2, 2, 2, 2]);
    assert.deepEqual(got[1].map((b) => b.close), [101.5, 201.5], 'backfilled bars carry the REST values');
  } finally {
    feed?.stop();
    await fake.close();
  }
});

test('daily bars are delivered once the session has closed, never the bar still forming', async () => {
  const fake = await startFake();
  try {
    const day = Date.parse('2024-03-05T00:00:00Z');
    fake.bars.set('SPY', [{ t: day - 86_400_000, o: 1, h: 2, l: 0.5, c: 1.5, v: 10 }, { t: day, o: 2, h: 3, l: 1.5, c: 2.5, v: 10 }]);
    fake.setNow(nyOpen(day) + 3_600_000);
    const got: number[] = [];
    const feed = new BarFeed({ symbols: ['SPY'], timeframe: '1d', provider: providerFor(fake), now: async () => fake.now, after: day - 2 * 86_400_000, pollMs: 3_600_000 });
    feed.start(async (bars) => void got.push(bars[0].time));
    await feed.catchUp();
    assert.deepEqual(got, [day - 86_400_000], 'today is still trading');
    fake.setNow(day + 21 * 3_600_000 + 60_000);
    await feed.catchUp();
    await feed.catchUp();
    feed.stop();
    assert.deepEqual(got, [day - 86_400_000, day]);
  } finally {
    await fake.close();
  }
});
