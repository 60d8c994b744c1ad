/**
 * The pure pieces behind the VS Code commands: settings → the CLI's guard and feed options, the live gate and
 * confirmation (launchSession's `confirmAccount` check, against the fake), the control file shared with the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runningOwner, waitUntilFinished, watchControl } from '../../core/paper/control';
import { DEFAULT_LIMITS } from '../../core/paper/guards';
import { endpointsFromEnv } from '../../core/paper/hosts';
import { launchSession, LiveConfirmationError, type LaunchOptions } from '../../core/paper/launch';
import { readControl, requestControl, writeState, type StateFile } from '../../core/paper/sessionFiles';
import { feedOptionsFromSettings, guardLimitsFromSettings, LIMIT_SETTINGS, liveConfirmationMessage, tradingModeFor } from '../../core/paper/settings';
import { exampleFile, loadSpy, startFake, tempDir } from './helpers';

test('guard-rail settings map onto the CLI options; unset keeps the default; bad values name the setting', () => {
  assert.deepEqual(guardLimitsFromSettings({}), {});
  assert.deepEqual(guardLimitsFromSettings({ maxOrderNotional: null, maxPosition: undefined }), {});
  assert.deepEqual(guardLimitsFromSettings({ maxOrderNotional: 1000, maxPosition: 2000, maxDailyLoss: 300, maxOrdersPerMinute: 4 }), { maxOrderNotional: 1000, maxPositionNotional: 2000, maxDailyLoss: 300, maxOrdersPerMinute: 4 });
  assert.deepEqual(Object.values(LIMIT_SETTINGS).map((l) => l.flag), ['--max-order-notional', '--max-position', '--max-daily-loss', '--max-orders-per-minute']);
  for (const k of Object.values(LIMIT_SETTINGS).map((l) => l.limit)) assert.ok(k in DEFAULT_LIMITS, `${k} is a guard limit`);
  assert.throws(() => guardLimitsFromSettings({ maxOrderNotional: 0 }), /strategyLab\.paper\.maxOrderNotional must be a positive number of dollars, got 0/);
  assert.throws(() => guardLimitsFromSettings({ maxDailyLoss: '500' }), /strategyLab\.paper\.maxDailyLoss .* got "500"/);
  assert.throws(() => guardLimitsFromSettings({ maxOrdersPerMinute: 2.5 }), /maxOrdersPerMinute must be a positive whole number, got 2\.5/);
  assert.throws(() => guardLimitsFromSettings({ maxPosition: Infinity, maxOrderNotional: -1 }), (e: Error) => /maxOrderNotional/.test(e.message) && /maxPosition/.test(e.message));
  assert.deepEqual(feedOptionsFromSettings({}), {});
  assert.deepEqual(feedOptionsFromSettings({ pollSeconds: 0.5, warmupBars: 0 }), { pollMs: 500, warmupBars: 0 });
  assert.throws(() => feedOptionsFromSettings({ pollSeconds: 0 }), /pollSeconds must be a positive number/);
  assert.throws(() => feedOptionsFromSettings({ warmupBars: 1.5 }), /warmupBars must be a whole number/);
});

test('live mode needs the allowLive setting (true, not truthy); paper needs nothing', () => {
  assert.deepEqual(tradingModeFor(false, false), { mode: 'paper' });
  assert.deepEqual(tradingModeFor(false, true), { mode: 'paper' });
  assert.deepEqual(tradingModeFor(true, true), { mode: 'live' });
  for (const v of [false, undefined, 'true', 1]) {
    const r = tradingModeFor(true, v);
    assert.ok('refused' in r && /strategyLab\.paper\.allowLive/.test(r.refused), JSON.stringify(r));
  }
  assert.match(liveConfirmationMessage('PA123', 'Golden'), /LIVE TRADING with real money: Golden .* account PA123/);
  assert.deepEqual(endpointsFromEnv({ APCA_API_BASE_URL: 'http://127.0.0.1:1', APCA_DATA_URL: '' }), { tradingUrl: 'http://127.0.0.1:1', dataUrl: undefined, streamUrl: undefined });
});

test('live confirmation (what the VS Code modal feeds): the error names the account; a wrong number starts nothing; the right one starts', async () => {
  const fake = await startFake();
  const ws = tempDir();
  try {
    loadSpy(fake, '2015-12-16');
    const file = exampleFile('sma-crossover.strategy.ts');
    const base: LaunchOptions = {
      file: 'sma.strategy.ts', source: readFileSync(file, 'utf8'), symbols: ['SPY'], timeframe: '1d', workspace: ws, sessionId: 'sma-live', mode: 'live',
      keys: { keyId: fake.keyId, secretKey: fake.secretKey }, endpoints: { tradingUrl: fake.url, dataUrl: fake.url, streamUrl: `ws://127.0.0.1:${fake.port}` },
      sandbox: 'none', stream: false, pollMs: 3_600_000, onLog: () => {}, onStrategyLog: () => {},
    };
    await assert.rejects(launchSession(base), (e: unknown) => e instanceof LiveConfirmationError && e.account === 'PA0000FAKE' && /account PA0000FAKE/.test(e.message));
    await assert.rejects(launchSession({ ...base, confirmAccount: 'PA999' }), (e: unknown) => e instanceof LiveConfirmationError && e.account === 'PA0000FAKE' && /does not match/.test(e.message));
    const ok = await launchSession({ ...base, confirmAccount: ' PA0000FAKE ' });
    assert.equal(ok.account, 'PA0000FAKE');
    await ok.session.stop('test');
    assert.equal(fake.posts.length, 0);
  } finally {
    await fake.close();
  }
});

test('control file: a stop request written after the watch started is delivered once; owners in live processes are seen', async () => {
  const dir = join(tempDir(), 's');
  mkdirSync(dir, { recursive: true });
  requestControl(dir, { action: 'kill', flatten: false });
  const since = Date.now() + 1;
  const got: boolean[] = [];
  const stop = watchControl(dir, since, (c) => got.push(c.flatten), 20);
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(got, [], 'a request older than the watch is ignored');
  await new Promise((r) => setTimeout(r, 5));
  requestControl(dir, { action: 'kill', flatten: true });
  await new Promise((r) => setTimeout(r, 120));
  stop();
  assert.deepEqual(got, [true]);
  assert.equal(readControl(dir, since)?.flatten, true);

  const st: StateFile = { sessionId: 's', mode: 'paper', account: undefined, positions: [], openOrders: [], fills: [], equity: [], lastBar: undefined, status: 'running', killed: false, differences: [], log: [], pid: process.pid, file: 'x.ts', updatedAt: 1 };
  writeState(dir, st);
  assert.equal(runningOwner(dir), undefined, 'this process is not another owner');
  assert.equal(runningOwner(dir, -1), process.pid, 'a live pid with a running state owns the session');
  writeState(dir, { ...st, status: 'stopped' });
  assert.equal(runningOwner(dir, -1), undefined);
  writeState(dir, { ...st, status: 'running' });
  setTimeout(() => writeState(dir, { ...st, status: 'killed' }), 60);
  assert.equal((await waitUntilFinished(dir, 2000, 20))?.status, 'killed');
  writeState(dir, { ...st, status: 'running' });
  assert.equal(await waitUntilFinished(dir, 100, 20), undefined);
});
