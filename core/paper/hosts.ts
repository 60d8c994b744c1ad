/**
 * Which Alpaca hosts a session talks to, and the one place that refuses the wrong
 * ones: live trading only with an explicit live mode, and under
 * STRATEGY_LAB_TEST=1 (the test suites) only loopback hosts, so no test can
 * reach a real Alpaca server whatever it configures.
 */
export type TradingMode = 'paper' | 'live';

export const PAPER_TRADING_URL = 'https://paper-api.alpaca.markets';
export const LIVE_TRADING_URL = 'https://api.alpaca.markets';
export const DATA_URL = 'https://data.alpaca.markets';
export const DATA_STREAM_URL = 'wss://stream.data.alpaca.markets';

export interface AlpacaEndpoints {
  tradingUrl: string;
  dataUrl: string;
  /** The market-data stream base; the feed path (`/v2/iex`) is added. */
  streamUrl: string;
}

/** The endpoints for `mode`, each overridable (tests, proxies); a live URL is refused in paper mode and vice versa. */
export function resolveEndpoints(mode: TradingMode, overrides: Partial<AlpacaEndpoints> = {}, env: NodeJS.ProcessEnv = process.env): AlpacaEndpoints {
  const out: AlpacaEndpoints = {
    tradingUrl: trim(overrides.tradingUrl ?? (mode === 'live' ? LIVE_TRADING_URL : PAPER_TRADING_URL)),
    dataUrl: trim(overrides.dataUrl ?? DATA_URL),
    streamUrl: trim(overrides.streamUrl ?? DATA_STREAM_URL),
  };
  if (mode === 'paper' && sameHost(out.tradingUrl, LIVE_TRADING_URL)) {
    throw new RangeError(`Paper mode refuses the live trading host ${LIVE_TRADING_URL}: to trade real money use live mode (--live, with the confirmation naming the account).`);
  }
  if (mode === 'live' && sameHost(out.tradingUrl, PAPER_TRADING_URL)) {
    throw new RangeError(`Live mode was asked for but the trading URL is the paper host ${PAPER_TRADING_URL}: drop --live to paper trade.`);
  }
  if (env.STRATEGY_LAB_TEST === '1') for (const url of Object.values(out)) assertLoopback(url);
  return out;
}

/** Throws unless `url` names this machine (127.0.0.1, ::1, localhost). */
export function assertLoopback(url: string): void {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  if (!(host === '127.0.0.1' || host === '::1' || host === 'localhost')) {
    throw new RangeError(`STRATEGY_LAB_TEST=1: refusing to contact ${host}; tests may only reach loopback servers.`);
  }
}

function trim(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v2$/, '');
}

function sameHost(a: string, b: string): boolean {
  try {
    return new URL(a).host === new URL(b).host;
  } catch {
    return false;
  }
}

/**
 * Endpoint overrides from the environment (`APCA_API_BASE_URL`, `APCA_DATA_URL`, `APCA_STREAM_URL`), as the CLI
 * and the extension host both read them; empty means the mode's default. `resolveEndpoints` then checks them.
 */
export function endpointsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<AlpacaEndpoints> {
  return { tradingUrl: env.APCA_API_BASE_URL || undefined, dataUrl: env.APCA_DATA_URL || undefined, streamUrl: env.APCA_STREAM_URL || undefined };
}
