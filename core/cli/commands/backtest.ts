import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BacktestResult } from '../../engine/types';
import { compileStrategy } from '../../strategy/compile';
import { runStrategy } from '../../run/runStrategy';
import { parseCli } from '../args';
import { formatSummary } from '../summary';
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
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const { file, source, info } = await readStrategyFile(positionals, USAGE);
  const sandbox = sandboxArg(values.sandbox);
  const options = runOptionsArg(values); // bad numbers are usage errors: said before any data is fetched

  // Flag errors (--warm, --memory-mb) before any data is fetched.
  const runner = cliSandboxRunner(sandbox, values, io, values.json);
  try {
    const { series, label } = await loadData(values, info, io);
    const compiled = await compileStrategy(source, file);
    if (!values.json) io.stderr(`Running ${info.className ?? 'strategy'} in ${describeMode(sandbox)}…\n`);
    const result = await runStrategy({
      compiled,
      series,
      options,
      mode: sandbox,
      runner,
      signal: io.signal,
      onLog: (line) => io.stderr(`[${line.time === null ? '-' : new Date(line.time).toISOString().slice(0, 19).replace('T00:00:00', '')}] ${line.message}\n`),
    });
    return await report(result, label, values, io);
  } finally {
    await runner.dispose();
  }
}

async function report(result: BacktestResult, label: string, values: { json?: boolean; out?: string }, io: CliIo): Promise<number> {
  const json = JSON.stringify({ metrics: result.metrics, trades: result.trades, equity: result.equity, orders: result.orders, run: { ...result.run, data: label } }, null, 2);
  if (values.out) {
    await writeFile(resolve(values.out), `${json}\n`);
    if (!values.json) io.stderr(`Saved the full result to ${values.out}\n`);
  }
  io.stdout(values.json ? `${json}\n` : formatSummary(result, label));
  return 0;
}
