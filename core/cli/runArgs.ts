/** Arguments shared by the commands that run a strategy (backtest, evaluate): the file, the data, the sandbox. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BarSeries } from '../data/series';
import { parseAdjustment } from '../data/provider';
import { parseTimeoutSeconds } from '../data/request';
import { loadRunData, DATA_SOURCES, type DataSourceName } from '../run/data';
import { SANDBOX_MODES, type SandboxMode } from '../run/runStrategy';
import { assertMayRunInProcess, inProcessWarning, type CodeOrigin } from '../run/trust';
import type { Timeframe } from '../sdk/types';
import { defaultCacheDir } from '../data/cache';
import { readStrategyInfoCached } from '../strategy/artifacts';
import type { StaticStrategyInfo } from '../strategy/config';
import { CliError, type CliIo } from './io';

export const DATA_OPTIONS = {
  data: { type: 'string' },
  source: { type: 'string' },
  symbol: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  adjust: { type: 'string' },
  // Not `--timeout`: generate has its own (the LLM's, in ms). `data fetch --timeout` is this one.
  'request-timeout': { type: 'string' },
  sandbox: { type: 'string' },
  trust: { type: 'boolean' },
} as const;

export const DATA_USAGE = `[--data file.csv | --source sample|csv|yahoo|alpaca] [--symbol S] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--adjust raw|split|all] [--request-timeout SECONDS] [--sandbox docker|process|none] [--trust]`;

export interface StrategyFile {
  file: string;
  source: string;
  info: StaticStrategyInfo;
}

export async function readStrategyFile(positionals: string[], usage: string): Promise<StrategyFile> {
  if (positionals.length !== 1) throw new CliError(`Give exactly one strategy file.\n${usage}`, 2);
  const file = resolve(positionals[0]);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch {
    throw new CliError(`Strategy file not found: ${positionals[0]}. Check the path, or create one with \`strategy-lab generate "<idea>"\`.`);
  }
  return { file, source, info: await readStrategyInfoCached(source, file, { cacheDir: defaultCacheDir() }) };
}

/**
 * The sandbox mode. `none` runs code in this process with the user's permissions, so it needs `--trust`
 * (a warning is printed); without it the command stops with what to do instead (core/run/trust.ts).
 */
export function sandboxArg(values: { sandbox?: string; trust?: boolean }, io: CliIo, origin: CodeOrigin): SandboxMode {
  const mode = (values.sandbox ?? 'docker') as SandboxMode;
  if (!SANDBOX_MODES.includes(mode)) throw new CliError(`--sandbox must be one of ${SANDBOX_MODES.join(', ')}, got '${values.sandbox}'.`, 2);
  if (values.trust && mode !== 'none') throw new CliError(`--trust only applies with --sandbox none (the ${mode} sandbox isolates the code already).`, 2);
  try {
    assertMayRunInProcess(mode, values.trust, origin);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  if (mode === 'none') io.stderr(`${inProcessWarning(origin)}\n`);
  return mode;
}

export function describeMode(mode: SandboxMode): string {
  return mode === 'docker' ? 'the Docker sandbox' : mode === 'process' ? 'process mode (weaker isolation than Docker)' : 'this process (no sandbox: trusted code only)';
}

/** The bars for a run: `--data` (CSV file or folder) or `--source`, the strategy's symbols unless `--symbol`, `--from`/`--to`. */
export async function loadData(
  values: DataValues,
  info: StaticStrategyInfo,
  io: CliIo,
): Promise<{ series: BarSeries[]; label: string }> {
  dataSource(values);
  const symbols = values.symbol ? [values.symbol] : info.config?.symbols;
  if (!symbols?.length) throw new CliError(`Cannot read the strategy's symbols (${info.problem ?? 'config.symbols is empty'}): pass --symbol TICKER.`, 2);
  return loadDataFor(values, symbols, (info.config?.timeframe ?? '1d') as Timeframe, io);
}

export type DataValues = { data?: string; source?: string; symbol?: string; from?: string; to?: string; adjust?: string; 'request-timeout'?: string };

/** The data source the options name (`--data` means csv); a conflict or an unknown source is a usage error. Check it before any work. */
export function dataSource(values: DataValues): DataSourceName {
  if (values.data && values.source && values.source !== 'csv') throw new CliError('Give either --data file.csv or --source, not both.', 2);
  const source = (values.data ? 'csv' : values.source ?? 'sample') as DataSourceName;
  if (!DATA_SOURCES.includes(source)) throw new CliError(`--source must be one of ${DATA_SOURCES.join(', ')}, got '${values.source}'.`, 2);
  return source;
}

/** The same data options for code that is not known yet (generate --refine): bars of these symbols (or `--symbol`) and timeframe. */
export async function loadDataFor(values: DataValues, symbols: string[], timeframe: Timeframe, io: CliIo): Promise<{ series: BarSeries[]; label: string }> {
  return loadRunData({
    source: dataSource(values),
    csvPath: values.data ? resolve(values.data) : undefined,
    symbols: values.symbol ? [values.symbol] : symbols,
    timeframe,
    from: values.from,
    to: values.to,
    adjustment: values.adjust === undefined ? undefined : parseAdjustment(values.adjust),
    requestTimeoutMs: values['request-timeout'] === undefined ? undefined : parseTimeoutSeconds(values['request-timeout']) * 1000,
    signal: io.signal,
    onWarning: (m) => io.stderr(`warning: ${m}\n`),
  });
}
