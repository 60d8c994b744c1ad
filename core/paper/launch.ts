/**
 * Builds a paper session from a strategy file and settings: the one place the CLI and
 * VS Code share. Keys go only to the Alpaca clients on the host; the strategy gets
 * neither keys nor sockets (docs/paper.md). Live trading needs `mode: 'live'` AND the
 * account number typed back (`confirmAccount`), checked against the account the keys open.
 */
import { join } from 'node:path';
import { AlpacaProvider } from '../data/alpaca';
import type { LogLine } from '../engine/types';
import type { SandboxRunner } from '../sandbox/runner';
import { compileStrategy } from '../strategy/compile';
import { loadStrategy } from '../strategy/load';
import type { Timeframe } from '../sdk/types';
import { AlpacaTradingApi, type TradingApi } from './alpaca';
import { checkLimits, DEFAULT_LIMITS, type GuardLimits } from './guards';
import { resolveEndpoints, type AlpacaEndpoints, type TradingMode } from './hosts';
import { Journal } from './journal';
import { SandboxStrategyHost } from './sandboxSession';
import { PaperSession, type SessionState } from './session';
import { tradeStreamUrl } from './tradeStream';
import { InProcessStrategyHost, type StrategyHost } from './strategyHost';
import { sessionDir, writeState } from './sessionFiles';

export interface LaunchOptions {
  file: string;
  source: string;
  symbols: string[];
  timeframe: Timeframe;
  workspace: string;
  sessionId: string;
  mode: TradingMode;
  /** Live only: the account number, typed by the user, that must match the keys' account. */
  confirmAccount?: string;
  keys: { keyId: string; secretKey: string };
  endpoints?: Partial<AlpacaEndpoints>;
  limits?: Partial<GuardLimits>;
  /** 'none' runs the strategy in this process (the caller checked --trust). */
  sandbox: 'docker' | 'process' | 'none';
  runner?: SandboxRunner;
  cacheDir?: string;
  warmupBars?: number;
  pollMs?: number;
  /** Use the websockets: market data and trade_updates (default true; false polls REST only). */
  stream?: boolean;
  onLog: (line: string) => void;
  onStrategyLog: (line: LogLine) => void;
  onState?: (state: SessionState) => void;
  api?: TradingApi;
}

export class LiveConfirmationError extends Error {
  /** @param account the account number the keys open (what the user must confirm) */
  constructor(message: string, readonly account?: string) {
    super(message);
    this.name = 'LiveConfirmationError';
  }
}

export async function launchSession(o: LaunchOptions): Promise<{ session: PaperSession; dir: string; account: string; host: StrategyHost }> {
  const endpoints = resolveEndpoints(o.mode, o.endpoints);
  const limits: GuardLimits = { ...DEFAULT_LIMITS, allowedSymbols: o.symbols, ...o.limits };
  checkLimits(limits);
  const api = o.api ?? new AlpacaTradingApi({ keyId: o.keys.keyId, secretKey: o.keys.secretKey, endpoints });
  const account = await api.account();
  if (o.mode === 'live') {
    if (!o.confirmAccount) throw new LiveConfirmationError(`Live trading with real money on account ${account.accountNumber}: confirm by repeating the account number (--confirm-account ${account.accountNumber}).`, account.accountNumber);
    if (o.confirmAccount.trim() !== account.accountNumber) throw new LiveConfirmationError(`The confirmation '${o.confirmAccount}' does not match the account these keys open (${account.accountNumber}); nothing was started.`, account.accountNumber);
  }
  const compiled = await compileStrategy(o.source, o.file, o.cacheDir ? { cacheDir: o.cacheDir } : {});
  const host: StrategyHost = o.sandbox === 'none'
    ? new InProcessStrategyHost(() => loadStrategy(compiled.js, o.file), o.onStrategyLog)
    : new SandboxStrategyHost(o.runner!, { js: compiled.js, fileName: o.file }, o.onStrategyLog);
  const dir = sessionDir(o.workspace, o.sessionId);
  const provider = new AlpacaProvider({ keyId: o.keys.keyId, secretKey: o.keys.secretKey, dataUrl: endpoints.dataUrl, tradingUrl: endpoints.tradingUrl, env: {} });
  const journal = Journal.open(join(dir, 'journal.jsonl'));
  const session = new PaperSession({
    sessionId: o.sessionId, file: o.file, mode: o.mode, symbols: o.symbols, timeframe: o.timeframe, api, strategy: host, journal, limits, provider,
    warmupBars: o.warmupBars,
    ...(o.stream === false ? {} : { tradeStream: { url: tradeStreamUrl(endpoints.tradingUrl), keyId: o.keys.keyId, secretKey: o.keys.secretKey } }),
    feed: { pollMs: o.pollMs, ...(o.stream === false ? {} : { stream: { url: `${endpoints.streamUrl}/v2/iex`, keyId: o.keys.keyId, secretKey: o.keys.secretKey } }) },
    onLog: o.onLog,
    onState: (state) => {
      writeState(dir, { ...state, pid: process.pid, file: o.file, updatedAt: Date.now() });
      o.onState?.(state);
    },
  });
  return { session, dir, account: account.accountNumber, host };
}
