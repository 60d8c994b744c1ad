/**
 * `strategy-lab paper FILE`: paper trading in the foreground (Ctrl-C stops cleanly);
 * `paper status`, `paper stop`: the sessions of this folder (docs/paper.md).
 * Every line names the mode: [PAPER] or [LIVE].
 */
import { numberArg, parseCli } from '../args';
import { CliError, type CliIo } from '../io';
import { escapeLine } from '../terminal';
import { readStrategyFile, sandboxArg, describeMode } from '../runArgs';
import { SANDBOX_RUNNER_OPTIONS, cliSandboxRunner } from '../sandboxArgs';
import { launchSession, LiveConfirmationError } from '../../paper/launch';
import { compareParity, formatParity, recordedSeries } from '../../paper/parity';
import { readJournal } from '../../paper/journal';
import { compileStrategy } from '../../strategy/compile';
import { runStrategy } from '../../run/runStrategy';
import { defaultCacheDir } from '../../data/cache';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSessionId, listSessions, requestControl, sessionDir } from '../../paper/sessionFiles';
import { runningOwner, waitUntilFinished, watchControl } from '../../paper/control';
import { endpointsFromEnv } from '../../paper/hosts';
import type { GuardLimits } from '../../paper/guards';
import type { Timeframe } from '../../sdk/types';

const USAGE = `Usage: strategy-lab paper <strategy.ts> [--session NAME] [--flatten-on-exit]
         [--live --confirm-account NUMBER]
         [--max-order-notional USD] [--max-position USD] [--max-daily-loss USD] [--max-orders-per-minute N]
         [--warmup BARS] [--poll-seconds N] [--no-stream]
         [--sandbox docker|process|none] [--trust] [--docker-host URL] [--image NAME] [--memory-mb N]
       strategy-lab paper status [--session NAME] [--json]
       strategy-lab paper stop [--session NAME] [--flatten]
       strategy-lab paper report <strategy.ts> [--session NAME] [--sandbox docker|process|none] [--trust] [--json]
Keys: APCA_API_KEY_ID and APCA_API_SECRET_KEY (paper keys by default). Endpoints: APCA_API_BASE_URL, APCA_DATA_URL, APCA_STREAM_URL.
Fills arrive on the trade_updates stream (REST while it is down); --no-stream turns both websockets off (REST only).`;

const OPTIONS = {
  ...SANDBOX_RUNNER_OPTIONS,
  session: { type: 'string' },
  'flatten-on-exit': { type: 'boolean' },
  flatten: { type: 'boolean' },
  live: { type: 'boolean' },
  'confirm-account': { type: 'string' },
  'max-order-notional': { type: 'string' },
  'max-position': { type: 'string' },
  'max-daily-loss': { type: 'string' },
  'max-orders-per-minute': { type: 'string' },
  warmup: { type: 'string' },
  'poll-seconds': { type: 'string' },
  'no-stream': { type: 'boolean' },
  sandbox: { type: 'string' },
  trust: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseCli<typeof OPTIONS>>['values'];

export async function runPaperCommand(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Promise<number> {
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals[0] === 'status') return status(values, io, cwd);
  if (positionals[0] === 'stop') return stop(values, io, cwd);
  if (positionals[0] === 'report') return report(positionals.slice(1), values, io, cwd);
  return run(positionals, values, io, env, cwd);
}

function tag(mode: 'paper' | 'live'): string {
  return mode === 'live' ? '[LIVE]' : '[PAPER]';
}

async function run(positionals: string[], values: Values, io: CliIo, env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const { file, source, info } = await readStrategyFile(positionals, USAGE);
  const symbols = info.config?.symbols;
  const timeframe = info.config?.timeframe as Timeframe | undefined;
  if (!symbols?.length || !timeframe) throw new CliError(`${file}: no readable static config (${info.problem ?? 'symbols and timeframe as literals'}): paper trading needs the strategy's symbols and timeframe.`);
  const mode = values.live ? 'live' : 'paper';
  const keyId = env.APCA_API_KEY_ID?.trim();
  const secretKey = env.APCA_API_SECRET_KEY?.trim();
  if (!keyId || !secretKey) throw new CliError('Paper trading needs Alpaca keys: set APCA_API_KEY_ID and APCA_API_SECRET_KEY (a free paper account has them; in VS Code use "Strategy Lab: Set Alpaca Keys").');
  const sandbox = sandboxArg(values, io, 'file');
  const limits: Partial<GuardLimits> = {};
  const positive = (name: string, raw: string | undefined): number | undefined => {
    const n = numberArg(name, raw);
    if (n !== undefined && !(n > 0)) throw new CliError(`--${name} must be > 0, got '${raw}'.`, 2);
    return n;
  };
  const set = <K extends keyof GuardLimits>(k: K, v: GuardLimits[K] | undefined) => { if (v !== undefined) limits[k] = v; };
  set('maxOrderNotional', positive('max-order-notional', values['max-order-notional']));
  set('maxPositionNotional', positive('max-position', values['max-position']));
  set('maxDailyLoss', positive('max-daily-loss', values['max-daily-loss']));
  set('maxOrdersPerMinute', positive('max-orders-per-minute', values['max-orders-per-minute']));
  const warmup = numberArg('warmup', values.warmup);
  if (warmup !== undefined && !(Number.isInteger(warmup) && warmup >= 0)) throw new CliError(`--warmup must be a whole number of bars, got '${values.warmup}'.`, 2);
  const pollSeconds = positive('poll-seconds', values['poll-seconds']);
  const sessionId = values.session ?? defaultSessionId(file, mode);
  const dir = sessionDir(cwd, sessionId);
  const owner = runningOwner(dir);
  if (owner !== undefined) {
    throw new CliError(`Session '${sessionId}' is already running (pid ${owner}). Stop it with \`strategy-lab paper stop --session ${sessionId}\`.`);
  }
  const t = tag(mode);
  const print = (line: string) => io.stderr(`${t} ${escapeLine(line)}\n`);
  const runner = cliSandboxRunner(sandbox, values, io, false);
  let launched;
  try {
    launched = await launchSession({
      file, source, symbols, timeframe, workspace: cwd, sessionId, mode, confirmAccount: values['confirm-account'],
      keys: { keyId, secretKey }, endpoints: endpointsFromEnv(env),
      limits, sandbox, runner, warmupBars: warmup, pollMs: pollSeconds === undefined ? undefined : pollSeconds * 1000, stream: !values['no-stream'],
      onLog: print, onStrategyLog: (l) => print(`[strategy${l.time === null ? '' : ` ${new Date(l.time).toISOString().slice(0, 16)}`}] ${l.message}`),
    });
  } catch (err) {
    await runner.dispose();
    if (err instanceof LiveConfirmationError || err instanceof RangeError) throw new CliError(err.message, 2);
    throw err;
  }
  const { session, account, host } = launched;
  print(`${mode === 'live' ? 'LIVE TRADING (real money)' : 'paper trading'} ${info.className ?? 'strategy'} on account ${account}, session ${sessionId}, strategy in ${describeMode(sandbox)} — Ctrl-C stops${values['flatten-on-exit'] ? ' and flattens' : ''}`);
  const since = Date.now();
  const stopWatching = watchControl(dir, since, (c) => {
    print(`stop requested from outside (${c.flatten ? 'cancel orders, flatten' : 'cancel orders'})`);
    void session.kill('paper stop', c.flatten);
  });
  const onAbort = () => {
    print(values['flatten-on-exit'] ? 'stopping: cancelling open orders and flattening…' : 'stopping…');
    void (values['flatten-on-exit'] ? session.kill('Ctrl-C with --flatten-on-exit', true) : session.stop('Ctrl-C'));
  };
  io.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const { differences } = await session.start();
    if (differences.length) print(`the journal and the account differ in ${differences.length} way(s); see above. Trading continues; check them.`);
    print(`live: following ${symbols.join(', ')} ${timeframe} bars (strategy in ${host.label})`);
    await session.done;
    print(`session ${sessionId} ended (${session.snapshot().status}); journal: ${dir}/journal.jsonl`);
    return 0;
  } catch (err) {
    print(`session ended with an error: ${(err as Error).message}`);
    return 1;
  } finally {
    stopWatching();
    io.signal?.removeEventListener('abort', onAbort);
    await session.stop('exit').catch(() => {});
    await runner.dispose();
  }
}

function pickSession(values: Values, cwd: string) {
  const sessions = listSessions(cwd);
  if (values.session) {
    const s = sessions.find((x) => x.id === values.session);
    if (!s) throw new CliError(`No paper session '${values.session}' in ${cwd}/.strategy-lab/paper.`);
    return [s];
  }
  return sessions;
}

function status(values: Values, io: CliIo, cwd: string): number {
  const sessions = pickSession(values, cwd);
  if (values.json) {
    io.stdout(`${JSON.stringify(sessions.map((s) => ({ id: s.id, running: s.running, state: s.state })), null, 2)}\n`);
    return 0;
  }
  if (sessions.length === 0) {
    io.stdout('No paper sessions in this folder. Start one with `strategy-lab paper <strategy.ts>`.\n');
    return 0;
  }
  for (const s of sessions) {
    const st = s.state;
    if (!st) {
      io.stdout(`${s.id}: no state yet\n`);
      continue;
    }
    io.stdout(`${tag(st.mode)} ${s.id}: ${s.running ? `running (pid ${st.pid})` : st.status}${st.killed ? ', kill switch pulled' : ''}, ${escapeLine(st.file)}\n`);
    if (st.account) io.stdout(`  account ${st.account.number}: equity ${st.account.equity.toFixed(2)}, cash ${st.account.cash.toFixed(2)}, today ${(st.account.equity - st.account.lastEquity).toFixed(2)}\n`);
    if (s.running && st.fillSource) io.stdout(`  fills from ${st.fillSource === 'stream' ? 'the trade_updates stream' : 'REST at every step (the trade_updates stream is down or off)'}\n`);
    for (const p of st.positions) io.stdout(`  position ${p.symbol} ${p.shares} @ ${p.avgPrice.toFixed(2)}\n`);
    for (const o of st.openOrders) io.stdout(`  open ${o.side} ${o.qty} ${o.symbol} (${o.filledQty} filled) ${o.status} ${o.clientOrderId}${o.exit ? ` — ${o.exit} of ${o.parent}` : ''}\n`);
    if (st.lastBar !== undefined) io.stdout(`  last bar ${new Date(st.lastBar).toISOString()}\n`);
    for (const d of st.differences) io.stdout(`  differs: ${escapeLine(d)}\n`);
  }
  return 0;
}

async function stop(values: Values, io: CliIo, cwd: string): Promise<number> {
  const running = pickSession(values, cwd).filter((s) => s.running);
  if (running.length === 0) {
    io.stdout('No paper session is running here.\n');
    return 0;
  }
  if (running.length > 1 && !values.session) throw new CliError(`Several sessions are running (${running.map((s) => s.id).join(', ')}): name one with --session.`, 2);
  const s = running[0];
  requestControl(s.dir, { action: 'kill', flatten: values.flatten === true });
  io.stderr(`${tag(s.state!.mode)} asked session ${s.id} (pid ${s.state!.pid}) to stop${values.flatten ? ' and flatten' : ''}…\n`);
  const st = await waitUntilFinished(s.dir);
  if (st) {
    io.stdout(`${tag(st.mode)} session ${s.id} ${st.status}; open orders cancelled${values.flatten ? ', positions flattened' : ''}.\n`);
    return 0;
  }
  io.stderr(`Session ${s.id} did not confirm within 15 s; check \`strategy-lab paper status\`.\n`);
  return 1;
}

/** The session report: its recorded bars replayed through the backtest (in the sandbox), signals and fills compared. */
async function report(positionals: string[], values: Values, io: CliIo, cwd: string): Promise<number> {
  const { file, source, info } = await readStrategyFile(positionals, USAGE);
  const sessionId = values.session ?? defaultSessionId(file, values.live ? 'live' : 'paper');
  const journalPath = join(sessionDir(cwd, sessionId), 'journal.jsonl');
  if (!existsSync(journalPath)) throw new CliError(`No journal for session '${sessionId}' (${journalPath}). Name the session with --session.`);
  const entries = readJournal(journalPath);
  const symbols = info.config?.symbols ?? [];
  const series = recordedSeries(entries, symbols);
  if (series.every((s) => s.length === 0)) throw new CliError(`Session '${sessionId}' recorded no bars yet.`);
  const sandbox = sandboxArg(values, io, 'file');
  const runner = cliSandboxRunner(sandbox, values, io, values.json);
  try {
    const compiled = await compileStrategy(source, file, { cacheDir: defaultCacheDir() });
    const result = await runStrategy({ compiled, series: series.filter((s) => s.length > 0), options: { fill: 'next-open' }, mode: sandbox, runner, signal: io.signal });
    const parity = compareParity(entries, result);
    if (values.json) io.stdout(`${JSON.stringify(parity, null, 2)}\n`);
    else io.stdout(formatParity(parity));
    return parity.sameSignals ? 0 : 1;
  } finally {
    await runner.dispose();
  }
}
