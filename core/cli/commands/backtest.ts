import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BacktestOptions, BacktestResult, FillPolicy } from '../../engine/types';
import type { BarSeries } from '../../data/series';
import { loadCsv } from '../../data/csv';
import { compileStrategy } from '../../strategy/compile';
import { readStrategyInfo } from '../../strategy/config';
import { parseTime } from '../../engine/time';
import { sliceSeries } from '../../data/series';
import { runStrategy, SANDBOX_MODES, type SandboxMode } from '../../run/runStrategy';
import { numberArg, paramArgs, parseCli } from '../args';
import { formatSummary } from '../summary';
import { CliError, type CliIo } from '../io';
import { loadSeriesFromSource, DATA_SOURCES, type DataSourceName } from '../../run/data';

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

  const { series, label } = await loadData(values, info.config?.symbols, info.config?.timeframe, io.signal);
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
  configSymbols: string[] | undefined,
  timeframe: string | undefined,
  signal?: AbortSignal,
): Promise<{ series: BarSeries[]; label: string }> {
  const from = dateArg('from', values.from);
  const to = dateArg('to', values.to, true);
  if (from !== undefined && to !== undefined && from > to) throw new CliError(`--from ${values.from} is after --to ${values.to}.`, 2);
  if (values.data) {
    if (values.source && values.source !== 'csv') throw new CliError('Give either --data file.csv or --source, not both.', 2);
    const symbol = values.symbol ?? (configSymbols?.length === 1 ? configSymbols[0] : undefined);
    const series = sliceSeries(await loadCsv(resolve(values.data), { symbol }), from, to);
    if (series.length === 0) throw new CliError(`No bars in ${values.data} between ${values.from ?? 'the start'} and ${values.to ?? 'the end'}.`);
    return { series: [series], label: `CSV ${values.data}` };
  }
  const sourceName = (values.source ?? 'sample') as DataSourceName;
  if (!DATA_SOURCES.includes(sourceName)) throw new CliError(`--source must be one of ${DATA_SOURCES.join(', ')}, got '${values.source}'.`, 2);
  const symbols = values.symbol ? [values.symbol] : configSymbols;
  if (!symbols?.length) throw new CliError('The strategy has no readable `static config.symbols`: pass --symbol TICKER.', 2);
  return loadSeriesFromSource({ source: sourceName, symbols, timeframe: timeframe ?? '1d', from, to, signal });
}

function dateArg(name: string, value: string | undefined, endOfDay = false): number | undefined {
  if (value === undefined) return undefined;
  const t = parseTime(value);
  if (Number.isNaN(t)) throw new CliError(`--${name} must be a date like 2020-01-31, got '${value}'.`, 2);
  return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(value) ? t + 86_400_000 - 1 : t;
}
