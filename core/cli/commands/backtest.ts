import { closeSync, openSync, writeSync } from 'node:fs';
import { LazyJsonArray, writeJsonPretty } from '../../report/jsonStream';
import { equityColumnsOf, equityPointAt, equityPointJson } from '../../engine/equityCurve';
import { resolve } from 'node:path';
import { compileStrategy } from '../../strategy/compile';
import { attachErrorLocation } from '../../strategy/errorLocation';
import { defaultCacheDir } from '../../data/cache';
import type { RunOverview } from '../../engine/backtest';
import type { BacktestResult, LogLine } from '../../engine/types';
import { overviewOfRun, runStrategy } from '../../run/runStrategy';
import { parseCli } from '../args';
import { formatSummary } from '../summary';
import { phaseTimer } from '../phases';
import { escapeLine } from '../terminal';
import type { CliIo } from '../io';
import { DATA_OPTIONS, DATA_USAGE, describeMode, loadData, readStrategyFile, sandboxArg } from '../runArgs';
import { RUN_OPTIONS, RUN_OPTIONS_USAGE, runOptionsArg } from '../runOptionArgs';
import { SANDBOX_RUNNER_OPTIONS, SANDBOX_RUNNER_USAGE, cliSandboxRunner } from '../sandboxArgs';

const USAGE = `Usage: strategy-lab backtest <strategy.ts> ${DATA_USAGE}
       ${SANDBOX_RUNNER_USAGE}
       ${RUN_OPTIONS_USAGE}
       [--json] [--out result.json]`;

const OPTIONS = {
  ...DATA_OPTIONS,
  ...SANDBOX_RUNNER_OPTIONS,
  ...RUN_OPTIONS,
  json: { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runBacktestCommand(argv: string[], io: CliIo): Promise<number> {
  const phases = phaseTimer();
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const { file, source, info } = await readStrategyFile(positionals, USAGE);
  const sandbox = sandboxArg(values, io, 'file');
  const options = runOptionsArg(values); // bad numbers are usage errors: said before any data is fetched

  // Flag errors (--warm, --memory-mb) before any data is fetched.
  const runner = cliSandboxRunner(sandbox, values, io, values.json);
  try {
    phases.mark('args');
    const { series, label } = await loadData(values, info, io);
    phases.mark('data');
    const compiled = await compileStrategy(source, file, { cacheDir: defaultCacheDir() });
    phases.mark('compile');
    if (!values.json) io.stderr(`Running ${escapeLine(info.className ?? 'strategy')} in ${describeMode(sandbox)}…\n`);
    const request = {
      compiled,
      series,
      options,
      phases,
      signal: io.signal,
      onLog: (line: LogLine) => io.stderr(`[${line.time === null ? '-' : new Date(line.time).toISOString().slice(0, 19).replace('T00:00:00', '')}] ${escapeLine(line.message)}\n`),
    };
    // reportError prints file:line:col and the bar
    const located = (err: unknown): Promise<unknown> => attachErrorLocation(err, source, compiled);
    if (!values.json && !values.out) {
      // Only the summary is printed: the run stops at its metrics (no trade, order or equity records), in this
      // process and in a sandbox alike.
      let overview: RunOverview;
      try {
        overview = await overviewOfRun({ ...request, mode: sandbox, runner });
      } catch (err) {
        throw await located(err);
      }
      if (sandbox !== 'none') phases.mark('run'); // the container's round trip (in this process the run marked its own phases)
      io.stdout(formatSummary(overview, label));
    } else {
      // the summary needs no curve, --json/--out write it from the full columns
      const result = await runStrategy({ ...request, mode: sandbox, equity: 'drawable', runner }).catch(async (err: unknown) => {
        throw await located(err);
      });
      phases.mark('run'); // in a sandbox: the container's round trip (in this process the run marked its own phases)
      report(result, label, values, io);
    }
    phases.mark('output');
    phases.report(io.stderr);
    return 0;
  } finally {
    await runner.dispose();
  }
}

function report(result: BacktestResult, label: string, values: { json?: boolean; out?: string }, io: CliIo): void {
  // The full result is serialised only when asked for (--json, --out), and in pieces: a million-bar equity curve
  // as one string costs a second and fails past ~5 M bars ("Invalid string length").
  // A decimated curve (a long in-process run) is written from its full columns: every bar, as a short run's is.
  const columns = equityColumnsOf(result);
  const { equityDecimated: _drawnOnly, ...run } = result.run;
  const equity = columns ? new LazyJsonArray(columns.time.length, (i) => equityPointAt(columns, i), (i, indent) => equityPointJson(columns, i, indent)) : result.equity;
  const full = { metrics: result.metrics, trades: result.trades, equity, orders: result.orders, run: { ...(columns ? run : result.run), data: label } };
  if (values.out) {
    writeJsonFile(resolve(values.out), full);
    if (!values.json) io.stderr(`Saved the full result to ${values.out}\n`);
  }
  if (values.json) {
    writeJsonPretty(full, io.stdout);
    io.stdout('\n');
  } else io.stdout(formatSummary(result, label));
}

/** Written as it is produced (synchronous writes: the CLI has nothing else to do meanwhile), never whole in memory. */
function writeJsonFile(path: string, value: unknown): void {
  const fd = openSync(path, 'w');
  try {
    writeJsonPretty(value, (t) => writeSync(fd, t));
    writeSync(fd, '\n');
  } finally {
    closeSync(fd);
  }
}
