/** Shared set-up of the paper tests: the fake Alpaca with real SPY history, and sessions driven day by day. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedData, repoRoot } from '../helpers/paths';
import { FakeAlpaca, nyClose, nyOpen, type FakeBar } from './fakeAlpaca';
import { AlpacaTradingApi } from '../../core/paper/alpaca';
import { AlpacaProvider } from '../../core/data/alpaca';
import { resolveEndpoints } from '../../core/paper/hosts';
import { Journal, journaledOrders, readJournal } from '../../core/paper/journal';
import { reconcile } from '../../core/paper/reconcile';
import assert from 'node:assert/strict';
import { PaperSession, type PaperSessionOptions } from '../../core/paper/session';
import { InProcessStrategyHost, type StrategyHost } from '../../core/paper/strategyHost';
import { compileStrategy } from '../../core/strategy/compile';
import { loadStrategy } from '../../core/strategy/load';
import { DEFAULT_LIMITS, type GuardLimits } from '../../core/paper/guards';
import type { Timeframe } from '../../core/sdk/types';

const DAY = 86_400_000;

export function spyDaily(): FakeBar[] {
  const lines = readFileSync(sharedData('SPY_daily_1998_2021_lean.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => {
    const [d, o, h, lo, c, v] = l.split(',');
    return { t: Date.parse(`${d}T00:00:00Z`), o: +o, h: +h, l: +lo, c: +c, v: +v };
  });
}

export async function startFake(cash = 100_000): Promise<FakeAlpaca> {
  const fake = new FakeAlpaca(cash);
  await fake.listen();
  return fake;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sl-paper-'));
}

export function exampleFile(name: string): string {
  return join(repoRoot, 'examples', name);
}

export async function compiledExample(name: string): Promise<{ js: string; fileName: string; source: string }> {
  const source = readFileSync(exampleFile(name), 'utf8');
  const c = await compileStrategy(source, name);
  return { js: c.js, fileName: name, source };
}

export function apiFor(fake: FakeAlpaca, extra: { timeoutMs?: number; retries?: number } = {}): AlpacaTradingApi {
  return new AlpacaTradingApi({ keyId: fake.keyId, secretKey: fake.secretKey, endpoints: resolveEndpoints('paper', { tradingUrl: fake.url, dataUrl: fake.url, streamUrl: `ws://127.0.0.1:${fake.port}` }), retryDelayMs: 5, timeoutMs: extra.timeoutMs ?? 2000, retries: extra.retries ?? 3 });
}

export function providerFor(fake: FakeAlpaca): AlpacaProvider {
  return new AlpacaProvider({ keyId: fake.keyId, secretKey: fake.secretKey, dataUrl: fake.url, tradingUrl: fake.url, retry: { attempts: 4, baseDelayMs: 5 }, timeoutMs: 2000 });
}

export interface TestSessionOptions {
  fake: FakeAlpaca;
  dir: string;
  example?: string;
  symbols?: string[];
  timeframe?: Timeframe;
  limits?: Partial<GuardLimits>;
  host?: StrategyHost;
  warmupBars?: number;
  sessionId?: string;
  api?: AlpacaTradingApi;
  extra?: Partial<PaperSessionOptions>;
}

export async function makeSession(t: TestSessionOptions): Promise<{ session: PaperSession; log: string[] }> {
  const example = t.example ?? 'sma-crossover.strategy.ts';
  const compiled = await compiledExample(example);
  const log: string[] = [];
  const symbols = t.symbols ?? ['SPY'];
  const host = t.host ?? new InProcessStrategyHost(() => loadStrategy(compiled.js, compiled.fileName), (l) => log.push(`[strategy] ${l.message}`));
  const session = new PaperSession({
    sessionId: t.sessionId ?? 'test', file: exampleFile(example), mode: 'paper', symbols, timeframe: t.timeframe ?? '1d',
    api: t.api ?? apiFor(t.fake), strategy: host, journal: Journal.open(join(t.dir, 'journal.jsonl'), () => t.fake.now),
    limits: { ...DEFAULT_LIMITS, maxOrderNotional: 1e9, maxPositionNotional: 1e9, maxDailyLoss: 1e9, allowedSymbols: symbols, ...t.limits },
    provider: providerFor(t.fake), warmupBars: t.warmupBars ?? 250, feed: { pollMs: 3_600_000 }, now: () => t.fake.now,
    onLog: (l) => log.push(l), ...t.extra,
  });
  return { session, log };
}

/** Puts SPY daily history into the fake and sets its clock to the evening of `date`. */
export function loadSpy(fake: FakeAlpaca, untilDate: string): FakeBar[] {
  const bars = spyDaily();
  fake.bars.set('SPY', bars);
  fake.setNow(nyClose(Date.parse(`${untilDate}T00:00:00Z`)) + 60_000);
  return bars;
}

/**
 * Trading days after the fake's current day up to `endDate`: at each open the fake fills open orders at the
 * bar's open (`fill` may change that); after each close the session catches up.
 */
export async function driveDays(fake: FakeAlpaca, session: PaperSession, bars: FakeBar[], endDate: string, fill?: (bar: FakeBar) => void): Promise<number> {
  const end = Date.parse(`${endDate}T00:00:00Z`);
  let days = 0;
  for (const bar of bars) {
    if (bar.t <= Math.floor(fake.now / DAY) * DAY || bar.t > end) continue;
    fake.setNow(nyOpen(bar.t) + 1000);
    if (fill) fill(bar);
    else fake.fillAt('SPY', bar.o);
    fake.setNow(nyClose(bar.t) + 60_000);
    await session.catchUp();
    days++;
  }
  return days;
}

export { DAY };

/**
 * The journal and the fake account agree: every order of the session has the fake's status and filled quantity,
 * the journal's positions (baseline + fills) are the account's, and no order of the session is open at the fake
 * that the journal does not know (reconcile finds no difference).
 */
export async function assertJournalAgrees(fake: FakeAlpaca, journalPath: string, symbols: string[] = ['SPY'], sessionId = 'test'): Promise<void> {
  const entries = readJournal(journalPath);
  const api = apiFor(fake);
  const differences = reconcile({ entries, symbols, positions: await api.positions(), openOrders: await api.openOrders(), sessionId });
  assert.deepEqual(differences, [], 'reconcile finds no difference');
  for (const j of journaledOrders(entries).values()) {
    const f = fake.orders.find((o) => o.client_order_id === j.clientOrderId);
    if (!j.submitted && !j.parent) continue;
    if (j.status === 'lost' || j.status === 'rejected' && !f) {
      assert.equal(f, undefined, `${j.clientOrderId} is ${j.status} in the journal and absent at the fake`);
      continue;
    }
    if (!f) throw new assert.AssertionError({ message: `${j.clientOrderId} is in the journal but not at the fake` });
    assert.equal(j.status, f.status, `${j.clientOrderId}: journal status = fake status`);
    assert.equal(j.filledQty, f.filled_qty, `${j.clientOrderId}: journal filled qty = fake filled qty`);
  }
}

/** The process "dies": the journal stops where it is, the feed's poll timer and the streams go (they would keep the test file alive). */
export function crash(session: PaperSession): void {
  session.journal.close();
  const inner = session as unknown as { feed?: { stop(): void }; tradeStream?: { stop(): void } };
  inner.feed?.stop();
  inner.tradeStream?.stop();
}
