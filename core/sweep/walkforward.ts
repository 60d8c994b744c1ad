/**
 * Walk-forward analysis: rolling or anchored windows; in each in-sample window the sweep picks the best variant,
 * which then runs on the next out-of-sample window; the out-of-sample equity curves are stitched by compounding.
 * Reports the walk-forward efficiency and how stable the chosen params are. docs/optimize.md, "Walk-forward".
 */
import { buildTimeGrid } from '../engine/grid';
import { resolveOptions } from '../engine/simulate';
import { lowerBound, type BarSeries } from '../data/series';
import { drawdowns } from '../metrics/drawdowns';
import { detectSampling, periodReturns } from '../metrics/periods';
import { annualise, calmar } from '../metrics/returns';
import type { StrategyParams } from '../sdk/types';
import { executeVariants, type Progress } from './execute';
import { dataFingerprint, hashOf, openJournal } from './journal';
import { bestOf, failedRecord, rankVariants, type Objective, type RankedVariant } from './score';
import { sampleVariants, SweepInputError, type ParamDimension, type ParamValue } from './space';
import { countOnce, recordFromEntry, type SweepInputs } from './sweep';

/** A window length: a number of bars, or a calendar duration (months or days). */
export type Length = { bars: number } | { months: number } | { days: number };

export interface WindowSpec {
  inSample: Length;
  outOfSample: Length;
  /** How far each window moves; default the out-of-sample length (OOS windows then tile the data). */
  step?: Length;
  /** Anchored: every in-sample window starts at the first bar (and grows); rolling: it slides. */
  anchored: boolean;
}

export interface Window {
  index: number;
  /** [isFrom, isTo) in-sample, [isTo, oosTo) out-of-sample; ms since epoch. */
  isFrom: number;
  isTo: number;
  oosTo: number;
  isBars: number;
  oosBars: number;
}

/** '500' or '500b' bars; '10d', '3w', '6m', '2y' calendar durations. */
export function parseLength(text: string, flag: string): Length {
  const m = /^(\d+)\s*([bdwmy]?)$/i.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw new SweepInputError(`${flag} is a length in bars (e.g. 500) or a duration (10d, 3w, 6m, 2y), > 0; got '${text}'.`);
  const n = Number(m[1]);
  switch (m[2].toLowerCase()) {
    case 'd': return { days: n };
    case 'w': return { days: 7 * n };
    case 'm': return { months: n };
    case 'y': return { months: 12 * n };
    default: return { bars: n };
  }
}

export function describeLength(l: Length): string {
  return 'bars' in l ? `${l.bars} bars` : 'months' in l ? (l.months % 12 === 0 ? `${l.months / 12}y` : `${l.months}m`) : `${l.days}d`;
}

function addCalendar(t: number, l: { months: number } | { days: number }): number {
  if ('days' in l) return t + l.days * 86_400_000;
  const d = new Date(t);
  d.setUTCMonth(d.getUTCMonth() + l.months);
  return d.getTime();
}

/**
 * The windows over the bars' time grid. A window is kept only if its out-of-sample part is complete (a calendar
 * length must end by the last bar plus one bar spacing); at least one must fit.
 */
export function planWindows(series: readonly BarSeries[], spec: WindowSpec): Window[] {
  const grid = buildTimeGrid(series);
  const n = grid.length;
  const step = spec.step ?? spec.outOfSample;
  const spacing = n >= 2 ? grid[n - 1] - grid[n - 2] : 0;
  // Index reached from bar `i` after `l`; Infinity when the length runs past the data.
  const advance = (i: number, l: Length): number => {
    if ('bars' in l) return i + l.bars <= n ? i + l.bars : Infinity;
    const t = addCalendar(grid[Math.min(i, n - 1)], l);
    return t <= grid[n - 1] + spacing ? lowerBound(grid, t) : Infinity;
  };
  const stepBarsCheck = (a: Length, b: Length) => ('bars' in a && 'bars' in b ? a.bars < b.bars : 'months' in a && 'months' in b ? a.months < b.months : 'days' in a && 'days' in b ? a.days < b.days : false);
  if (stepBarsCheck(step, spec.outOfSample)) {
    throw new SweepInputError(`The step (${describeLength(step)}) is shorter than the out-of-sample window (${describeLength(spec.outOfSample)}): out-of-sample windows would overlap and could not be stitched. Use a step ≥ the out-of-sample length.`);
  }
  // One chain of cut points (in-sample end = out-of-sample start), each the previous one plus the step: with the
  // step equal to the out-of-sample length, each OOS window ends exactly where the next begins.
  const back = (i: number, l: Length): number => {
    if ('bars' in l) return Math.max(0, i - l.bars);
    return lowerBound(grid, addCalendar(grid[i], 'days' in l ? { days: -l.days } : { months: -l.months }));
  };
  const windows: Window[] = [];
  let cut = advance(0, spec.inSample);
  for (let guard = 0; guard < 100_000 && Number.isFinite(cut) && cut < n; guard++) {
    const isFrom = spec.anchored ? 0 : back(cut, spec.inSample);
    const oosTo = advance(cut, spec.outOfSample);
    if (!Number.isFinite(oosTo) || oosTo <= cut) break;
    if (cut - isFrom >= 2 && oosTo - cut >= 2) {
      windows.push({ index: windows.length, isFrom: grid[isFrom], isTo: grid[cut], oosTo: oosTo < n ? grid[oosTo] : grid[n - 1] + 1, isBars: cut - isFrom, oosBars: oosTo - cut });
    }
    const next = advance(cut, step);
    if (!(next > cut)) break;
    cut = next;
  }
  if (!windows.length) {
    throw new SweepInputError(
      `No walk-forward window fits: in-sample ${describeLength(spec.inSample)} + out-of-sample ${describeLength(spec.outOfSample)} is longer than the data (${n} bars${n ? `, ${new Date(grid[0]).toISOString().slice(0, 10)} to ${new Date(grid[n - 1]).toISOString().slice(0, 10)}` : ''}). Shorten the windows or load more data (--from/--to).`,
    );
  }
  return windows;
}

export interface WalkForwardRequest extends SweepInputs {
  windows: WindowSpec;
  onProgress?: (p: Progress, stage: 'in-sample' | 'out-of-sample') => void;
}

export interface WindowResult extends Window {
  /** The in-sample winner (null when no variant met the constraints: the window is not traded). */
  chosen: RankedVariant | null;
  /** The winner's numbers on the out-of-sample window. */
  oos: { returnPct: number | null; returnAnnPct: number | null; sharpe: number | null; maxDrawdownPct: number | null; trades: number; error?: string } | null;
  /** OOS annualised return / IS annualised return of the chosen variant; null when IS ≤ 0 or either is missing. */
  efficiency: number | null;
}

export interface ParamStability {
  name: string;
  /** The chosen value in each traded window, in window order. */
  values: ParamValue[];
  distinct: number;
  /** Share of traded windows that chose the most common value. */
  modeShare: number;
  /** Population standard deviation / |mean| of the chosen values (numbers only; null for booleans or a 0 mean). */
  relativeSpread: number | null;
}

export interface WalkForwardResult {
  key: string;
  journal?: string;
  objective: Objective;
  windows: WindowResult[];
  /** In-sample runs: windows × variants. */
  runs: number;
  /** Distinct variants (param sets) tried: what joins the strategy's trial count. */
  variantsTried: number;
  /** The strategy's trial count after this run (history included). */
  trials: number;
  /** The stitched out-of-sample equity (compounded across windows, starting at the run's cash). */
  equity: { time: number[]; equity: number[] };
  oos: { returnPct: number | null; returnAnnPct: number | null; sharpe: number | null; maxDrawdownPct: number | null; calmar: number | null };
  /** Stitched OOS annualised return / mean in-sample annualised return of the chosen variants. */
  efficiency: number | null;
  stability: ParamStability[];
}

export function walkForwardKey(req: Pick<WalkForwardRequest, 'source' | 'series' | 'options' | 'space' | 'sampling' | 'windows'>): string {
  return hashOf({ kind: 'walkforward', source: hashOf(req.source), data: dataFingerprint(req.series), options: req.options, space: req.space, sampling: req.sampling, windows: req.windows });
}

export async function runWalkForward(req: WalkForwardRequest): Promise<WalkForwardResult> {
  const windows = planWindows(req.series, req.windows);
  const specs = sampleVariants(req.space, req.sampling);
  const key = walkForwardKey(req);
  const journal = req.journalRoot
    ? openJournal(req.journalRoot, key, { what: 'walkforward', windows: windows.length, variants: specs.length }, req.onWarning ?? (() => {}))
    : undefined;
  const common = { engine: req.engine, compiled: req.compiled, series: req.series, options: req.options, journal, signal: req.signal, onRun: req.onRun };
  const isEntries = await executeVariants({
    ...common,
    variants: windows.flatMap((w) => specs.map((s) => ({ id: `w${w.index}:is:${s.id}`, params: s.params, window: { fromTime: w.isFrom, toTime: w.isTo } }))),
    failedEntryOf: (v, error) => ({ kind: 'variant', ...failedRecord(v.id, (v.params ?? {}) as StrategyParams, error) }),
    onProgress: (p) => req.onProgress?.(p, 'in-sample'),
  });
  const chosen = windows.map((w) => {
    const records = specs.map((s) => recordFromEntry(isEntries.get(`w${w.index}:is:${s.id}`)!));
    return bestOf(rankVariants(records, req.objective, req.constraints));
  });
  const oosVariants = windows.flatMap((w, k) => {
    const c = chosen[k];
    return c ? [{ id: `w${w.index}:oos:${idOf(c)}`, params: pick(c.params, req.space), window: { fromTime: w.isTo, toTime: w.oosTo } }] : [];
  });
  const oosEntries = await executeVariants({
    ...common,
    variants: oosVariants,
    detail: 'summary',
    entryOf: (_v, record, summary) => ({ kind: 'variant', ...record, time: Array.from(summary!.time), equity: Array.from(summary!.equity) }),
    failedEntryOf: (v, error) => ({ kind: 'variant', ...failedRecord(v.id, (v.params ?? {}) as StrategyParams, error) }),
    onProgress: (p) => req.onProgress?.(p, 'out-of-sample'),
  });
  const cash = resolveOptions(req.options).cash;
  const stitched = { time: [] as number[], equity: [] as number[] };
  let capital = cash;
  const results: WindowResult[] = windows.map((w, k) => {
    const c = chosen[k];
    if (!c) return { ...w, chosen: null, oos: null, efficiency: null };
    const e = oosEntries.get(`w${w.index}:oos:${idOf(c)}`)!;
    const r = recordFromEntry(e);
    if (!r.ok) return { ...w, chosen: c, oos: { returnPct: null, returnAnnPct: null, sharpe: null, maxDrawdownPct: null, trades: 0, error: r.error }, efficiency: null };
    // Compounding: the window's run starts with `cash`; the stitched curve carries the whole equity over, so each
    // point is scaled by (capital at the end of the previous window) / cash.
    const scale = capital / cash;
    const times = e.time as number[];
    const eq = e.equity as number[];
    for (let i = 0; i < eq.length; i++) {
      stitched.time.push(times[i]);
      stitched.equity.push(eq[i] * scale);
    }
    if (eq.length) capital = eq[eq.length - 1] * scale;
    return {
      ...w,
      chosen: c,
      oos: { returnPct: r.returnPct, returnAnnPct: r.returnAnnPct, sharpe: r.sharpe, maxDrawdownPct: r.maxDrawdownPct, trades: r.trades },
      efficiency: ratio(r.returnAnnPct, c.returnAnnPct),
    };
  });
  const oos = stitchedStats(stitched, cash);
  const traded = results.filter((w) => w.chosen && w.oos && w.oos.error === undefined);
  const isAnn = traded.map((w) => w.chosen!.returnAnnPct).filter((v): v is number => v !== null);
  const meanIs = isAnn.length ? isAnn.reduce((a, b) => a + b, 0) / isAnn.length : null;
  return {
    key,
    journal: journal?.dir,
    objective: req.objective,
    windows: results,
    runs: windows.length * specs.length,
    variantsTried: specs.length,
    trials: await countOnce(journal, specs.length, req.countTrials),
    equity: stitched,
    oos,
    efficiency: ratio(oos.returnAnnPct, meanIs),
    stability: stabilityOf(traded.map((w) => w.chosen!), req.space),
  };
}

function idOf(c: RankedVariant): string {
  return c.id.replace(/^w\d+:is:/, '');
}

function pick(params: StrategyParams, space: readonly ParamDimension[]): StrategyParams {
  return Object.fromEntries(space.map((d) => [d.name, params[d.name]]));
}

function ratio(num: number | null, den: number | null): number | null {
  return num === null || den === null || !(den > 0) ? null : num / den;
}

/** Return, annualised return and Sharpe (the metrics' definitions, risk-free 0) and max drawdown of the stitched curve. */
export function stitchedStats(curve: { time: number[]; equity: number[] }, cash: number): WalkForwardResult['oos'] {
  const n = curve.equity.length;
  if (n < 2) return { returnPct: null, returnAnnPct: null, sharpe: null, maxDrawdownPct: null, calmar: null };
  const time = Float64Array.from(curve.time);
  const equity = Float64Array.from(curve.equity);
  const sampling = detectSampling(time);
  const a = annualise(periodReturns(time, equity, sampling.period), sampling.periodsPerYear, 0);
  const dd = drawdowns(time, equity);
  return {
    returnPct: (equity[n - 1] / cash - 1) * 100,
    returnAnnPct: a.returnAnn === null ? null : a.returnAnn * 100,
    sharpe: a.sharpe,
    maxDrawdownPct: -dd.maxDepth * 100,
    calmar: calmar(a.returnAnn, dd.maxDepth),
  };
}

export function stabilityOf(chosen: readonly RankedVariant[], space: readonly ParamDimension[]): ParamStability[] {
  return space.map((d) => {
    const values = chosen.map((c) => c.params[d.name]);
    const counts = new Map<ParamValue, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const mode = Math.max(0, ...counts.values());
    let relativeSpread: number | null = null;
    if (values.length && values.every((v) => typeof v === 'number')) {
      const xs = values as number[];
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
      relativeSpread = mean !== 0 ? sd / Math.abs(mean) : null;
    }
    return { name: d.name, values, distinct: counts.size, modeShare: values.length ? mode / values.length : 0, relativeSpread };
  });
}
