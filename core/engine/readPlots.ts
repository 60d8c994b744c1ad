/** Checks a result's `plots` that crossed from a sandbox (no SDK import: the host's result decoder loads this). */
import { MAX_PLOT_LINES, MAX_PLOTS } from './caps';
import type { IndicatorPlots } from './types';

const PANES: ReadonlySet<string> = new Set(['price', 'oscillator']);
const isFiniteOrNull = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x));
const text = (x: unknown, max: number): x is string => typeof x === 'string' && x.length > 0 && x.length <= max;

/**
 * `plots` as it may arrive from a sandbox (the strategy shares the realm that wrote it): the shape and the caps
 * checked, anything else dropped (undefined). Drawing only, so a bad one costs the chart its lines, not the run.
 */
export function readPlots(value: unknown, bars: number): IndicatorPlots | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { time, stride, series } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(stride) || (stride as number) < 1) return undefined;
  if (!Array.isArray(time) || time.length > Math.ceil(bars / (stride as number)) || !time.every((t) => typeof t === 'number' && Number.isFinite(t))) return undefined;
  if (!Array.isArray(series) || series.length > MAX_PLOTS) return undefined;
  let lines = 0;
  for (const s of series as unknown[]) {
    if (typeof s !== 'object' || s === null) return undefined;
    const p = s as Record<string, unknown>;
    if (!text(p.name, 200) || !text(p.indicator, 40) || !text(p.symbol, 64) || typeof p.pane !== 'string' || !PANES.has(p.pane)) return undefined;
    if (p.range !== undefined && !(Array.isArray(p.range) && p.range.length === 2 && p.range.every((x) => typeof x === 'number' && Number.isFinite(x)))) return undefined;
    if (p.levels !== undefined && !(Array.isArray(p.levels) && p.levels.length <= 8 && p.levels.every((x) => typeof x === 'number' && Number.isFinite(x)))) return undefined;
    if (!Array.isArray(p.lines) || p.lines.length === 0 || p.lines.length > 3) return undefined;
    lines += p.lines.length;
    for (const l of p.lines as unknown[]) {
      const line = l as Record<string, unknown> | null;
      if (!line || !text(line.key, 20) || !Array.isArray(line.values) || line.values.length !== time.length || !line.values.every(isFiniteOrNull)) return undefined;
    }
  }
  if (lines > MAX_PLOT_LINES) return undefined;
  return value as IndicatorPlots;
}
