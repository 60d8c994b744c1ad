/**
 * Look-ahead check: a decision made on bar t may depend only on bars ≤ t. The
 * strategy is re-run on the data cut at several points; every order placed
 * before a cut must be identical in the cut run and the full run. One more
 * re-run on the full data checks the strategy repeats itself: state leaking
 * from one run into the next (a global cache, a static field) is the usual
 * way a bookkeeping bug lets the future in.
 */
import { buildTimeGrid } from '../../engine/grid';
import type { BacktestResult, OrderRecord } from '../../engine/types';
import type { EvalContext } from '../context';
import { count } from '../context';
import { seriesBefore, type RerunJob, type RerunOutcome, type RerunStats } from '../reruns';
import { scored, skipped, errored, type EvaluatorResult } from '../types';

export const LOOKAHEAD = { id: 'lookahead', name: 'Look-ahead check', kind: 'deterministic' } as const;

const REPEAT = 'full data again';

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
  const jobs: RerunJob[] = cutPoints(grid.length, ctx.settings.lookahead.cutPoints).map((c) => ({
    label: `cut at bar ${c}`,
    series: seriesBefore(ctx.series, grid[c]),
  }));
  jobs.push({ label: REPEAT, series: ctx.series });
  return jobs;
}

interface Difference {
  cutBar: number | null;
  bar: number;
  time: string;
  full: string;
  rerun: string;
}

export function evaluateLookahead(ctx: EvalContext, outcomes: RerunOutcome[], stats: RerunStats): EvaluatorResult {
  const full = ctx.result;
  if (!full) return skipped(LOOKAHEAD, 'Skipped: the backtest did not complete.');
  if (outcomes.length === 0) return skipped(LOOKAHEAD, 'Skipped: too few bars to cut the data.');
  const details: Record<string, unknown> = { reruns: stats.runs, elapsedMs: stats.elapsedMs, mode: stats.mode, cuts: [] as unknown[] };
  const failedRuns = outcomes.filter((o): o is Extract<RerunOutcome, { ok: false }> => !o.ok);
  if (failedRuns.length === outcomes.length) {
    return errored(LOOKAHEAD, `Every re-run failed, first: ${failedRuns[0].error}`, details);
  }
  const grid = buildTimeGrid(ctx.series);
  const differences: Difference[] = [];
  const reasons: string[] = [];
  for (const o of outcomes) {
    if (!o.ok) {
      reasons.push(`The re-run "${o.label}" failed: ${o.error}`);
      continue;
    }
    const cut = o.label === REPEAT ? null : Number(/\d+/.exec(o.label)![0]);
    const diff = firstDifference(full, o.result, cut ?? grid.length);
    (details.cuts as unknown[]).push({ label: o.label, orders: o.result.orders.length, identical: diff === undefined });
    if (diff) differences.push({ cutBar: cut, ...diff });
  }
  details.orders = full.orders.length;
  const ran = outcomes.length - failedRuns.length;
  if (differences.length === 0) {
    reasons.unshift(`Orders before each of ${ran - 1} cut point(s) are identical to the full run, and a second full run repeats it exactly (${count(stats.runs)} re-runs in ${(stats.elapsedMs / 1000).toFixed(1)} s).`);
    return scored(LOOKAHEAD, failedRuns.length ? 0.5 : 1, failedRuns.length === 0, reasons, details);
  }
  differences.sort((a, b) => a.bar - b.bar);
  const first = differences[0];
  details.firstDifferenceBar = first.bar;
  details.firstDifferenceTime = first.time;
  const cutDiffs = differences.filter((d) => d.cutBar !== null);
  const repeatDiff = differences.find((d) => d.cutBar === null);
  if (cutDiffs.length) {
    const d = cutDiffs.sort((a, b) => a.bar - b.bar)[0];
    reasons.unshift(
      `The strategy used future data: with the data cut at bar ${d.cutBar}, its order on bar ${d.bar} (${d.time}) changed (full run: ${d.full}; cut run: ${d.rerun}). A decision on one bar must not depend on later bars.`,
    );
  }
  if (repeatDiff) {
    reasons.push(
      `Running the same data twice gave different orders from bar ${repeatDiff.bar} (${repeatDiff.time}) on (first run: ${repeatDiff.full}; second: ${repeatDiff.rerun}): state survives between runs (a global or static cache), which lets one run see another's future.`,
    );
  }
  return scored(LOOKAHEAD, 0, false, reasons, details, [
    { message: `Look-ahead: the decision on bar ${first.bar} (${first.time}) changes when later bars are removed or a run is repeated; check caches and state kept outside the bar loop.`, severity: 'error', anchor: { kind: 'method', name: 'onBar' } },
  ]);
}

/** The first order placed before `cut` that differs between the two runs. */
export function firstDifference(full: BacktestResult, rerun: BacktestResult, cut: number): Omit<Difference, 'cutBar'> | undefined {
  const a = full.orders.filter((o) => o.placedBar < cut);
  const b = rerun.orders.filter((o) => o.placedBar < cut);
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
