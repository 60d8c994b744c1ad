import { relative } from 'node:path';
import { writeJsonPretty } from '../../report/jsonStream';
import { heatmapOf, type Heatmap, type HeatmapOthers } from '../../sweep/heatmap';
import { runVariantFull, sweptParams } from '../../sweep/best';
import { runSweep, type SweepResult } from '../../sweep/sweep';
import { OBJECTIVE_LABELS, type RankedVariant } from '../../sweep/score';
import type { ParamDimension } from '../../sweep/space';
import { parseCli, numberArg } from '../args';
import { CliError, type CliIo } from '../io';
import { DATA_OPTIONS } from '../runArgs';
import { RUN_OPTIONS } from '../runOptionArgs';
import { SANDBOX_RUNNER_OPTIONS } from '../sandboxArgs';
import { formatSummary } from '../summary';
import { escapeLine } from '../terminal';
import { fmtNum, prepareSweep, progressPrinter, SWEEP_OPTIONS, SWEEP_USAGE, sweepInputs, usageErrors, withProgress, type SweepValues } from '../sweepArgs';

const USAGE = `Usage: strategy-lab optimize <strategy.ts> ${SWEEP_USAGE}
       [--top N] [--heatmap X,Y] [--heatmap-others best|mean] [--full]

  Runs every variant of the parameter space (or a sample of it), ranks them by the objective under the
  constraints, and reports the honest-trials figures: variants tried, PBO (CSCV) and the best's deflated Sharpe.
  Finished variants are journaled under .strategy-lab/sweeps/: an interrupted run resumes where it stopped.
  --full re-runs the best variant and prints its full backtest. docs/optimize.md`;

const OPTIONS = {
  ...SWEEP_OPTIONS,
  top: { type: 'string' },
  heatmap: { type: 'string' },
  'heatmap-others': { type: 'string' },
  full: { type: 'boolean' },
} as const;

export interface OptimizeContext {
  /** Holds `.strategy-lab/` (journal, trial count); default the current directory. */
  cwd?: string;
}

export async function runOptimizeCommand(argv: string[], io: CliIo, context: OptimizeContext = {}): Promise<number> {
  const cwd = context.cwd ?? process.cwd();
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const top = numberArg('top', values.top) ?? 20;
  if (!(Number.isInteger(top) && top >= 1)) throw new CliError(`--top must be a whole number ≥ 1, got '${values.top}'.`, 2);
  const others = (values['heatmap-others'] ?? 'best') as HeatmapOthers;
  if (others !== 'best' && others !== 'mean') throw new CliError(`--heatmap-others must be best or mean, got '${values['heatmap-others']}'.`, 2);
  const axes = values.heatmap?.split(',').map((s) => s.trim());
  if (axes && axes.length !== 2) throw new CliError(`--heatmap takes two swept params, e.g. --heatmap period,buyBelow; got '${values.heatmap}'.`, 2);

  const setup = await prepareSweep(values as SweepValues, positionals, USAGE, io);
  const progress = progressPrinter(io, 'variants');
  try {
    if (axes) usageErrors(() => checkAxes(axes, setup.space));
    if (!values.json) io.stderr(`Optimizing ${escapeLine(setup.className)}: ${setup.space.map((d) => `${d.name} (${d.values.length})`).join(' × ')}, ${setup.sampling.method} sampling, on ${escapeLine(setup.dataLabel)} (${setup.engine.name} engine)…\n`);
    const outcome = await withProgress(progress, io, !values['no-journal'], () =>
      runSweep({ ...sweepInputs(setup, values as SweepValues, io, cwd, 'optimize'), splits: setup.splits, onProgress: (p) => progress.update(p) }),
    );
    if ('cancelled' in outcome) return outcome.cancelled;
    const result = outcome.value;
    const heatmap = axes ? heatmapOf(result.ranked, setup.space, axes[0], axes[1], others) : undefined;
    const bestParams = result.best ? sweptParams(result.best.params, setup.space.map((d) => d.name)) : null;
    const command = bestParams ? backtestCommand(relative(cwd, setup.file) || setup.file, values as Record<string, unknown>, bestParams) : null;
    const full = values.full && bestParams ? await runVariantFull(setup.engine, { compiled: setup.compiled, series: setup.series, options: setup.options, signal: io.signal }, bestParams) : undefined;
    if (values.json) {
      writeJsonPretty(
        {
          command: 'optimize',
          strategy: setup.className,
          data: setup.dataLabel,
          engine: setup.engine.name,
          key: result.key,
          journal: result.journal ? relative(cwd, result.journal) : null,
          space: setup.space,
          sampling: setup.sampling,
          objective: { name: result.objective, label: OBJECTIVE_LABELS[result.objective] },
          constraints: result.constraints,
          variantsTried: result.variantsTried,
          gridSize: result.gridSize,
          resumed: result.resumed,
          trials: result.trials,
          pbo: { value: result.pbo.pbo, splits: result.pbo.splits, combinations: result.pbo.combinations, totalCombinations: result.pbo.totalCombinations, variants: result.pbo.variants, problem: result.pbo.problem ?? null },
          deflatedSharpe: result.deflatedSharpe,
          best: result.best ? row(result.best) : null,
          bestCommand: command,
          variants: result.ranked.map(row),
          heatmap: heatmap ?? null,
          ...(full ? { bestResult: { metrics: full.metrics, trades: full.trades, equity: full.equity, orders: full.orders, run: full.run } } : {}),
        },
        io.stdout,
      );
      io.stdout('\n');
      return 0;
    }
    io.stdout(formatReport(result, setup.space, top, heatmap, command));
    if (full) io.stdout(`\nFull result of the best variant:\n${formatSummary(full, setup.dataLabel)}`);
    return 0;
  } finally {
    await setup.engine.dispose();
    await setup.runner.dispose();
  }
}

function checkAxes(axes: string[], space: ParamDimension[]): void {
  heatmapOf([], space, axes[0], axes[1], 'mean');
}

function row(v: RankedVariant) {
  return {
    rank: v.rank,
    id: v.id,
    params: v.params,
    objective: v.objective,
    feasible: v.feasible,
    violations: v.violations,
    sharpe: v.sharpe,
    returnPct: v.returnPct,
    returnAnnPct: v.returnAnnPct,
    calmar: v.calmar,
    maxDrawdownPct: v.maxDrawdownPct,
    trades: v.trades,
    psr: v.psr,
    ...(v.error ? { error: v.error } : {}),
  };
}

const PASS_THROUGH = new Set([...Object.keys(DATA_OPTIONS), ...Object.keys(SANDBOX_RUNNER_OPTIONS), ...Object.keys(RUN_OPTIONS)].filter((k) => k !== 'param'));

/** The `strategy-lab backtest` command that gives the best variant's full result: same data, sandbox and costs. */
export function backtestCommand(file: string, values: Record<string, unknown>, params: Record<string, unknown>): string {
  const parts = ['strategy-lab', 'backtest', quote(file)];
  for (const [k, v] of Object.entries(values)) {
    if (!PASS_THROUGH.has(k) || v === undefined || v === false) continue;
    parts.push(v === true ? `--${k}` : `--${k} ${quote(String(v))}`);
  }
  for (const [k, v] of Object.entries(params)) parts.push(`--param ${k}=${v}`);
  return parts.join(' ');
}

function quote(s: string): string {
  return /^[\w./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function formatReport(r: SweepResult, space: ParamDimension[], top: number, heatmap: Heatmap | undefined, command: string | null): string {
  const names = space.map((d) => d.name);
  const header = ['rank', ...names, 'objective', 'Sharpe', 'Return %', 'Calmar', 'MaxDD %', 'Trades', ''];
  const rows = r.ranked.slice(0, top).map((v) => [
    String(v.rank),
    ...names.map((n) => String(v.params[n])),
    fmtNum(v.objective, 3),
    fmtNum(v.sharpe),
    fmtNum(v.returnPct, 1),
    fmtNum(v.calmar),
    fmtNum(v.maxDrawdownPct, 1),
    String(v.trades),
    v.feasible ? '' : escapeLine(v.violations.join('; ')),
  ]);
  const lines = [`Objective: ${OBJECTIVE_LABELS[r.objective]}${constraintText(r)}`, '', ...table(header, rows)];
  if (r.ranked.length > top) lines.push(`(${top} of ${r.ranked.length} variants shown; --top N for more, --json for all)`);
  lines.push('');
  if (r.best) lines.push(`Best: ${names.map((n) => `${n}=${r.best!.params[n]}`).join(', ')} — objective ${fmtNum(r.best.objective, 3)}`);
  else lines.push('Best: none — no variant met the constraints (or none had an objective).');
  const pbo = r.pbo.pbo === null ? `PBO not computed (${r.pbo.problem})` : `PBO ${r.pbo.pbo.toFixed(2)} (CSCV, S=${r.pbo.splits}, ${r.pbo.combinations.toLocaleString('en-US')} of ${r.pbo.totalCombinations.toLocaleString('en-US')} splits)`;
  lines.push(`Trials: ${r.variantsTried} variant(s) tried${r.resumed ? ` (${r.resumed} from the journal)` : ''}; ${r.trials} for this strategy in all; ${pbo}; deflated Sharpe of the best ${fmtNum(r.deflatedSharpe, 3)} over ${r.trials} trial(s).`);
  if (heatmap) lines.push('', ...formatHeatmap(heatmap));
  if (command) lines.push('', `Full result of the best: ${command}   (or add --full)`);
  if (r.journal) lines.push(`Journal: ${relative(process.cwd(), r.journal) || r.journal}`);
  return `${lines.join('\n')}\n`;
}

function constraintText(r: SweepResult): string {
  const c: string[] = [];
  if (r.constraints.minTrades !== undefined) c.push(`≥ ${r.constraints.minTrades} trades`);
  if (r.constraints.maxDrawdownPct !== undefined) c.push(`drawdown ≤ ${r.constraints.maxDrawdownPct} %`);
  return c.length ? `; constraints: ${c.join(', ')}` : '';
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

function formatHeatmap(h: Heatmap): string[] {
  const how = h.others === 'best' ? (h.fixed && Object.keys(h.fixed).length ? `others fixed at the best (${Object.entries(h.fixed).map(([k, v]) => `${k}=${v}`).join(', ')})` : 'no other params') : 'mean over the other params';
  const header = [`${h.y} \\ ${h.x}`, ...h.xValues.map(String)];
  const rows = h.yValues.map((y, yi) => [String(y), ...h.cells[yi].map((c) => fmtNum(c, 3))]);
  return [`Heatmap of the objective, ${h.x} × ${h.y}, ${how}; — = not run or no variant met the constraints:`, ...table(header, rows)];
}
