/**
 * What `optimize` and `walkforward` share: the sweep flags (space, sampling, objective, constraints, engine),
 * the setup (strategy, data, compile, engine from `variantEngineFor`), progress on stderr, cancel and the trial
 * count. docs/optimize.md.
 */
import { relative } from 'node:path';
import { defaultCacheDir } from '../data/cache';
import type { BarSeries } from '../data/series';
import { RunStore, strategyKey } from '../history/store';
import { variantEngineFor, type EngineKind } from '../run/engineFor';
import type { VariantEngine } from '../run/variants';
import type { SandboxRunner } from '../sandbox/runner';
import { compileStrategy, type CompiledStrategy } from '../strategy/compile';
import { readDeclaredParams } from '../strategy/config';
import { progressGate, progressLine, type Progress } from '../sweep/execute';
import { DEFAULT_SPLITS } from '../sweep/pbo';
import { OBJECTIVES, type Constraints, type Objective } from '../sweep/score';
import type { SweepInputs } from '../sweep/sweep';
import { parseSpace, sampleVariants, SAMPLING_METHODS, SweepInputError, type ParamDimension, type Sampling, type SamplingMethod } from '../sweep/space';
import { numberArg } from './args';
import { CliError, type CliIo } from './io';
import { DATA_OPTIONS, DATA_USAGE, loadData, readStrategyFile, sandboxArg, type DataValues } from './runArgs';
import { RUN_OPTIONS, runOptionsArg, type RunOptionValues } from './runOptionArgs';
import { SANDBOX_RUNNER_OPTIONS, SANDBOX_RUNNER_USAGE, cliSandboxRunner, type SandboxRunnerValues } from './sandboxArgs';
import type { BacktestOptions } from '../engine/types';

export const SWEEP_OPTIONS = {
  ...DATA_OPTIONS,
  ...SANDBOX_RUNNER_OPTIONS,
  ...RUN_OPTIONS,
  sample: { type: 'string' },
  budget: { type: 'string' },
  seed: { type: 'string' },
  objective: { type: 'string' },
  'min-trades': { type: 'string' },
  'max-drawdown': { type: 'string' },
  engine: { type: 'string' },
  concurrency: { type: 'string' },
  'no-journal': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const SWEEP_USAGE = `--param name=from:to:step|a,b,c|bool … [--sample grid|random|lhs] [--budget N] [--seed N]
       [--objective sharpe|return|calmar|verdict] [--min-trades N] [--max-drawdown PCT]
       [--engine local|swarm] [--concurrency N] [--no-journal] [--json]
       ${DATA_USAGE}
       ${SANDBOX_RUNNER_USAGE}
       [--cash N] [--commission F] [--commission-fixed N] [--slippage-bps N] [--fill next-open|close]`;

export type SweepValues = DataValues &
  SandboxRunnerValues &
  RunOptionValues & {
    sandbox?: string;
    trust?: boolean;
    sample?: string;
    budget?: string;
    seed?: string;
    objective?: string;
    'min-trades'?: string;
    'max-drawdown'?: string;
    engine?: string;
    concurrency?: string;
    'no-journal'?: boolean;
    json?: boolean;
  };

export interface SweepSetup {
  file: string;
  source: string;
  className: string;
  space: ParamDimension[];
  sampling: Sampling;
  objective: Objective;
  constraints: Constraints;
  options: BacktestOptions;
  engineKind: EngineKind;
  series: BarSeries[];
  dataLabel: string;
  compiled: CompiledStrategy;
  engine: VariantEngine;
  runner: SandboxRunner;
  splits: number;
}

/** SweepInputError (bad space, sampling, windows) as a usage error: exit 2, one line. */
export function usageErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SweepInputError) throw new CliError(err.message, 2);
    throw err;
  }
}

function wholeArg(name: string, value: string | undefined, min: number): number | undefined {
  const n = numberArg(name, value);
  if (n !== undefined && !(Number.isInteger(n) && n >= min)) throw new CliError(`--${name} must be a whole number ≥ ${min}, got '${value}'.`, 2);
  return n;
}

/** Every flag checked (exit 2) before any data is fetched or container started; then data, compile and engine. */
export async function prepareSweep(values: SweepValues, positionals: string[], usage: string, io: CliIo): Promise<SweepSetup> {
  const { file, source, info } = await readStrategyFile(positionals, usage);
  const declared = readDeclaredParams(source, file);
  if (!declared.params) throw new CliError(`Cannot read the strategy's params (${declared.problem}): a sweep needs \`params = { name: literal, … }\` in the class.`, 2);
  const space = usageErrors(() => parseSpace(values.param ?? [], declared.params!));
  const method = (values.sample ?? 'grid') as SamplingMethod;
  if (!SAMPLING_METHODS.includes(method)) throw new CliError(`--sample must be one of ${SAMPLING_METHODS.join(', ')}, got '${values.sample}'.`, 2);
  const sampling: Sampling = { method, budget: wholeArg('budget', values.budget, 1), seed: wholeArg('seed', values.seed, 0) ?? 1 };
  const objective = (values.objective ?? 'sharpe') as Objective;
  if (!OBJECTIVES.includes(objective)) throw new CliError(`--objective must be one of ${OBJECTIVES.join(', ')}, got '${values.objective}'.`, 2);
  const maxDrawdownPct = numberArg('max-drawdown', values['max-drawdown']);
  if (maxDrawdownPct !== undefined && !(maxDrawdownPct > 0 && maxDrawdownPct <= 100)) throw new CliError(`--max-drawdown is a percentage from 0 to 100 (20 = 20 %), got '${values['max-drawdown']}'.`, 2);
  const constraints: Constraints = { minTrades: wholeArg('min-trades', values['min-trades'], 0), maxDrawdownPct };
  const engineKind = (values.engine ?? 'local') as EngineKind;
  if (engineKind !== 'local' && engineKind !== 'swarm') throw new CliError(`--engine must be local or swarm, got '${values.engine}'.`, 2);
  const concurrency = wholeArg('concurrency', values.concurrency, 1);
  const options = runOptionsArg({ ...values, param: undefined });
  // Drawn now so a grid over the budget or a bad budget is said before any data is fetched.
  usageErrors(() => sampleVariants(space, sampling));
  const sandbox = sandboxArg(values, io, 'file');
  const runner = cliSandboxRunner(sandbox, values, io, true);
  let engine: VariantEngine;
  try {
    engine = variantEngineFor({ engine: engineKind, mode: sandbox, runner, concurrency, dockerHost: values['docker-host']?.trim() || undefined });
  } catch (err) {
    await runner.dispose();
    throw new CliError((err as Error).message, 2);
  }
  try {
    const { series, label } = await loadData(values, info, io);
    const compiled = await compileStrategy(source, file, { cacheDir: defaultCacheDir() });
    return { file, source, className: info.className ?? 'Strategy', space, sampling, objective, constraints, options, engineKind, series, dataLabel: label, compiled, engine, runner, splits: DEFAULT_SPLITS };
  } catch (err) {
    await engine.dispose();
    await runner.dispose();
    throw err;
  }
}

/**
 * Progress on stderr. On a terminal one line rewritten in place (at most 5 times a second); otherwise a line at
 * every 10 %. The in-place line goes straight to process.stderr: it is built here from numbers only, and the
 * CLI's stream escaping would turn its carriage return into a visible `\r`.
 */
export function progressPrinter(io: CliIo, noun: string, tty = process.stderr.isTTY === true): { update: (p: Progress, stage?: string) => void; end: () => void } {
  const due = progressGate(200);
  let lastDecile = -1;
  let open = false;
  return {
    update: (p, stage) => {
      const line = `${stage ? `${stage}: ` : ''}${progressLine(p, noun)}`;
      if (tty) {
        if (!due(p)) return;
        process.stderr.write(`\r\x1b[2K${line}`);
        open = true;
      } else {
        const decile = Math.floor((p.done / Math.max(1, p.total)) * 10);
        if (decile === lastDecile && p.done < p.total) return;
        lastDecile = decile;
        io.stderr(`${line}\n`);
      }
    },
    end: () => {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}

/** Adds a sweep's variants to the strategy's trial count in `.strategy-lab/trials.json` under `cwd`; returns the total. */
export function trialCounter(cwd: string, setup: Pick<SweepSetup, 'file' | 'className'>, what: string): (n: number) => Promise<number> {
  const key = strategyKey(relative(cwd, setup.file), setup.className);
  return (n) => new RunStore(cwd).addTrials(key, n, what);
}

/** The request fields both commands pass: the setup, the journal under `cwd`, cancel, warnings and the trial count. */
export function sweepInputs(setup: SweepSetup, values: SweepValues, io: CliIo, cwd: string, what: string): SweepInputs {
  return {
    compiled: setup.compiled,
    source: setup.source,
    series: setup.series,
    options: setup.options,
    space: setup.space,
    sampling: setup.sampling,
    objective: setup.objective,
    constraints: setup.constraints,
    engine: setup.engine,
    journalRoot: values['no-journal'] ? undefined : cwd,
    signal: io.signal,
    onWarning: (w) => io.stderr(`warning: ${w}\n`),
    countTrials: trialCounter(cwd, setup, what),
  };
}

/**
 * Runs the sweep with the progress line closed after it; a cancellation becomes exit code 130 with how to resume
 * (`cancelled`), anything else is rethrown.
 */
export async function withProgress<T>(progress: { end: () => void }, io: CliIo, journaled: boolean, run: () => Promise<T>): Promise<{ value: T } | { cancelled: number }> {
  try {
    return { value: await run() };
  } catch (err) {
    if (isAbort(err)) {
      progress.end();
      return { cancelled: reportCancelled(io, journaled) };
    }
    throw err;
  } finally {
    progress.end();
  }
}

/** Cancelled: what finished is journaled; say how to resume. Returns the exit code. */
export function reportCancelled(io: CliIo, journaled: boolean): number {
  io.stderr(journaled ? 'Cancelled. Finished variants are journaled: run the same command again to resume where it stopped.\n' : 'Cancelled (--no-journal: nothing to resume).\n');
  return 130;
}

export function isAbort(err: unknown): boolean {
  const e = err as { name?: string; kind?: string };
  return e?.name === 'AbortError' || e?.name === 'CancelledError' || (e?.name === 'SandboxError' && e.kind === 'cancelled');
}

export function fmtNum(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}
