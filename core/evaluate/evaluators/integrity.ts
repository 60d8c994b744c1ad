/**
 * Result integrity: the numbers of a run agree with each other and with the
 * data. Rebuilt independently of the broker: equity from the fills, fill
 * prices against their bars and against what their orders allow (fillRealism.ts), trades inside the data, no NaN/Infinity, and
 * metrics recomputed with `computeMetrics` from the trades and equity.
 */
import { buyAndHold } from '../../engine/backtest';
import { parseTime } from '../../engine/time';
import type { BacktestResult } from '../../engine/types';
import { computeMetrics } from '../../metrics/index';
import type { Metrics, TradeStat } from '../../metrics/types';
import type { EvalContext } from '../context';
import { count, fmt } from '../context';
import { checkFillRealism } from '../fillRealism';
import { barAt, equityColumns, rebuildLedger } from '../ledger';
import { scored, skipped, type EvaluatorResult } from '../types';

export const INTEGRITY = { id: 'integrity', name: 'Result integrity', kind: 'deterministic' } as const;

interface Check {
  name: string;
  ok: boolean;
  /** What went wrong, first occurrence first. */
  problem?: string;
  checked: number;
}

export function evaluateIntegrity(ctx: EvalContext): EvaluatorResult {
  const r = ctx.result;
  if (!r) return skipped(INTEGRITY, 'Skipped: the backtest did not complete, so there are no numbers to check.');
  const tol = ctx.settings.integrity.relativeTolerance;
  const checks = [finiteNumbers(r), fillsInsideBars(ctx, r), fillsAsOrdered(ctx, r, tol), tradesInsideData(ctx, r), equityFromFills(ctx, r, tol), tradePnl(r, tol), metricsAgree(ctx, r, tol)];
  const failed = checks.filter((c) => !c.ok);
  const reasons = failed.length
    ? failed.map((c) => `${c.name}: ${c.problem}`)
    : [`All ${checks.length} consistency checks hold (${checks.map((c) => `${c.name}: ${count(c.checked)} checked`).join('; ')}).`];
  return scored(INTEGRITY, (checks.length - failed.length) / checks.length, failed.length === 0, reasons, {
    checks: checks.map((c) => ({ name: c.name, ok: c.ok, checked: c.checked, ...(c.problem ? { problem: c.problem } : {}) })),
  });
}

function finiteNumbers(r: BacktestResult): Check {
  const bad: string[] = [];
  let checked = 0;
  const look = (where: string, v: unknown) => {
    if (typeof v !== 'number') return;
    checked++;
    if (!Number.isFinite(v) && bad.length < 5) bad.push(`${where} = ${v}`);
  };
  r.equity.forEach((p, i) => {
    look(`equity[${i}] (${p.time})`, p.equity);
    look(`drawdown[${i}] (${p.time})`, p.drawdownPct);
  });
  for (const [k, v] of Object.entries(r.metrics)) look(`metrics.${k}`, v);
  r.trades.forEach((t, i) => {
    for (const k of ['size', 'entryPrice', 'exitPrice', 'pnl', 'returnPct', 'commission'] as const) look(`trades[${i}].${k}`, t[k]);
  });
  r.fills.forEach((f, i) => {
    look(`fills[${i}].price`, f.price);
    look(`fills[${i}].shares`, f.shares);
    look(`fills[${i}].commission`, f.commission);
  });
  return { name: 'No NaN or Infinity', ok: bad.length === 0, checked, ...(bad.length ? { problem: bad.join(', ') } : {}) };
}

function fillsInsideBars(ctx: EvalContext, r: BacktestResult): Check {
  const bySymbol = new Map(ctx.series.map((s) => [s.symbol, s]));
  for (const [i, f] of r.fills.entries()) {
    const s = bySymbol.get(f.symbol);
    const bar = s ? barAt(s, f.time) : -1;
    if (!s || bar < 0) return { name: 'Fill prices inside their bars', ok: false, checked: i, problem: `fill ${i + 1} (${f.side} ${f.symbol} at ${iso(f.time)}) has no bar of ${f.symbol} at that time` };
    const low = s.low[bar];
    const high = s.high[bar];
    const slack = 1e-9 * Math.max(1, Math.abs(high));
    if (!(f.price >= low - slack && f.price <= high + slack)) {
      return { name: 'Fill prices inside their bars', ok: false, checked: i, problem: `fill ${i + 1} (${f.side} ${f.symbol} on ${iso(f.time)}) at ${f.price} is outside that bar's low–high range ${low}–${high}` };
    }
  }
  return { name: 'Fill prices inside their bars', ok: true, checked: r.fills.length };
}

function fillsAsOrdered(ctx: EvalContext, r: BacktestResult, tol: number): Check {
  const name = 'Fills as their orders allow';
  const problem = checkFillRealism(ctx.series, r, tol);
  return problem ? { name, ok: false, checked: problem.fill, problem: problem.message } : { name, ok: true, checked: r.fills.length };
}

function tradesInsideData(ctx: EvalContext, r: BacktestResult): Check {
  const n = r.equity.length;
  const first = n ? parseTime(r.equity[0].time) : NaN;
  const last = n ? parseTime(r.equity[n - 1].time) : NaN;
  const dataFirst = Math.min(...ctx.series.map((s) => s.time[0]));
  const dataLast = Math.max(...ctx.series.map((s) => s.time[s.length - 1]));
  const name = 'Trades inside the data';
  if (first < dataFirst || last > dataLast) return { name, ok: false, checked: 0, problem: `the equity curve runs ${r.equity[0].time}…${r.equity[n - 1].time}, outside the data ${iso(dataFirst)}…${iso(dataLast)}` };
  for (const [i, t] of r.trades.entries()) {
    const entry = parseTime(t.entryTime);
    const exit = t.exitTime === null ? null : parseTime(t.exitTime);
    const outside = (x: number) => !(x >= first && x <= last);
    if (outside(entry) || (exit !== null && outside(exit)) || (exit !== null && exit < entry)) {
      return { name, ok: false, checked: i, problem: `trade ${i + 1} (${t.symbol} ${t.entryTime} → ${t.exitTime ?? 'open'}) lies outside the data ${r.equity[0].time}…${r.equity[n - 1].time}` };
    }
    if (t.entryBar < 0 || t.entryBar >= n || (t.exitBar !== null && (t.exitBar < t.entryBar || t.exitBar >= n))) {
      return { name, ok: false, checked: i, problem: `trade ${i + 1} has bar indexes ${t.entryBar}→${t.exitBar} outside 0…${n - 1}` };
    }
  }
  return { name, ok: true, checked: r.trades.length };
}

function equityFromFills(ctx: EvalContext, r: BacktestResult, tol: number): Check {
  const name = 'Equity = cash + positions';
  const ledger = rebuildLedger(ctx.series, r.fills, r.run.options.cash);
  if (ledger.strayFills.length) {
    const f = ledger.strayFills[0];
    return { name, ok: false, checked: 0, problem: `${ledger.strayFills.length} fill(s) fall on no bar of the data, first ${f.side} ${f.symbol} at ${iso(f.time)}` };
  }
  if (ledger.grid.length !== r.equity.length) {
    return { name, ok: false, checked: 0, problem: `the result has ${count(r.equity.length)} equity points but the data has ${count(ledger.grid.length)} bars` };
  }
  for (let i = 0; i < r.equity.length; i++) {
    const reported = r.equity[i].equity;
    const rebuilt = ledger.equity[i];
    if (!close(reported, rebuilt, tol)) {
      return { name, ok: false, checked: i, problem: `first differs at bar ${i} (${r.equity[i].time}): reported ${fmt(reported)}, cash ${fmt(ledger.cash[i])} + positions gives ${fmt(rebuilt)}` };
    }
  }
  return { name, ok: true, checked: r.equity.length };
}

function tradePnl(r: BacktestResult, tol: number): Check {
  const name = 'Trade P&L adds up';
  const lastClose = r.equity.length ? r.equity[r.equity.length - 1].equity : r.run.options.cash;
  for (const [i, t] of r.trades.entries()) {
    if (t.open || t.exitPrice === null) continue;
    const expected = (t.side === 'long' ? 1 : -1) * (t.exitPrice - t.entryPrice) * t.size - t.commission;
    if (!close(t.pnl, expected, tol, Math.abs(t.entryPrice * t.size))) {
      return { name, ok: false, checked: i, problem: `trade ${i + 1} (${t.symbol} ${t.entryTime}) reports P&L ${fmt(t.pnl)} but its prices and commission give ${fmt(expected)}` };
    }
  }
  const total = r.trades.reduce((s, t) => s + t.pnl, 0);
  const change = lastClose - r.run.options.cash;
  if (!close(total, change, tol, r.run.options.cash)) {
    return { name, ok: false, checked: r.trades.length, problem: `the trades' P&L sums to ${fmt(total)} but equity changed by ${fmt(change)}` };
  }
  return { name, ok: true, checked: r.trades.length + 1 };
}

/** Statistics the engine reports vs the same statistics recomputed from the reported equity and trades. */
function metricsAgree(ctx: EvalContext, r: BacktestResult, tol: number): Check {
  const name = 'Metrics recomputed agree';
  const n = r.equity.length;
  const { time, equity } = equityColumns(r);
  const last = n - 1;
  const trades: TradeStat[] = r.trades.map((t) => ({
    entryBar: t.entryBar,
    exitBar: t.exitBar ?? last,
    entryTime: parseTime(t.entryTime),
    exitTime: t.exitTime === null ? time[last] : parseTime(t.exitTime),
    pnl: t.pnl,
    returnPct: t.returnPct,
  }));
  const commissionsPaid = r.fills.reduce((s, f) => s + f.commission, 0);
  const again = computeMetrics({ time, equity, trades, benchmark: buyAndHold(ctx.series, time), commissionsPaid });
  const keys = Object.keys(again) as (keyof Metrics)[];
  const differ: string[] = [];
  for (const k of keys) {
    const a = r.metrics[k];
    const b = again[k];
    if (a === b) continue;
    if (typeof a === 'number' && typeof b === 'number' && close(a, b, Math.max(tol, 1e-9))) continue;
    differ.push(`${k}: reported ${typeof a === 'number' ? fmt(a, 4) : String(a)}, recomputed ${typeof b === 'number' ? fmt(b, 4) : String(b)}`);
  }
  return { name, ok: differ.length === 0, checked: keys.length, ...(differ.length ? { problem: differ.slice(0, 5).join('; ') + (differ.length > 5 ? `; and ${differ.length - 5} more` : '') } : {}) };
}

function close(a: number, b: number, tol: number, scale = 0): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b), scale);
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString().replace('T00:00:00.000Z', '') : String(ms);
}
