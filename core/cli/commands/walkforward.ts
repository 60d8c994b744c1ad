import { relative } from 'node:path';
import { writeJsonPretty } from '../../report/jsonStream';
import { OBJECTIVE_LABELS } from '../../sweep/score';
import { describeLength, parseLength, runWalkForward, type WalkForwardResult, type WindowSpec } from '../../sweep/walkforward';
import { parseCli } from '../args';
import { CliError, type CliIo } from '../io';
import { escapeLine } from '../terminal';
import { fmtNum, prepareSweep, progressPrinter, SWEEP_OPTIONS, SWEEP_USAGE, sweepInputs, usageErrors, withProgress, type SweepValues } from '../sweepArgs';

const USAGE = `Usage: strategy-lab walkforward <strategy.ts> --in-sample LEN --out-of-sample LEN [--step LEN] [--anchored]
       ${SWEEP_USAGE}

  LEN is a number of bars (500) or a duration (90d, 6w, 6m, 2y). In each in-sample window the sweep picks the
  best variant (objective, constraints); it then runs on the next out-of-sample window; the out-of-sample curves
  are stitched by compounding. --step defaults to the out-of-sample length. docs/optimize.md`;

const OPTIONS = {
  ...SWEEP_OPTIONS,
  'in-sample': { type: 'string' },
  'out-of-sample': { type: 'string' },
  step: { type: 'string' },
  anchored: { type: 'boolean' },
} as const;

export async function runWalkforwardCommand(argv: string[], io: CliIo, context: { cwd?: string } = {}): Promise<number> {
  const cwd = context.cwd ?? process.cwd();
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (!values['in-sample'] || !values['out-of-sample']) throw new CliError(`Give --in-sample and --out-of-sample lengths (e.g. --in-sample 2y --out-of-sample 6m).\n${USAGE}`, 2);
  const windows: WindowSpec = usageErrors(() => ({
    inSample: parseLength(values['in-sample']!, '--in-sample'),
    outOfSample: parseLength(values['out-of-sample']!, '--out-of-sample'),
    step: values.step === undefined ? undefined : parseLength(values.step, '--step'),
    anchored: values.anchored === true,
  }));
  const setup = await prepareSweep(values as SweepValues, positionals, USAGE, io);
  const progress = progressPrinter(io, 'runs');
  try {
    const outcome = await withProgress(progress, io, !values['no-journal'], () =>
      usageErrorsAsync(() => runWalkForward({ ...sweepInputs(setup, values as SweepValues, io, cwd, 'walkforward'), windows, onProgress: (p, stage) => progress.update(p, stage) })),
    );
    if ('cancelled' in outcome) return outcome.cancelled;
    const result = outcome.value;
    if (values.json) {
      writeJsonPretty(
        {
          command: 'walkforward',
          strategy: setup.className,
          data: setup.dataLabel,
          engine: setup.engine.name,
          key: result.key,
          journal: result.journal ? relative(cwd, result.journal) : null,
          windowSpec: { inSample: describeLength(windows.inSample), outOfSample: describeLength(windows.outOfSample), step: describeLength(windows.step ?? windows.outOfSample), anchored: windows.anchored },
          objective: { name: result.objective, label: OBJECTIVE_LABELS[result.objective] },
          constraints: setup.constraints,
          runs: result.runs,
          variantsTried: result.variantsTried,
          trials: result.trials,
          efficiency: result.efficiency,
          oos: result.oos,
          stability: result.stability,
          windows: result.windows.map((w) => ({
            index: w.index,
            inSample: { from: iso(w.isFrom), to: iso(w.isTo), bars: w.isBars },
            outOfSample: { from: iso(w.isTo), to: iso(w.oosTo), bars: w.oosBars },
            chosen: w.chosen ? { params: w.chosen.params, objective: w.chosen.objective, returnAnnPct: w.chosen.returnAnnPct, sharpe: w.chosen.sharpe } : null,
            oos: w.oos,
            efficiency: w.efficiency,
          })),
          equity: result.equity.time.map((t, i) => ({ time: iso(t), equity: result.equity.equity[i] })),
        },
        io.stdout,
      );
      io.stdout('\n');
      return 0;
    }
    io.stdout(formatWalkForward(result, setup.space.map((d) => d.name), windows));
    return 0;
  } finally {
    await setup.engine.dispose();
    await setup.runner.dispose();
  }
}

async function usageErrorsAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    return usageErrors(() => {
      throw err;
    });
  }
}

function iso(t: number): string {
  return new Date(t).toISOString().slice(0, 10);
}

function formatWalkForward(r: WalkForwardResult, names: string[], spec: WindowSpec): string {
  const lines = [
    `Walk-forward: ${spec.anchored ? 'anchored' : 'rolling'} windows, in-sample ${describeLength(spec.inSample)}, out-of-sample ${describeLength(spec.outOfSample)}, step ${describeLength(spec.step ?? spec.outOfSample)}; objective ${OBJECTIVE_LABELS[r.objective]}`,
    '',
  ];
  const header = ['window', 'in-sample', 'out-of-sample', ...names, 'IS ann %', 'OOS ann %', 'OOS Sharpe', 'WFE'];
  const rows = r.windows.map((w) => [
    String(w.index + 1),
    `${iso(w.isFrom)}…${iso(w.isTo)}`,
    `${iso(w.isTo)}…${iso(w.oosTo)}`,
    ...names.map((n) => (w.chosen ? String(w.chosen.params[n]) : '—')),
    fmtNum(w.chosen?.returnAnnPct, 1),
    w.oos?.error ? `failed: ${escapeLine(w.oos.error)}` : fmtNum(w.oos?.returnAnnPct, 1),
    fmtNum(w.oos?.sharpe),
    fmtNum(w.efficiency),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  lines.push(fmt(header), ...rows.map(fmt), '');
  lines.push(`Stitched out-of-sample: return ${fmtNum(r.oos.returnPct, 1)} %, annualised ${fmtNum(r.oos.returnAnnPct, 1)} %, Sharpe ${fmtNum(r.oos.sharpe)}, max drawdown ${fmtNum(r.oos.maxDrawdownPct, 1)} %`);
  lines.push(`Walk-forward efficiency: ${fmtNum(r.efficiency)} (stitched OOS annualised return / mean in-sample annualised return of the chosen variants)`);
  lines.push('Parameter stability across windows:');
  for (const s of r.stability) lines.push(`  ${s.name}: ${s.values.join(', ') || '—'} — ${s.distinct} distinct, most common in ${Math.round(s.modeShare * 100)} % of windows${s.relativeSpread === null ? '' : `, relative spread ${fmtNum(s.relativeSpread)}`}`);
  lines.push(`Trials: ${r.variantsTried} variant(s) × ${r.windows.length} window(s) = ${r.runs} in-sample runs; ${r.trials} trial(s) for this strategy in all.`);
  if (r.journal) lines.push(`Journal: ${relative(process.cwd(), r.journal) || r.journal}`);
  return `${lines.join('\n')}\n`;
}
