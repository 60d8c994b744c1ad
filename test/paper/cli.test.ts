import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths';
import { assertJournalAgrees, exampleFile, loadSpy, startFake, tempDir } from './helpers';
import { readFileSync } from 'node:fs';
import { sharedData } from '../helpers/paths';
import { nyClose } from './fakeAlpaca';
import type { FakeAlpaca } from './fakeAlpaca';
import { readJournal } from '../../core/paper/journal';

const cli = join(repoRoot, 'dist', 'cli.js');

function envFor(fake: FakeAlpaca): NodeJS.ProcessEnv {
  return { ...process.env, STRATEGY_LAB_TEST: '1', APCA_API_KEY_ID: fake.keyId, APCA_API_SECRET_KEY: fake.secretKey, APCA_API_BASE_URL: fake.url, APCA_DATA_URL: fake.url, APCA_STREAM_URL: `ws://127.0.0.1:${fake.port}` };
}

function waitFor(child: ChildProcess, output: { text: string }, pattern: RegExp, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; output:\n${output.text}`)), ms);
    const check = () => {
      if (pattern.test(output.text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', check);
    child.stdout!.on('data', check);
    child.once('exit', () => { clearTimeout(timer); pattern.test(output.text) ? resolve() : reject(new Error(`exited before ${pattern}:\n${output.text}`)); });
    check();
  });
}

/** The CLI as a child, asynchronously: the fake Alpaca lives in this process and must keep answering. */
function runCli(cwd: string, env: NodeJS.ProcessEnv, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

function start(fake: FakeAlpaca, cwd: string, args: string[]): { child: ChildProcess; output: { text: string }; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [cli, 'paper', 'sma.strategy.ts', '--sandbox', 'none', '--trust', '--poll-seconds', '0.1', '--no-stream', '--max-order-notional', '200000', '--max-position', '200000', ...args], { cwd, env: envFor(fake) });
  const output = { text: '' };
  child.stdout!.on('data', (c) => (output.text += c));
  child.stderr!.on('data', (c) => (output.text += c));
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output, exit };
}

test('CLI: paper FILE runs in the foreground with [PAPER] on every line; status shows it; stop cancels its orders and ends it', async () => {
  const fake = await startFake();
  const cwd = tempDir();
  copyFileSync(exampleFile('sma-crossover.strategy.ts'), join(cwd, 'sma.strategy.ts'));
  try {
    loadSpy(fake, '2015-12-16');
    const run = start(fake, cwd, []);
    await waitFor(run.child, run.output, /live: following SPY 1d bars/);
    fake.setNow(nyClose(Date.parse('2015-12-17T00:00:00Z')) + 60_000);
    await waitFor(run.child, run.output, /order #\d+ buy \d+ SPY market sent/);
    const status = await runCli(cwd, envFor(fake), ['paper', 'status']);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /\[PAPER\] sma-paper: running \(pid \d+\)/);
    assert.match(status.stdout, /open buy \d+ SPY/);
    const stop = await runCli(cwd, envFor(fake), ['paper', 'stop']);
    assert.equal(stop.status, 0, stop.stderr + stop.stdout);
    assert.match(stop.stdout, /session sma-paper killed/);
    assert.equal(await run.exit, 0, run.output.text);
    for (const line of run.output.text.trim().split('\n')) assert.match(line, /^(\[PAPER\]|warning: --sandbox none)/, `every line names the mode: ${line}`);
    assert.equal(fake.orders.length, 1);
    assert.equal(fake.orders[0].status, 'canceled');
    const entries = readJournal(join(cwd, '.strategy-lab', 'paper', 'sma-paper', 'journal.jsonl'));
    assert.ok(entries.some((e) => e.type === 'kill'));
    const report = await runCli(cwd, envFor(fake), ['paper', 'report', 'sma.strategy.ts', '--sandbox', 'none', '--trust']);
    assert.equal(report.status, 0, report.stderr);
    assert.match(report.stdout, /the backtest of the recorded bars makes the same 1 signal/);
    assert.match(report.stdout, /2015-12-17 buy SPY: 0\/\d+ filled — not filled/);
    // Ctrl-C on a resumed session stops cleanly: exit 0, the journal ends with a stop line.
    const again = start(fake, cwd, []);
    await waitFor(again.child, again.output, /live: following/);
    assert.match(again.output.text, /resuming session sma-paper/);
    again.child.kill('SIGINT');
    assert.equal(await again.exit, 0, again.output.text);
    const last = readJournal(join(cwd, '.strategy-lab', 'paper', 'sma-paper', 'journal.jsonl')).at(-1)!;
    assert.equal(last.type, 'stop');
    assert.equal(fake.orders.length, 1, 'nothing was sent again on resume');
  } finally {
    await fake.close();
  }
});

test('CLI: live trading needs --live and the account number typed back; a wrong one starts nothing', async () => {
  const fake = await startFake();
  const cwd = tempDir();
  copyFileSync(exampleFile('sma-crossover.strategy.ts'), join(cwd, 'sma.strategy.ts'));
  try {
    loadSpy(fake, '2015-12-16');
    const run = (args: string[]) => runCli(cwd, envFor(fake), ['paper', 'sma.strategy.ts', '--sandbox', 'none', '--trust', '--no-stream', ...args]);
    const missing = await run(['--live']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /real money on account PA0000FAKE: confirm by repeating the account number \(--confirm-account PA0000FAKE\)/);
    const wrong = await run(['--live', '--confirm-account', 'PA1111']);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /does not match the account these keys open \(PA0000FAKE\)/);
    assert.equal(fake.requests.filter((r) => r.startsWith('POST')).length, 0);
    const noKeys = await runCli(cwd, { ...envFor(fake), APCA_API_KEY_ID: '' }, ['paper', 'sma.strategy.ts', '--sandbox', 'none', '--trust']);
    assert.equal(noKeys.status, 1);
    assert.match(noKeys.stderr, /needs Alpaca keys/);
    const untrusted = await runCli(cwd, envFor(fake), ['paper', 'sma.strategy.ts', '--sandbox', 'none']);
    assert.equal(untrusted.status, 2);
    assert.match(untrusted.stderr, /--trust/);
    const testHost = await runCli(cwd, { ...envFor(fake), APCA_DATA_URL: '' }, ['paper', 'sma.strategy.ts', '--sandbox', 'none', '--trust']);
    assert.equal(testHost.status, 2, testHost.stderr);
    assert.match(testHost.stderr, /refusing to contact data\.alpaca\.markets/);
  } finally {
    await fake.close();
  }
});

test('CLI: the breakout example with a stop-loss and a take-profit paper-trades over both streams: bracket orders, fills from trade_updates, stop cancels the legs, the journal agrees', async () => {
  const fake = await startFake();
  const cwd = tempDir();
  copyFileSync(exampleFile('breakout-with-stop.strategy.ts'), join(cwd, 'breakout.strategy.ts'));
  let child: ChildProcess | undefined;
  try {
    const spy = loadSpy(fake, '2016-03-10');
    // The example trades SPY and QQQ; the shared data has no QQQ, so AAPL's real history stands in for it.
    const aapl = readFileSync(sharedData('AAPL_daily_1998_2021_lean.csv'), 'utf8').trim().split('\n').slice(1).map((l) => {
      const [day, o, h, lo, c, v] = l.split(',');
      return { t: Date.parse(`${day}T00:00:00Z`), o: +o, h: +h, l: +lo, c: +c, v: +v };
    });
    fake.bars.set('QQQ', aapl);
    child = spawn(process.execPath, [cli, 'paper', 'breakout.strategy.ts', '--sandbox', 'none', '--trust', '--poll-seconds', '0.1', '--max-order-notional', '200000', '--max-position', '200000'], { cwd, env: envFor(fake) });
    const output = { text: '' };
    child.stdout!.on('data', (c) => (output.text += c));
    child.stderr!.on('data', (c) => (output.text += c));
    const exit = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
    await waitFor(child, output, /live: following SPY, QQQ 1d bars/);
    await waitFor(child, output, /trade_updates stream connected/);
    // 03-11: SPY closes above its 20-day high.
    fake.setNow(nyClose(Date.parse('2016-03-11T00:00:00Z')) + 60_000);
    await waitFor(child, output, /order #\d+ buy \d+ SPY market \(bracket\) sent/);
    const post = fake.posts.find((p) => p.symbol === 'SPY')!;
    const close = spy.find((b) => b.t === Date.parse('2016-03-11T00:00:00Z'))!.c;
    assert.deepEqual([post.order_class, post.time_in_force, post.stop_loss, post.take_profit], ['bracket', 'gtc', { stop_price: String(Math.round(close * 0.98 * 100) / 100) }, { limit_price: String(Math.round(close * 1.06 * 100) / 100) }]);
    // 03-14 open: the entries fill; the CLI hears it on trade_updates (no bar step happens until the close).
    fake.setNow(Date.parse('2016-03-14T13:30:01Z'));
    for (const [symbol, bars] of [['SPY', spy], ['QQQ', aapl]] as const) fake.tradeBar(symbol, bars.find((b) => b.t === Date.parse('2016-03-14T00:00:00Z'))!);
    await waitFor(child, output, /fill: buy \d+ SPY @ 202\.2000/);
    const legs = fake.orders.filter((o) => o.parent_id);
    assert.ok(legs.length >= 2 && legs.every((l) => l.status === 'new'), 'the legs work once the entry filled');
    const status = await runCli(cwd, envFor(fake), ['paper', 'status']);
    assert.match(status.stdout, /fills from the trade_updates stream/);
    assert.match(status.stdout, /open sell \d+ SPY \(0 filled\) new [\w-]+ — stop-loss of sl-breakout-paper-/);
    assert.match(status.stdout, /open sell \d+ SPY \(0 filled\) new [\w-]+ — take-profit of sl-breakout-paper-/);
    const stop = await runCli(cwd, envFor(fake), ['paper', 'stop']);
    assert.equal(stop.status, 0, stop.stderr + stop.stdout);
    assert.equal(await exit, 0, output.text);
    assert.ok(legs.every((l) => l.status === 'canceled'), 'the kill switch cancelled every leg');
    assert.ok(fake.positions.get('SPY')!.qty > 0, 'the position stays (no --flatten)');
    assert.match(output.text, /\[PAPER\] .*positions stay open WITHOUT their protective exits/);
    await assertJournalAgrees(fake, join(cwd, '.strategy-lab', 'paper', 'breakout-paper', 'journal.jsonl'), ['SPY', 'QQQ'], 'breakout-paper');
  } finally {
    child?.kill();
    await fake.close();
  }
});
