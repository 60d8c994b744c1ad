/**
 * The VS Code form (media/sweepProtocol.ts SweepForm) checked into a sweep request, and a sweep result made into
 * the webview's view: the same parsing and checks as the CLI flags, so both accept and refuse the same input.
 */
import type { SweepForm, SweepView } from '../../media/sweepProtocol';
import { OBJECTIVE_LABELS, OBJECTIVES, type Constraints, type Objective } from './score';
import { parseSpace, sampleVariants, SAMPLING_METHODS, SweepInputError, type ParamDimension, type ParamValue, type Sampling } from './space';
import type { SweepResult } from './sweep';

export interface FormRequest {
  space: ParamDimension[];
  sampling: Sampling;
  objective: Objective;
  constraints: Constraints;
}

function whole(label: string, text: string, min: number): number | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= min)) throw new SweepInputError(`${label} must be a whole number ≥ ${min}, got '${text}'.`);
  return n;
}

export function requestFromForm(form: SweepForm, declared: Record<string, ParamValue>): FormRequest {
  const specs = Object.keys(declared)
    .filter((name) => form.swept[name])
    .map((name) => `${name}=${(form.specs[name] ?? '').trim()}`);
  if (!specs.length) throw new SweepInputError('Tick at least one param to sweep.');
  const space = parseSpace(specs, declared);
  if (!SAMPLING_METHODS.includes(form.sample)) throw new SweepInputError(`Unknown sampling '${form.sample}'.`);
  if (!OBJECTIVES.includes(form.objective)) throw new SweepInputError(`Unknown objective '${form.objective}'.`);
  const sampling: Sampling = { method: form.sample, budget: whole('Budget', form.budget, 1), seed: whole('Seed', form.seed, 0) ?? 1 };
  const maxDd = form.maxDrawdown.trim() === '' ? undefined : Number(form.maxDrawdown);
  if (maxDd !== undefined && !(maxDd > 0 && maxDd <= 100)) throw new SweepInputError(`Max drawdown is a percentage from 0 to 100 (20 = 20 %), got '${form.maxDrawdown}'.`);
  sampleVariants(space, sampling); // a grid over the budget is said now, before any data is loaded
  return { space, sampling, objective: form.objective, constraints: { minTrades: whole('Min trades', form.minTrades, 0), maxDrawdownPct: maxDd } };
}

export function viewOfResult(r: SweepResult, space: ParamDimension[]): SweepView {
  return {
    space: space.map((d) => ({ name: d.name, values: d.values })),
    rows: r.ranked.map((v) => ({ rank: v.rank, id: v.id, params: v.params, objective: v.objective, feasible: v.feasible, violations: v.violations, sharpe: v.sharpe, returnPct: v.returnPct, calmar: v.calmar, maxDrawdownPct: v.maxDrawdownPct, trades: v.trades })),
    objectiveLabel: OBJECTIVE_LABELS[r.objective],
    variantsTried: r.variantsTried,
    resumed: r.resumed,
    trials: r.trials,
    pbo: r.pbo.pbo,
    pboNote: r.pbo.pbo === null ? (r.pbo.problem ?? 'not computed') : `CSCV, S=${r.pbo.splits}, ${r.pbo.combinations.toLocaleString('en-US')} splits`,
    deflatedSharpe: r.deflatedSharpe,
    bestId: r.best?.id ?? null,
  };
}
