/** Trades as CSV (RFC 4180), one row per round trip, in entry order. */
import type { Trade } from '../engine/types';

const COLUMNS = ['n', 'symbol', 'side', 'size', 'entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'pnl', 'returnPct', 'commission', 'open', 'exitReason', 'tag'] as const;

export function tradesToCsv(trades: readonly Trade[]): string {
  const lines = [COLUMNS.join(',')];
  trades.forEach((t, i) => {
    const row: Record<(typeof COLUMNS)[number], unknown> = {
      n: i + 1, symbol: t.symbol, side: t.side, size: t.size, entryTime: t.entryTime, entryPrice: t.entryPrice,
      exitTime: t.exitTime, exitPrice: t.exitPrice, pnl: t.pnl, returnPct: t.returnPct, commission: t.commission,
      open: t.open, exitReason: t.exitReason, tag: t.tag,
    };
    lines.push(COLUMNS.map((c) => cell(row[c])).join(','));
  });
  return `${lines.join('\r\n')}\r\n`;
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = String(value);
  // A spreadsheet would run a tag like "=HYPERLINK(...)" as a formula: make it plain text.
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
