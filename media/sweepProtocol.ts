/**
 * Messages between the extension and the "Optimize Parameters" webview (media/sweep.ts). Plain JSON: numbers,
 * strings and booleans only.
 */
import type { Objective } from '../core/sweep/score';
import type { SamplingMethod } from '../core/sweep/space';

export interface SweepParamField {
  name: string;
  /** The declared value (params = { … }). */
  value: number | boolean;
}

/** The form as the user filled it in; the extension checks it (parseSpace) and answers with an error or a result. */
export interface SweepForm {
  /** Spec per param (e.g. '10:30:2', '25,30', 'bool'); only params with `swept[name]` are swept. */
  specs: Record<string, string>;
  swept: Record<string, boolean>;
  objective: Objective;
  sample: SamplingMethod;
  budget: string;
  seed: string;
  minTrades: string;
  maxDrawdown: string;
}

export interface SweepRow {
  rank: number;
  id: string;
  params: Record<string, number | boolean>;
  objective: number | null;
  feasible: boolean;
  violations: string[];
  sharpe: number | null;
  returnPct: number | null;
  calmar: number | null;
  maxDrawdownPct: number | null;
  trades: number;
}

export interface SweepView {
  space: { name: string; values: (number | boolean)[] }[];
  rows: SweepRow[];
  objectiveLabel: string;
  variantsTried: number;
  resumed: number;
  trials: number;
  pbo: number | null;
  pboNote: string;
  deflatedSharpe: number | null;
  bestId: string | null;
}

export type ToSweepWebview =
  | { type: 'init'; strategy: string; params: SweepParamField[]; form?: SweepForm }
  | { type: 'progress'; done: number; total: number; etaMs: number | null }
  | { type: 'result'; view: SweepView }
  | { type: 'error'; message: string }
  | { type: 'cancelled' };

export type FromSweepWebview =
  | { type: 'ready' }
  | { type: 'run'; form: SweepForm }
  | { type: 'cancel' }
  | { type: 'openVariant'; params: Record<string, number | boolean> };

/** A starting spec for a declared value: ±50 % around it for numbers (whole numbers stay whole), both for booleans. */
export function defaultSpec(value: number | boolean): string {
  if (typeof value === 'boolean') return 'bool';
  if (value === 0) return '0';
  const [a, b] = value > 0 ? [value * 0.5, value * 1.5] : [value * 1.5, value * 0.5];
  if (Number.isInteger(value)) {
    const lo = value > 0 ? Math.max(1, Math.round(a)) : Math.round(a);
    const hi = Math.max(lo + 1, Math.round(b));
    const step = Math.max(1, Math.round((hi - lo) / 5));
    return `${lo}:${hi}:${step}`;
  }
  const lo = a;
  const hi = b;
  const step = Number(((hi - lo) / 4).toPrecision(2));
  return `${Number(lo.toPrecision(4))}:${Number(hi.toPrecision(4))}:${step}`;
}
