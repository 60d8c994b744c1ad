/**
 * The objective over two swept params. The other params are either fixed at the best variant's values
 * ('best': a slice through the best point; cells the sweep did not run are empty) or marginalised ('mean': the
 * mean objective over every variant with that pair of values). Only variants meeting the constraints count.
 * docs/optimize.md, "Heatmap".
 */
import { SweepInputError, type ParamValue } from './space';
import type { RankedVariant } from './score';

export type HeatmapOthers = 'best' | 'mean';

export interface Heatmap {
  x: string;
  y: string;
  others: HeatmapOthers;
  /** Values of the other params the slice is fixed at ('best'). */
  fixed?: Record<string, ParamValue>;
  xValues: ParamValue[];
  yValues: ParamValue[];
  /** cells[yi][xi]: the objective, or null when no variant fills the cell. */
  cells: (number | null)[][];
  /** How many variants each cell averages ('mean'; 1 or 0 for 'best'). */
  counts: number[][];
}

/** What a heatmap reads of a ranked variant (the webview passes its table rows). */
export type HeatmapRow = Pick<RankedVariant, 'params' | 'feasible' | 'objective'>;

export function heatmapOf(
  ranked: readonly HeatmapRow[],
  space: readonly { name: string; values: ParamValue[] }[],
  x: string,
  y: string,
  others: HeatmapOthers,
): Heatmap {
  const dx = space.find((d) => d.name === x);
  const dy = space.find((d) => d.name === y);
  const names = space.map((d) => d.name).join(', ');
  if (!dx || !dy) throw new SweepInputError(`The heatmap needs two swept params (${names}); got '${x}' and '${y}'.`);
  if (x === y) throw new SweepInputError(`The heatmap needs two different params, got '${x}' twice.`);
  const best = ranked.find((r) => r.feasible && r.objective !== null);
  const rest = space.filter((d) => d.name !== x && d.name !== y).map((d) => d.name);
  const fixed = others === 'best' && best ? Object.fromEntries(rest.map((n) => [n, best.params[n]])) : undefined;
  const sums = dy.values.map(() => dx.values.map(() => 0));
  const counts = dy.values.map(() => dx.values.map(() => 0));
  for (const r of ranked) {
    if (!r.feasible || r.objective === null) continue;
    if (others === 'best' && (!fixed || rest.some((n) => r.params[n] !== fixed[n]))) continue;
    const xi = dx.values.indexOf(r.params[x]);
    const yi = dy.values.indexOf(r.params[y]);
    if (xi < 0 || yi < 0) continue;
    sums[yi][xi] += r.objective;
    counts[yi][xi]++;
  }
  return {
    x,
    y,
    others,
    ...(fixed ? { fixed } : {}),
    xValues: dx.values,
    yValues: dy.values,
    cells: sums.map((row, yi) => row.map((s, xi) => (counts[yi][xi] ? s / counts[yi][xi] : null))),
    counts,
  };
}
