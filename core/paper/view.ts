/**
 * What the VS Code paper panel and status bar show, as a pure function of a session's state (state.json or the
 * running session's snapshot) and its journal: the panel renders this model and nothing else, so everything it
 * says is checked here (test/paper/view.test.ts) rather than in the webview.
 */
import type { JournalEntry } from './journal';
import type { SessionState } from './session';

export type ModeLabel = 'PAPER' | 'LIVE';

export interface PaperView {
  sessionId: string;
  mode: ModeLabel;
  /** The strategy file (workspace-relative when known). */
  file: string;
  status: SessionState['status'];
  /** True while the session trades: the Stop buttons are offered. */
  running: boolean;
  killed: boolean;
  account: { number: string; equity: number; cash: number; buyingPower: number; todayPnl: number } | undefined;
  positions: { symbol: string; shares: number; avgPrice: number; lastPrice: number; marketValue: number; unrealizedPnl: number }[];
  openOrders: { clientOrderId: string; symbol: string; side: string; qty: number; filledQty: number; status: string }[];
  /** Newest first. */
  fills: { clientOrderId: string; symbol: string; side: string; qty: number; price: number; time: number }[];
  /** Equity per step; `pnl` is against the first point (the session's P&L). */
  equity: { time: number; equity: number; pnl: number }[];
  /** Session P&L: last equity − first equity (0 before two points exist). */
  sessionPnl: number;
  /** Guard-rail blocks from the journal, newest first. */
  blocks: { at: number; clientOrderId: string; rule: string; reason: string }[];
  /** The session's own notes (orders sent, blocks, reconnects), oldest first. */
  log: string[];
  /** What the strategy logged (`this.log`), oldest first; only the process that runs the session has it. */
  strategyLog: string[];
  differences: string[];
  lastBar: number | undefined;
  updatedAt: number | undefined;
}

const MAX_BLOCKS = 100;

export function modeLabel(mode: 'paper' | 'live'): ModeLabel {
  return mode === 'live' ? 'LIVE' : 'PAPER';
}

/** Statuses after which a session trades no more. */
export function isFinished(status: SessionState['status']): boolean {
  return status === 'stopped' || status === 'killed' || status === 'failed';
}

/**
 * The panel's model. `running` is the caller's knowledge (the session object is alive, or its pid is): a state
 * file can say 'running' after its process died, and the panel must not offer a Stop that nobody would answer.
 */
export function paperView(state: SessionState & { file?: string; updatedAt?: number }, entries: readonly JournalEntry[], running: boolean, strategyLog: readonly string[] = []): PaperView {
  const positions = state.positions.map((p) => {
    const marketValue = p.shares * p.lastPrice;
    return { symbol: p.symbol, shares: p.shares, avgPrice: p.avgPrice, lastPrice: p.lastPrice, marketValue, unrealizedPnl: marketValue - p.shares * p.avgPrice };
  });
  // Unleveraged buying power, as the session sizes orders (sizing.ts, docs/paper.md): cash − 2 × short value.
  const shortValue = positions.filter((p) => p.shares < 0).reduce((s, p) => s - p.marketValue, 0);
  const first = state.equity[0]?.equity;
  const equity = state.equity.map((e) => ({ time: e.time, equity: e.equity, pnl: e.equity - first! }));
  const blocks = entries.filter((e): e is Extract<JournalEntry, { type: 'blocked' }> => e.type === 'blocked')
    .slice(-MAX_BLOCKS).reverse().map((e) => ({ at: e.at, clientOrderId: e.clientOrderId, rule: e.rule, reason: e.reason }));
  return {
    sessionId: state.sessionId,
    mode: modeLabel(state.mode),
    file: state.file ?? '',
    status: state.status,
    running: running && !isFinished(state.status),
    killed: state.killed,
    account: state.account && { number: state.account.number, equity: state.account.equity, cash: state.account.cash, buyingPower: state.account.cash - 2 * shortValue, todayPnl: state.account.equity - state.account.lastEquity },
    positions,
    openOrders: state.openOrders.map((o) => ({ ...o })),
    fills: [...state.fills].sort((a, b) => b.time - a.time),
    equity,
    sessionPnl: equity.length >= 2 ? equity[equity.length - 1].pnl : 0,
    blocks,
    log: [...state.log],
    strategyLog: [...strategyLog],
    differences: [...state.differences],
    lastBar: state.lastBar,
    updatedAt: state.updatedAt,
  };
}

/** `+$1,234.50` / `−$12.00`: the sign always shown (P&L). */
export function signedMoney(n: number): string {
  const abs = Math.abs(n).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${n < 0 ? '−' : '+'}$${abs}`;
}

/** The status bar item's text: mode, symbols, session P&L (or what the session is doing before it has one). */
export function statusBarText(view: PaperView, symbols: readonly string[]): string {
  const what = view.status === 'running' ? signedMoney(view.sessionPnl) : view.status;
  return `$(pulse) ${view.mode} ${symbols.join(',')} ${what}`;
}

/**
 * The SVG path of the P&L chart in a `width` × `height` box (y grows down), time on x, P&L on y, with the zero
 * line's y. Pure, so the chart's shape is tested without a browser.
 */
export function pnlPath(points: readonly { time: number; pnl: number }[], width: number, height: number): { d: string; zeroY: number } {
  if (points.length === 0) return { d: '', zeroY: height / 2 };
  const t0 = points[0].time;
  const t1 = points[points.length - 1].time;
  const lo = Math.min(0, ...points.map((p) => p.pnl));
  const hi = Math.max(0, ...points.map((p) => p.pnl));
  const x = (t: number) => (t1 === t0 ? width / 2 : ((t - t0) / (t1 - t0)) * width);
  const y = (v: number) => (hi === lo ? height / 2 : height - ((v - lo) / (hi - lo)) * height);
  const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${round(x(p.time))},${round(y(p.pnl))}`).join(' ');
  return { d, zeroY: round(y(0)) };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
