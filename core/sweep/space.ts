/**
 * Parameter spaces of a sweep: what each swept param may take (a range, a list, booleans), checked against the
 * params the strategy declares, and the variants drawn from it (grid, random, Latin hypercube; seeded, so the
 * same request always gives the same variants). docs/optimize.md, "Parameter space".
 */
import { seededRandom } from '../evaluate/verdict/stats';
import type { StrategyParams } from '../sdk/types';

export type ParamValue = number | boolean;

export interface ParamDimension {
  name: string;
  /** Every value the param takes, in the order given (ranges ascending). */
  values: ParamValue[];
}

export type SamplingMethod = 'grid' | 'random' | 'lhs';
export const SAMPLING_METHODS: readonly SamplingMethod[] = ['grid', 'random', 'lhs'];

export interface Sampling {
  method: SamplingMethod;
  /** Most variants to run; grid: an error when the grid is larger (never silently cut). */
  budget?: number;
  seed: number;
}

export interface SweepVariantSpec {
  /** `name=value,…` in the space's param order: stable, so journals and resume key on it. */
  id: string;
  params: StrategyParams;
}

export class SweepInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SweepInputError';
  }
}

/** Most values one range may expand to, and most grid points: beyond this, sample with a budget. */
export const MAX_VALUES_PER_PARAM = 10_000;
export const MAX_GRID = 1_000_000;

/**
 * One `name=spec` (spec: `from:to:step`, `from:to` for a whole-number param (step 1), `a,b,c`, `true,false`,
 * `bool`, or one value) checked against the declared params: the name must be declared and the values of its
 * type. Throws SweepInputError saying what to write instead.
 */
export function parseParamSpec(text: string, declared: Record<string, ParamValue>): ParamDimension {
  const m = /^([A-Za-z_$][\w$]*)=(.+)$/.exec(text.trim());
  if (!m) throw new SweepInputError(`--param expects name=from:to:step or name=a,b,c (e.g. period=10:30:2), got '${text}'.`);
  const [, name, spec] = m;
  if (!Object.hasOwn(declared, name)) {
    const names = Object.keys(declared);
    throw new SweepInputError(`Unknown param '${name}': the strategy declares ${names.length ? names.map((n) => `'${n}'`).join(', ') : 'no params'} (params = { … } in its class).`);
  }
  const current = declared[name];
  if (typeof current === 'boolean') return { name, values: booleanValues(name, spec) };
  const values = spec.includes(':') ? rangeValues(name, spec, Number.isInteger(current)) : listValues(name, spec);
  return { name, values };
}

function booleanValues(name: string, spec: string): boolean[] {
  if (spec === 'bool' || spec === 'both') return [false, true];
  const parts = spec.split(',').map((s) => s.trim());
  const out: boolean[] = [];
  for (const p of parts) {
    if (p !== 'true' && p !== 'false') throw new SweepInputError(`Param '${name}' is a boolean: give true, false, true,false or bool, got '${spec}'.`);
    if (!out.includes(p === 'true')) out.push(p === 'true');
  }
  return out;
}

function num(name: string, text: string, spec: string): number {
  const n = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(n)) throw new SweepInputError(`Param '${name}' is a number: '${text}' in '${spec}' is not one.`);
  return n;
}

function listValues(name: string, spec: string): number[] {
  const out: number[] = [];
  for (const p of spec.split(',')) {
    const v = num(name, p, spec);
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

function rangeValues(name: string, spec: string, wholeDefault: boolean): number[] {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw new SweepInputError(`Param '${name}': a range is from:to:step (e.g. 10:30:2), got '${spec}'.`);
  const from = num(name, parts[0], spec);
  const to = num(name, parts[1], spec);
  if (parts.length === 2 && !wholeDefault) throw new SweepInputError(`Param '${name}' is not a whole number: give the step too (e.g. ${from}:${to}:0.5).`);
  const step = parts.length === 3 ? num(name, parts[2], spec) : 1;
  if (!(step > 0)) throw new SweepInputError(`Param '${name}': the step must be > 0, got ${step} in '${spec}'.`);
  if (from > to) throw new SweepInputError(`Param '${name}': the range ${spec} is empty (from ${from} is above to ${to}); write it low:high:step.`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_VALUES_PER_PARAM) throw new SweepInputError(`Param '${name}': ${spec} gives ${count} values, more than ${MAX_VALUES_PER_PARAM}; use a larger step.`);
  // from + i·step, rounded to the step's decimals so 0.1 steps give 0.3, not 0.30000000000000004.
  const decimals = Math.min(12, Math.max(decimalsOf(step), decimalsOf(from)));
  return Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(decimals)));
}

function decimalsOf(x: number): number {
  const s = String(x);
  if (s.includes('e-')) return Number(s.split('e-')[1]);
  return s.includes('.') ? s.split('.')[1].length : 0;
}

/** The space from every `--param` spec; a param given twice is an error (which one was meant?). */
export function parseSpace(specs: readonly string[], declared: Record<string, ParamValue>): ParamDimension[] {
  if (!specs.length) throw new SweepInputError(`Give at least one --param to sweep, e.g. --param ${Object.keys(declared)[0] ?? 'period'}=10:30:2.`);
  const dims = specs.map((s) => parseParamSpec(s, declared));
  const seen = new Set<string>();
  for (const d of dims) {
    if (seen.has(d.name)) throw new SweepInputError(`Param '${d.name}' is given twice; give one --param per name.`);
    seen.add(d.name);
  }
  return dims;
}

export function gridSize(space: readonly ParamDimension[]): number {
  return space.reduce((n, d) => n * d.values.length, 1);
}

export function variantId(space: readonly ParamDimension[], params: StrategyParams): string {
  return space.map((d) => `${d.name}=${params[d.name]}`).join(',');
}

function variantAt(space: readonly ParamDimension[], indices: readonly number[]): SweepVariantSpec {
  const params: StrategyParams = {};
  space.forEach((d, k) => (params[d.name] = d.values[indices[k]]));
  return { id: variantId(space, params), params };
}

/** The variants to run: deterministic for the same space and sampling (the seed drives random and LHS). */
export function sampleVariants(space: readonly ParamDimension[], sampling: Sampling): SweepVariantSpec[] {
  const size = gridSize(space);
  const budget = sampling.budget;
  if (budget !== undefined && !(Number.isInteger(budget) && budget >= 1)) throw new SweepInputError(`--budget must be a whole number ≥ 1, got ${budget}.`);
  if (sampling.method === 'grid' || (budget !== undefined && budget >= size && size <= MAX_GRID)) {
    if (size > MAX_GRID) throw new SweepInputError(`The grid has ${size.toLocaleString('en-US')} points, more than ${MAX_GRID.toLocaleString('en-US')}: use --sample random or lhs with --budget N.`);
    if (sampling.method === 'grid' && budget !== undefined && size > budget) {
      throw new SweepInputError(`The grid has ${size} variants, more than --budget ${budget}: raise --budget, narrow the ranges, or use --sample random|lhs to draw ${budget} of them.`);
    }
    return gridVariants(space);
  }
  if (budget === undefined) throw new SweepInputError(`--sample ${sampling.method} needs --budget N (how many variants to draw).`);
  return sampling.method === 'random' ? randomVariants(space, budget, sampling.seed) : lhsVariants(space, budget, sampling.seed);
}

function gridVariants(space: readonly ParamDimension[]): SweepVariantSpec[] {
  const out: SweepVariantSpec[] = [];
  const idx = new Array(space.length).fill(0);
  const size = gridSize(space);
  for (let n = 0; n < size; n++) {
    out.push(variantAt(space, idx));
    // Odometer: the last param varies fastest.
    for (let k = space.length - 1; k >= 0; k--) {
      if (++idx[k] < space[k].values.length) break;
      idx[k] = 0;
    }
  }
  return out;
}

/** `budget` distinct grid points drawn uniformly (without replacement). */
function randomVariants(space: readonly ParamDimension[], budget: number, seed: number): SweepVariantSpec[] {
  const random = seededRandom(seed);
  const seen = new Set<string>();
  const out: SweepVariantSpec[] = [];
  while (out.length < budget) {
    const v = variantAt(space, space.map((d) => Math.floor(random() * d.values.length)));
    if (seen.has(v.id)) continue;
    seen.add(v.id);
    out.push(v);
  }
  return out;
}

/**
 * Latin hypercube: each param's values are cut into `budget` equal strata and every stratum is used once, in a
 * seeded random pairing across params. A param with fewer values than the budget repeats values, so points that
 * coincide are kept once (the sweep may then run fewer than `budget` variants; it says how many).
 */
function lhsVariants(space: readonly ParamDimension[], budget: number, seed: number): SweepVariantSpec[] {
  const random = seededRandom(seed);
  const perms = space.map(() => shuffle(Array.from({ length: budget }, (_, i) => i), random));
  const seen = new Set<string>();
  const out: SweepVariantSpec[] = [];
  for (let i = 0; i < budget; i++) {
    const idx = space.map((d, k) => Math.min(d.values.length - 1, Math.floor(((perms[k][i] + random()) / budget) * d.values.length)));
    const v = variantAt(space, idx);
    if (seen.has(v.id)) continue;
    seen.add(v.id);
    out.push(v);
  }
  return out;
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
