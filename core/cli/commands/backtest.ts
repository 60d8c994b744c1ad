import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BacktestOptions, BacktestResult, FillPolicy } from '../../engine/types';
import { compileStrategy } from '../../strategy/compile';
import { resolveOptions } from '../../engine/simulate';
import { runStrategy } from '../../run/runStrategy';
import { numberArg, paramArgs, parseCli } from '../args';
import { formatSummary } from '../summary';
import { CliError, type CliIo } from '../io';
import { DATA_OPTIONS, DATA_USAGE, describeMode, loadData, readStrategyFile, sandboxArg } from '../runArgs';
import { SANDBOX_RUNNER_OPTIONS, SANDBOX_RUNNER_USAGE, cliSandboxRunner } from '../sandboxArgs';

const USAGE = `Usage: strategy-lab backtest <strategy.ts> ${DATA_USAGE}
       ${SANDBOX_RUNNER_USAGE}
       [--cash N] [--commission F] [--commission-fixed N] [--slippage-bps N] [--fill next-open|close] [--param name=value …]
       [--json] [--out result.json]`;

const OPTIONS = {
  ...DATA_OPTIONS,
  ...SANDBOX_RUNNER_OPTIONS,
  cash: { type: 'string' },
  commission: { type: 'string' },
  'commission-fixed': { type: 'string' },
  'slippage-bps': { type: 'string' },
  fill: { type: 'string' },
  param: { type: 'string', multiple: true },
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
  const sandbox = sandboxArg(values, io, 'file');
  const fill = values.fill as FillPolicy | undefined;
  const options: BacktestOptions = {
    cash: numberArg('cash', values.cash),
    commission: numberArg('commission', values.commission),
    commissionFixed: numberArg('commission-fixed', values['commission-fixed']),
    slippageBps: numberArg('slippage-bps', values['slippage-bps']),
    fill,
    params: paramArgs(values.param),
  };
  try {
    resolveOptions(options); // bad numbers are usage errors: say so before any data is fetched
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }

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
