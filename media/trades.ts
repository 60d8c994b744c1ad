/** The sortable trades table; clicking a row (or Enter on it) jumps the charts to that trade. */
import { lastBarOf } from '../core/engine/equityCurve';
import type { Trade } from '../core/engine/types';
import type { RunRecord } from '../core/history/types';
import { barsHeld, cumulativePnl, tradeExcursion, type TradeExcursion } from '../core/metrics/performance';
import { formatNumber, formatPercent, formatSigned, pricePrecision } from '../core/report/format';
import { h, section } from './dom';

export interface TradeSort {
  column: ColumnId;
  descending: boolean;
}

type ColumnId = 'n' | 'symbol' | 'side' | 'entryTime' | 'entryPrice' | 'exitTime' | 'exitPrice' | 'size' | 'pnl' | 'returnPct' | 'cumPnl' | 'runUp' | 'drawdown' | 'bars' | 'exitReason';

interface Column {
  id: ColumnId;
  label: string;
  numeric: boolean;
  value: (t: Trade, n: number) => number | string | null;
  show: (t: Trade, n: number) => string;
}

/** Per-trade figures beside the engine's (core/metrics/performance.ts), by trade number − 1. */
export interface TradeExtras {
  cumPnl: number[];
  excursions: (TradeExcursion | null)[];
  bars: number[];
  /** Decimals of each symbol's prices (a 0.28 price shows 4). */
  precision: Map<string, number>;
}

export function tradeExtras(run: RunRecord): TradeExtras {
  const trades = run.result.trades;
  const lastBar = lastBarOf(run.result);
  const bySymbol = new Map(run.chart.candles.map((c) => [c.symbol, c]));
  return {
    cumPnl: cumulativePnl(trades),
    excursions: trades.map((t) => { const c = bySymbol.get(t.symbol); return c ? tradeExcursion(t, c) : null; }),
    bars: trades.map((t) => barsHeld(t, lastBar)),
    precision: new Map(run.chart.candles.map((c) => [c.symbol, pricePrecision(c.close)])),
  };
}

const money = (v: number) => formatSigned(v, 2);
/** "+3,301.26 (+33.05 %)", breaking only before the parenthesis in a narrow card. */
const withPct = (cash: number, pct: number) => `${money(cash)} (${formatPercent(pct, true).replace(' ', '\u00a0')})`;

function columns(x: TradeExtras): Column[] {
  const price = (t: Trade, v: number | null) => (v === null ? '—' : formatNumber(v, x.precision.get(t.symbol) ?? 2));
  const exc = (n: number) => x.excursions[n - 1];
  return [
    { id: 'n', label: '#', numeric: true, value: (_t, n) => n, show: (_t, n) => String(n) },
    { id: 'symbol', label: 'Symbol', numeric: false, value: (t) => t.symbol, show: (t) => t.symbol },
    { id: 'side', label: 'Side', numeric: false, value: (t) => t.side, show: (t) => t.side },
    { id: 'entryTime', label: 'Entry', numeric: false, value: (t) => t.entryTime, show: (t) => t.entryTime },
    { id: 'entryPrice', label: 'Entry price', numeric: true, value: (t) => t.entryPrice, show: (t) => price(t, t.entryPrice) },
    { id: 'exitTime', label: 'Exit', numeric: false, value: (t) => t.exitTime, show: (t) => t.exitTime ?? 'open' },
    { id: 'exitPrice', label: 'Exit price', numeric: true, value: (t) => t.exitPrice, show: (t) => price(t, t.exitPrice) },
    { id: 'size', label: 'Size', numeric: true, value: (t) => t.size, show: (t) => formatNumber(t.size, Number.isInteger(t.size) ? 0 : 4) },
    { id: 'pnl', label: 'P&L', numeric: true, value: (t) => t.pnl, show: (t) => money(t.pnl) },
    { id: 'returnPct', label: 'Return', numeric: true, value: (t) => t.returnPct, show: (t) => formatPercent(t.returnPct, true) },
    { id: 'cumPnl', label: 'Cum. P&L', numeric: true, value: (_t, n) => x.cumPnl[n - 1], show: (_t, n) => money(x.cumPnl[n - 1]) },
    { id: 'runUp', label: 'Run-up', numeric: true, value: (_t, n) => exc(n)?.runUp ?? null, show: (_t, n) => { const e = exc(n); return e ? withPct(e.runUp, e.runUpPct) : '—'; } },
    { id: 'drawdown', label: 'Drawdown', numeric: true, value: (_t, n) => exc(n)?.drawdown ?? null, show: (_t, n) => { const e = exc(n); return e ? withPct(e.drawdown, e.drawdownPct) : '—'; } },
    { id: 'bars', label: 'Bars', numeric: true, value: (_t, n) => x.bars[n - 1], show: (_t, n) => formatNumber(x.bars[n - 1], 0) },
    { id: 'exitReason', label: 'Exit reason', numeric: false, value: (t) => t.exitReason ?? (t.open ? 'open' : ''), show: (t) => t.exitReason ?? (t.open ? 'still open' : '') },
  ];
}

const EMPTY_EXTRAS: TradeExtras = { cumPnl: [], excursions: [], bars: [], precision: new Map() };

/** Rendering thousands of rows makes the panel sluggish; the CSV export has them all. */
export const MAX_TRADE_ROWS = 1000;

function compare(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1; // missing values last in both directions
  if (b === null) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

export function sortTrades(trades: Trade[], sort: TradeSort, extras: TradeExtras = EMPTY_EXTRAS): { trade: Trade; n: number }[] {
  const all = columns(extras);
  const col = all.find((c) => c.id === sort.column) ?? all[0];
  const rows = trades.map((trade, i) => ({ trade, n: i + 1 }));
  rows.sort((x, y) => {
    const vx = col.value(x.trade, x.n);
    const vy = col.value(y.trade, y.n);
    if (vx === null || vy === null) return compare(vx, vy);
    const c = compare(vx, vy);
    return (sort.descending ? -c : c) || x.n - y.n;
  });
  return rows;
}

/** @param reasons why each trade happened (trade number → sentence), from the evaluation, when there is one */
export function renderTrades(trades: Trade[], sort: TradeSort, onSort: (sort: TradeSort) => void, onJump: (trade: Trade, n: number) => void, reasons: ReadonlyMap<number, string> = new Map(), extras: TradeExtras = EMPTY_EXTRAS): HTMLElement {
  if (trades.length === 0) {
    return section('trades', 'Trades', h('p', { class: 'muted', text: 'No trades: the strategy never entered a position in this date range.' }));
  }
  const why = reasons.size > 0;
  const shown = columns(extras).filter((c) => extras.cumPnl.length || !['cumPnl', 'runUp', 'drawdown', 'bars'].includes(c.id));
  const head = h('tr', {}, ...shown.map((col) => {
    const active = sort.column === col.id;
    const next: TradeSort = { column: col.id, descending: active ? !sort.descending : col.numeric };
    return h('th', { class: col.numeric ? 'num' : '', attrs: { scope: 'col', 'aria-sort': active ? (sort.descending ? 'descending' : 'ascending') : 'none' } },
      h('button', { class: 'sort', text: `${col.label}${active ? (sort.descending ? ' ▼' : ' ▲') : ''}`, attrs: { 'data-column': col.id, type: 'button' }, on: { click: () => onSort(next) } }));
  }), why ? h('th', { text: 'Why', attrs: { scope: 'col' } }) : null);
  const sorted = sortTrades(trades, sort, extras);
  const body = h('tbody');
  for (const { trade, n } of sorted.slice(0, MAX_TRADE_ROWS)) {
    const row = h('tr', {
      class: `trade ${trade.pnl >= 0 ? 'win' : 'loss'}`,
      attrs: { tabindex: '0', 'data-n': String(n), 'aria-label': `Trade ${n}: ${trade.side} ${trade.symbol} from ${trade.entryTime}; press Enter to show it on the chart` },
      on: {
        click: () => onJump(trade, n),
        keydown: (e) => {
          if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onJump(trade, n); }
          else if (e.key === 'ArrowDown') { e.preventDefault(); (row.nextElementSibling as HTMLElement | null)?.focus(); }
          else if (e.key === 'ArrowUp') { e.preventDefault(); (row.previousElementSibling as HTMLElement | null)?.focus(); }
        },
      },
    }, ...shown.map((col) => h('td', { class: `${col.numeric ? 'num' : ''} col-${col.id}`, text: col.show(trade, n), attrs: { 'data-label': col.label } })),
    why ? h('td', { class: 'why', text: reasons.get(n) ?? '', attrs: { 'data-label': 'Why' } }) : null);
    body.append(row);
  }
  const note = trades.length > MAX_TRADE_ROWS
    ? h('p', { class: 'muted', text: `Showing ${MAX_TRADE_ROWS} of ${trades.length} trades in this order; export the CSV for all of them.` })
    : null;
  return section('trades', `Trades (${trades.length})`,
    h('div', { class: 'table-scroll trades-scroll' }, h('table', { class: 'trades', attrs: { id: 'trades-table' } }, h('thead', {}, head), body)), note);
}
