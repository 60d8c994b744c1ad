/**
 * Look-ahead check: a decision made on bar t may depend only on bars ≤ t. The
 * strategy is re-run on the data cut at several points; every order placed
 * before a cut must be identical in the cut run and the full run. Orders the
 * strategy places in `onEnd` are not decisions on a bar: a cut run's `onEnd`
 * lands on the cut's last bar, where the full run has none, so they are left
 * out of the comparison. Whether two full runs agree at all is the
 * determinism check's question (determinism.ts); when they do not, a
 * difference here proves nothing and this check is skipped.
 */
import { buildTimeGrid } from '../../engine/grid';
import type { BacktestResult, OrderRecord } from '../../engine/types';
import type { EvalContext } from '../context';
import { count } from '../context';
import { seriesBefore, type RerunJob, type RerunOutcome, type RerunStats } from '../reruns';
import { scored, skipped, errored, type EvaluatorResult } from '../types';

export const LOOKAHEAD = { id: 'lookahead', name: 'Look-ahead check', kind: 'deterministic' } as const;

/** Cut indexes on the grid, spread evenly over the data (none in the first 2 bars). */
export function cutPoints(bars: number, wanted: number): number[] {
  const cuts = new Set<number>();
  for (let i = 1; i <= wanted; i++) {
    const c = Math.round((bars * i) / (wanted + 1));
    if (c >= 2 && c < bars) cuts.add(c);
  }
  return [...cuts].sort((a, b) => a - b);
}

export function lookaheadJobs(ctx: EvalContext): RerunJob[] {
  if (!ctx.result) return [];
  const grid = buildTimeGrid(ctx.series);
  return cutPoints(grid.length, ctx.settings.lookahead.cutPoints).map((c) => ({
    label: `cut at bar ${c}`,
    series: seriesBefore(ctx.series, grid[c]),
    window: { toTime: grid[c] },
  }));
}

/** The bar a cut job's data ends before. */
export function cutOf(label: string): number {
  return Number(/\d+/.exec(label)![0]);
}

interface Difference {
  cutBar: number;
  bar: number;
  time: string;
  full: string;
  rerun: string;
}

/** The class declares `onEnd` (then orders on a cut run's last bar beyond the full run's may be its). */
export function declaresOnEnd(source: string): boolean {
  return /\bonEnd\s*\(/.test(source);
}

/**
 * @param deterministic what the determinism check found: false when two full runs differ (then nothing here
 *   can be attributed to the future, and the check is skipped).
 */
export function evaluateLookahead(ctx: EvalContext, outcomes: RerunOutcome[], stats: RerunStats, deterministic = true): EvaluatorResult {
  const full = ctx.result;
  if (!full) return skipped(LOOKAHEAD, 'Skipped: the backtest did not complete.');
  if (outcomes.length === 0) return skipped(LOOKAHEAD, 'Skipped: too few bars to cut the data.');
  const details: Record<string, unknown> = { reruns: stats.runs, elapsedMs: stats.elapsedMs, mode: stats.mode, cuts: [] as unknown[] };
  if (!deterministic) return skipped(LOOKAHEAD, 'Not judged: two full runs of the strategy on the same data differ (see the determinism check), so a difference after a cut proves nothing about future data.', details);
  const failedRuns = outcomes.filter((o): o is Extract<RerunOutcome, { ok: false }> => !o.ok);
  if (failedRuns.length === outcomes.length) {
    return errored(LOOKAHEAD, `Every re-run failed, first: ${failedRuns[0].error}`, details);
  }
  const onEnd = declaresOnEnd(ctx.source);
  const differences: Difference[] = [];
  const reasons: string[] = [];
  for (const o of outcomes) {
    if (!o.ok) {
      reasons.push(`The re-run "${o.label}" failed: ${o.error}`);
      continue;
    }
    const cut = cutOf(o.label);
    const diff = firstDifference(full, o.result, cut, onEnd);
    (details.cuts as unknown[]).push({ label: o.label, orders: o.result.orders.length, identical: diff === undefined });
    if (diff) differences.push({ cutBar: cut, ...diff });
  }
  details.orders = full.orders.length;
  const ran = outcomes.length - failedRuns.length;
  if (differences.length === 0) {
    reasons.unshift(`Orders before each of ${ran} cut point(s) are identical to the full run (${count(stats.runs)} re-runs in ${(stats.elapsedMs / 1000).toFixed(1)} s${onEnd ? '; orders placed in onEnd left out' : ''}).`);
    return scored(LOOKAHEAD, failedRuns.length ? 0.5 : 1, failedRuns.length === 0, reasons, details);
  }
  differences.sort((a, b) => a.bar - b.bar);
  const d = differences[0];
  details.firstDifferenceBar = d.bar;
  details.firstDifferenceTime = d.time;
  reasons.unshift(
    `The strategy used future data: with the data cut at bar ${d.cutBar}, its order on bar ${d.bar} (${d.time}) changed (full run: ${d.full}; cut run: ${d.rerun}). A decision on one bar must not depend on later bars.`,
  );
  return scored(LOOKAHEAD, 0, false, reasons, details, [
    { message: `Look-ahead: the decision on bar ${d.bar} (${d.time}) changes when later bars are removed; check caches and state kept outside the bar loop.`, severity: 'error', anchor: { kind: 'method', name: 'onBar' } },
  ]);
}

/**
 * The first order placed before `cut` that differs between the two runs. With `onEnd`, the re-run's orders
 * on its last bar (cut − 1) beyond the ones the full run placed there are the re-run's `onEnd` orders (they
 * come after every `onBar` order of that bar) and are left out.
 */
export function firstDifference(full: BacktestResult, rerun: BacktestResult, cut: number, onEnd = false): Omit<Difference, 'cutBar'> | undefined {
  const a = full.orders.filter((o) => o.placedBar < cut);
  let b = rerun.orders.filter((o) => o.placedBar < cut);
  if (onEnd) {
    const atLast = a.filter((o) => o.placedBar === cut - 1).length;
    let seen = 0;
    b = b.filter((o) => o.placedBar !== cut - 1 || seen++ < atLast);
  }
  const len = Math.max(a.length, b.length);
  for (let i = 0; i < len; i++) {
    const x = a[i];
    const y = b[i];
    if (x && y && sameOrder(x, y)) continue;
    const at = [x, y].filter((o): o is OrderRecord => o !== undefined).sort((p, q) => p.placedBar - q.placedBar)[0];
    return { bar: at.placedBar, time: at.placedAt, full: describe(x), rerun: describe(y) };
  }
  return undefined;
}

/** Same decision: what, where and when; and, when the cut run filled it before the cut, the same fill. */
function sameOrder(x: OrderRecord, y: OrderRecord): boolean {
  if (x.symbol !== y.symbol || x.side !== y.side || x.type !== y.type || x.placedBar !== y.placedBar || x.limit !== y.limit || x.stop !== y.stop || x.tag !== y.tag) return false;
  // An order the cut run could still fill (placed on its last bar) stays pending there: compare fills only when both filled.
  if (y.filledAt !== undefined && x.filledAt !== undefined) return x.filledAt === y.filledAt && x.fillPrice === y.fillPrice && x.shares === y.shares;
  if (y.filledAt !== undefined || (x.filledAt !== undefined && y.status !== 'cancelled' && y.status !== 'pending')) return false;
  return true;
}

function describe(o: OrderRecord | undefined): string {
  if (!o) return 'no order';
  const price = o.limit !== undefined ? ` limit ${o.limit}` : o.stop !== undefined ? ` stop ${o.stop}` : '';
  const fill = o.fillPrice !== undefined ? `, filled ${o.shares ?? ''} at ${o.fillPrice}` : `, ${o.status}`;
  return `${o.side} ${o.symbol} ${o.type}${price} on ${o.placedAt}${fill}`;
}
