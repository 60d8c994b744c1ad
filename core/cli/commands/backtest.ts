import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BacktestOptions, BacktestResult, FillPolicy } from '../../engine/types';
import type { BarSeries } from '../../data/series';
import { compileStrategy } from '../../strategy/compile';
import { resolveOptions } from '../../engine/simulate';
import { readStrategyInfo, type StaticStrategyInfo } from '../../strategy/config';
import type { Timeframe } from '../../sdk/types';
import { runStrategy, SANDBOX_MODES, type SandboxMode } from '../../run/runStrategy';
import { numberArg, paramArgs, parseCli } from '../args';
import { formatSummary } from '../summary';
import { CliError, type CliIo } from '../io';
import { loadRunData, DATA_SOURCES, type DataSourceName } from '../../run/data';

const USAGE = `Usage: strategy-lab backtest <strategy.ts> [--data file.csv | --source sample|csv|yahoo|alpaca] [--symbol S]
       [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--cash N] [--commission F] [--commission-fixed N] [--slippage-bps N]
       [--fill next-open|close] [--param name=value …] [--sandbox docker|process|none] [--json] [--out result.json]`;

const OPTIONS = {
  data: { type: 'string' },
  source: { type: 'string' },
  symbol: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  cash: { type: 'string' },
  commission: { type: 'string' },
  'commission-fixed': { type: 'string' },
  'slippage-bps': { type: 'string' },
  fill: { type: 'string' },
  param: { type: 'string', multiple: true },
  sandbox: { type: 'string' },
  json: { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface BacktestCommandResult {
  result: BacktestResult;
  dataLabel: string;
}

export async function runBacktestCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new CliError(`Give exactly one strategy file.\n${USAGE}`, 2);
  const file = resolve(positionals[0]);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch {
    throw new CliError(`Strategy file not found: ${positionals[0]}. Check the path, or create one with \`strategy-lab generate "<idea>"\`.`);
  }
  const info = readStrategyInfo(source, file);
  const sandbox = (values.sandbox ?? 'docker') as SandboxMode;
  if (!SANDBOX_MODES.includes(sandbox)) throw new CliError(`--sandbox must be one of ${SANDBOX_MODES.join(', ')}, got '${values.sandbox}'.`, 2);
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

  const { series, label } = await loadData(values, info, io);
  const compiled = await compileStrategy(source, file);
  if (!values.json) io.stderr(`Running ${info.className ?? 'strategy'} in ${describeMode(sandbox)}…\n`);
  const result = await runStrategy({
    compiled,
    series,
    options,
    mode: sandbox,
    signal: io.signal,
    onLog: (line) => io.stderr(`[${line.time === null ? '-' : new Date(line.time).toISOString().slice(0, 19).replace('T00:00:00', '')}] ${line.message}\n`),
  });

  const json = JSON.stringify({ metrics: result.metrics, trades: result.trades, equity: result.equity, orders: result.orders, run: { ...result.run, data: label } }, null, 2);
  if (values.out) {
    await writeFile(resolve(values.out), `${json}\n`);
    if (!values.json) io.stderr(`Saved the full result to ${values.out}\n`);
  }
  io.stdout(values.json ? `${json}\n` : formatSummary(result, label));
  return 0;
}

function describeMode(mode: SandboxMode): string {
  return mode === 'docker' ? 'the Docker sandbox' : mode === 'process' ? 'process mode (weaker isolation than Docker)' : 'this process (no sandbox: trusted code only)';
}

async function loadData(
  values: { data?: string; source?: string; symbol?: string; from?: string; to?: string },
  info: StaticStrategyInfo,
  io: CliIo,
): Promise<{ series: BarSeries[]; label: string }> {
  if (values.data && values.source && values.source !== 'csv') throw new CliError('Give either --data file.csv or --source, not both.', 2);
  const source = (values.data ? 'csv' : values.source ?? 'sample') as DataSourceName;
  if (!DATA_SOURCES.includes(source)) throw new CliError(`--source must be one of ${DATA_SOURCES.join(', ')}, got '${values.source}'.`, 2);
  const symbols = values.symbol ? [values.symbol] : info.config?.symbols;
  if (!symbols?.length) throw new CliError(`Cannot read the strategy's symbols (${info.problem ?? 'config.symbols is empty'}): pass --symbol TICKER.`, 2);
  return loadRunData({
    source,
    csvPath: values.data ? resolve(values.data) : undefined,
    symbols,
    timeframe: (info.config?.timeframe ?? '1d') as Timeframe,
    from: values.from,
    to: values.to,
    signal: io.signal,
    onWarning: (m) => io.stderr(`warning: ${m}\n`),
  });
}
