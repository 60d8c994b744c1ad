/**
 * `strategy-lab data …`: fetch bars into the cache, list it, clear it.
 *
 *   data fetch <symbol> [--interval 1d] [--from D] [--to D] [--source yahoo|alpaca|sample] [--raw]
 *   data ls          (with each file's health: header, size, ranges)
 *   data verify      (every file re-checked in full: checksum and bar rules)
 *   data clear [--provider P] [--symbol S]   (also removes dead writers' .tmp/.lock files)
 *
 * Common: --cache-dir DIR (default $STRATEGY_LAB_CACHE_DIR or ~/.cache/strategy-lab), --json.
 * Exit codes: 0 ok, 1 data error, 2 usage error.
 */
import { parseArgs } from 'node:util';
import type { CliIo } from '../io';
import { BarCache, defaultCacheDir } from '../../data/cache';
import { formatInstant, parseDateBound } from '../../data/dates';
import { DataError } from '../../data/errors';
import { parseTimeoutSeconds } from '../../data/request';
import { parseInterval } from '../../data/interval';
import { createProvider, defaultStart, describeAdjustment, parseAdjustment, parseSource, type ResolveOptions, type SourceId } from '../../data/provider';

/** The CLI's io (`core/cli/io.ts`): text sinks plus an optional abort signal. */
export type CommandIo = Pick<CliIo, 'stdout' | 'stderr' | 'signal'>;

/** Seams for tests: environment, clock, and providers to use instead of the real ones. */
export interface DataCommandDeps {
  env?: NodeJS.ProcessEnv;
  now?: () => number;
  providers?: ResolveOptions['providers'];
}

export const DATA_USAGE = `Usage:
  strategy-lab data fetch <symbol> [--interval 1d] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
                                   [--source yahoo|alpaca|sample] [--adjust raw|split|all] [--timeout S]
  strategy-lab data ls       list the cache, with each file's health
  strategy-lab data verify   re-check every cached file in full (exit 1 if any is damaged)
  strategy-lab data clear [--provider yahoo|alpaca] [--symbol SYM]

Options:
  --cache-dir DIR   cache folder (default: $STRATEGY_LAB_CACHE_DIR or ~/.cache/strategy-lab)
  --json            machine-readable output
  --adjust MODE     raw | split | all (default all: split- and dividend-adjusted; --raw = --adjust raw)
  --timeout S       seconds to wait for one provider request (default 30)
Intervals: 1m 2m 5m 15m 30m 1h 4h 1d 1wk. Dates are UTC; --to includes that day.
`;

class UsageError extends Error {}

export async function runDataCommand(argv: string[], io: CommandIo, deps: DataCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        interval: { type: 'string', short: 'i' },
        from: { type: 'string' },
        to: { type: 'string' },
        source: { type: 'string', short: 's' },
        raw: { type: 'boolean' },
        adjust: { type: 'string' },
        timeout: { type: 'string' },
        'request-timeout': { type: 'string' },
        provider: { type: 'string' },
        symbol: { type: 'string' },
        'cache-dir': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${DATA_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, ...rest] = positionals;
  if (values.help || !sub) {
    (values.help ? io.stdout : io.stderr)(DATA_USAGE);
    return values.help ? 0 : 2;
  }
  const cacheDir = values['cache-dir'] ?? defaultCacheDir(env);
  const warnings: string[] = [];
  const onWarning = (m: string): void => { warnings.push(m); io.stderr(`warning: ${m}\n`); };
  try {
    switch (sub) {
      case 'fetch':
        return await fetchCommand(rest, values, cacheDir, io, deps, onWarning);
      case 'ls':
      case 'list':
        return await listCommand(cacheDir, values.json === true, io, onWarning, false);
      case 'verify':
        return await listCommand(cacheDir, values.json === true, io, onWarning, true);
      case 'clear': {
        const removed = await new BarCache(cacheDir, { onWarning }).clear({ provider: values.provider, symbol: values.symbol });
        if (values.json) io.stdout(`${JSON.stringify({ removed, cacheDir })}\n`);
        else io.stdout(`Removed ${removed} cached series from ${cacheDir}.\n`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown data command '${sub}'.`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n\n${DATA_USAGE}`);
      return 2;
    }
    if (error instanceof DataError) {
      if (values.json) io.stdout(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
      io.stderr(`error [${error.code}]: ${error.message}\n`);
      return error.code === 'bad-request' || error.code === 'bad-interval' ? 2 : 1;
    }
    throw error;
  }
}

async function fetchCommand(
  rest: string[],
  values: { interval?: string; from?: string; to?: string; source?: string; raw?: boolean; adjust?: string; timeout?: string; 'request-timeout'?: string; json?: boolean; 'cache-dir'?: string },
  cacheDir: string,
  io: CommandIo,
  deps: DataCommandDeps,
  onWarning: (m: string) => void,
): Promise<number> {
  if (rest.length !== 1) throw new UsageError(rest.length ? `data fetch takes one symbol, got: ${rest.join(' ')}` : 'data fetch needs a symbol, e.g. `data fetch SPY`.');
  const symbol = rest[0].trim().toUpperCase();
  const source = parseSource(values.source ?? 'yahoo') as SourceId;
  if (source === 'csv') throw new UsageError('data fetch reads from yahoo, alpaca or sample; to use a CSV file, pass it to the backtest with --data <file-or-folder>.');
  const interval = parseInterval(values.interval ?? '1d');
  const now = (deps.now ?? Date.now)();
  const start = values.from ? parseDateBound(values.from, '--from') : source === 'sample' ? -8.64e15 : defaultStart(interval, now);
  const end = values.to ? parseDateBound(values.to, '--to', true) : source === 'sample' ? 8.64e15 : now;
  if (values.raw && values.adjust && values.adjust !== 'raw') throw new UsageError(`--raw contradicts --adjust ${values.adjust}.`);
  // --raw alone keeps its old meaning per provider (Yahoo: split-adjusted, its rawest); --adjust is exact.
  const adjustment = values.adjust === undefined ? undefined : parseAdjustment(values.adjust);
  const adjusted = adjustment ? adjustment === 'all' : !values.raw;
  const timeout = values.timeout ?? values['request-timeout'];
  const requestTimeoutMs = timeout === undefined ? undefined : parseTimeoutSeconds(timeout) * 1000;
  const provider = await createProvider(source, { cacheDir, onWarning, now: deps.now, providers: deps.providers, requestTimeoutMs, env: deps.env });
  const series = await provider.fetch({ symbol, interval, start, end, adjusted, adjustment }, io.signal);
  const first = formatInstant(series.time[0]);
  const last = formatInstant(series.time[series.length - 1]);
  const label = series.source?.label ?? source;
  if (values.json) {
    io.stdout(`${JSON.stringify({ symbol, interval, source, adjusted, bars: series.length, first, last, lastClose: series.close[series.length - 1], label, synthetic: series.source?.synthetic ?? false, cacheDir: source === 'sample' ? null : cacheDir })}\n`);
  } else {
    io.stdout(`${symbol} ${interval}: ${series.length} bars, ${first} … ${last}, last close ${series.close[series.length - 1]}\n`);
    io.stdout(`source: ${label}\n`);
    io.stdout(`${describeAdjustment([series])}\n`);
    if (source !== 'sample') io.stdout(`cached in ${cacheDir}\n`);
  }
  return 0;
}

async function listCommand(cacheDir: string, json: boolean, io: CommandIo, onWarning: (m: string) => void, deep: boolean): Promise<number> {
  const entries = await new BarCache(cacheDir, { onWarning }).list({ deep });
  const damaged = entries.filter((e) => !e.health.ok);
  const verdict = deep && damaged.length ? 1 : 0;
  if (json) {
    io.stdout(`${JSON.stringify({ cacheDir, damaged: damaged.length, entries: entries.map((e) => ({ ...e, coveredFrom: formatInstant(e.coveredFrom), coveredTo: formatInstant(e.coveredTo) })) })}\n`);
    return verdict;
  }
  if (entries.length === 0) {
    io.stdout(`The cache at ${cacheDir} is empty. Fill it with: strategy-lab data fetch SPY\n`);
    return 0;
  }
  const rows = entries.map((e) => [e.provider, e.symbol, e.interval, e.path.match(/~(\w+)\.bars$/)?.[1] ?? (e.adjusted ? 'adj' : 'raw'), String(e.bars), `${formatInstant(e.coveredFrom)} … ${formatInstant(e.coveredTo)}`, formatBytes(e.bytes), e.health.ok ? 'ok' : `DAMAGED: ${e.health.problem}`]);
  const head = ['provider', 'symbol', 'interval', 'prices', 'bars', 'covered', 'size', 'health'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  io.stdout(`${cacheDir}\n${line(head)}\n${rows.map(line).join('\n')}\n`);
  const total = entries.reduce((s, e) => s + e.bytes, 0);
  io.stdout(`${entries.length} series, ${formatBytes(total)}${deep ? ', every file re-checked in full (checksum and bar rules)' : ''}\n`);
  if (damaged.length) {
    io.stdout(`${damaged.length} damaged: the next run discards and refetches them, or remove them now with: strategy-lab data clear --symbol <SYM>\n`);
  }
  return verdict;
}


function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
