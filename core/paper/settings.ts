/**
 * VS Code's `strategyLab.paper.*` settings mapped onto the options the CLI takes (`--max-order-notional` …,
 * `--live`): one table, checked here with errors that name the setting, so the extension never passes a value
 * the CLI would refuse. Pure (no vscode import): the extension hands in what `getConfiguration` returned.
 */
import type { GuardLimits } from './guards';
import type { TradingMode } from './hosts';

/** Setting key (under `strategyLab.paper.`) → the guard limit it sets and the CLI flag that sets the same. */
export const LIMIT_SETTINGS = {
  maxOrderNotional: { limit: 'maxOrderNotional', flag: '--max-order-notional' },
  maxPosition: { limit: 'maxPositionNotional', flag: '--max-position' },
  maxDailyLoss: { limit: 'maxDailyLoss', flag: '--max-daily-loss' },
  maxOrdersPerMinute: { limit: 'maxOrdersPerMinute', flag: '--max-orders-per-minute' },
} as const satisfies Record<string, { limit: keyof Omit<GuardLimits, 'allowedSymbols'>; flag: string }>;

export type LimitSettingKey = keyof typeof LIMIT_SETTINGS;

/**
 * The guard limits the settings set. An unset (undefined/null) setting leaves the session's default; anything
 * else must be a positive finite number (orders per minute: a whole number), or this throws a RangeError naming
 * every bad setting.
 */
export function guardLimitsFromSettings(raw: Partial<Record<LimitSettingKey, unknown>>): Partial<GuardLimits> {
  const out: Partial<GuardLimits> = {};
  const problems: string[] = [];
  for (const [key, { limit }] of Object.entries(LIMIT_SETTINGS) as [LimitSettingKey, (typeof LIMIT_SETTINGS)[LimitSettingKey]][]) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    const whole = key === 'maxOrdersPerMinute';
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (whole && !Number.isInteger(v))) {
      problems.push(`strategyLab.paper.${key} must be a positive ${whole ? 'whole number' : 'number of dollars'}, got ${JSON.stringify(v)}`);
      continue;
    }
    out[limit] = v;
  }
  if (problems.length) throw new RangeError(`${problems.join('; ')}. Fix it in Settings › Strategy Lab › Paper (or remove it for the default).`);
  return out;
}

/**
 * Which mode a start may use. Paper unless live was asked for; live only when `strategyLab.paper.allowLive`
 * is on (the account confirmation comes after, from launchSession's `confirmAccount` check).
 */
export function tradingModeFor(requestLive: boolean, allowLive: unknown): { mode: TradingMode } | { refused: string } {
  if (!requestLive) return { mode: 'paper' };
  if (allowLive !== true) return { refused: 'Live trading is off: turn on the setting strategyLab.paper.allowLive first (you will still be asked to confirm the account number). Paper trading needs neither.' };
  return { mode: 'live' };
}

/** The modal's text before a live session: it names the account the keys open. */
export function liveConfirmationMessage(account: string, strategy: string): string {
  return `LIVE TRADING with real money: ${strategy} will send orders to Alpaca account ${account}. Type the account number to confirm.`;
}

/** The feed settings the CLI takes as `--poll-seconds` and `--warmup`; unset leaves the session's defaults. */
export function feedOptionsFromSettings(raw: { pollSeconds?: unknown; warmupBars?: unknown }): { pollMs?: number; warmupBars?: number } {
  const out: { pollMs?: number; warmupBars?: number } = {};
  const problems: string[] = [];
  if (raw.pollSeconds !== undefined && raw.pollSeconds !== null) {
    if (typeof raw.pollSeconds === 'number' && Number.isFinite(raw.pollSeconds) && raw.pollSeconds > 0) out.pollMs = raw.pollSeconds * 1000;
    else problems.push(`strategyLab.paper.pollSeconds must be a positive number of seconds, got ${JSON.stringify(raw.pollSeconds)}`);
  }
  if (raw.warmupBars !== undefined && raw.warmupBars !== null) {
    if (typeof raw.warmupBars === 'number' && Number.isInteger(raw.warmupBars) && raw.warmupBars >= 0) out.warmupBars = raw.warmupBars;
    else problems.push(`strategyLab.paper.warmupBars must be a whole number of bars (0 or more), got ${JSON.stringify(raw.warmupBars)}`);
  }
  if (problems.length) throw new RangeError(`${problems.join('; ')}. Fix it in Settings › Strategy Lab › Paper.`);
  return out;
}
