/**
 * `strategy-lab evaluate <strategy.ts>`: backtest the strategy (in the sandbox
 * by default), then run every evaluator and print the verdicts, the findings
 * on code lines, per-trade reasons and the overall score (or --json).
 * LLM evaluators use OPENAI_API_KEY and the same --model/--base-url as
 * generate; without a key they are skipped.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { BacktestOptions } from '../../engine/types';
import { findingsToDiagnostics } from '../../evaluate/code/diagnostics';
import { formatReport } from '../../evaluate/format';
import { chatClientFrom } from '../../evaluate/llm/client';
import { evaluateStrategy } from '../../evaluate/pipeline';
import { loadRunData, DATA_SOURCES, type DataSourceName } from '../../run/data';
import { SANDBOX_MODES, type SandboxMode } from '../../run/runStrategy';
import type { Timeframe } from '../../sdk/types';
import { readStrategyInfo } from '../../strategy/config';
import { numberArg, paramArgs, parseCli } from '../args';
import { CliError, type CliIo } from '../io';

const USAGE = `Usage: strategy-lab evaluate <strategy.ts> [--request "..."] [--data file.csv | --source sample|csv|yahoo|alpaca] [--symbol S]
       [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--param name=value …] [--sandbox docker|process|none]
       [--model M] [--base-url URL] [--no-llm] [--trades N] [--json]
  LLM evaluators run when OPENAI_API_KEY is set (same provider settings as generate); otherwise they are skipped.`;

const OPTIONS = {
  request: { type: 'string' },
  data: { type: 'string' },
  source: { type: 'string' },
  symbol: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  param: { type: 'string', multiple: true },
  sandbox: { type: 'string' },
  model: { type: 'string' },
  'base-url': { type: 'string' },
  'no-llm': { type: 'boolean' },
  trades: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface EvaluateCommandContext {
  /** Where OPENAI_API_KEY is read from. */
  env?: NodeJS.ProcessEnv;
}

export async function runEvaluateCommand(argv: string[], io: CliIo, context: EvaluateCommandContext = {}): Promise<number> {
  const env = context.env ?? process.env;
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
  const sandbox = (values.sandbox ?? 'docker') as SandboxMode;
  if (!SANDBOX_MODES.includes(sandbox)) throw new CliError(`--sandbox must be one of ${SANDBOX_MODES.join(', ')}, got '${values.sandbox}'.`, 2);
  const shown = numberArg('trades', values.trades);
  if (shown !== undefined && !(Number.isInteger(shown) && shown >= 0)) throw new CliError('--trades must be a whole number ≥ 0.', 2);
  const options: BacktestOptions = { params: paramArgs(values.param) };

  // TODO(lead): replace with the backtest command's own data loading once exported (see the issue 7 report).
  if (values.data && values.source && values.source !== 'csv') throw new CliError('Give either --data file.csv or --source, not both.', 2);
  const dataSource = (values.data ? 'csv' : values.source ?? 'sample') as DataSourceName;
  if (!DATA_SOURCES.includes(dataSource)) throw new CliError(`--source must be one of ${DATA_SOURCES.join(', ')}, got '${values.source}'.`, 2);
  const info = readStrategyInfo(source, file);
  const symbols = values.symbol ? [values.symbol] : info.config?.symbols;
  if (!symbols?.length) throw new CliError(`Cannot read the strategy's symbols (${info.problem ?? 'config.symbols is empty'}): pass --symbol TICKER.`, 2);
  const { series, label } = await loadRunData({
    source: dataSource,
    csvPath: values.data ? resolve(values.data) : undefined,
    symbols,
    timeframe: (info.config?.timeframe ?? '1d') as Timeframe,
    from: values.from,
    to: values.to,
    signal: io.signal,
    onWarning: (m) => io.stderr(`warning: ${m}\n`),
  });

  const apiKey = values['no-llm'] ? undefined : env.OPENAI_API_KEY?.trim() || undefined;
  const llm = chatClientFrom({ apiKey, settings: { model: values.model, baseUrl: values['base-url'] } });
  if (!values.json) io.stderr(`Evaluating ${info.className ?? 'strategy'} on ${label} (${sandbox === 'none' ? 'no sandbox: trusted code only' : sandbox})…\n`);
  const report = await evaluateStrategy({
    source,
    fileName: file,
    request: values.request,
    series,
    options,
    mode: sandbox,
    llm,
    signal: io.signal,
    onProgress: values.json ? undefined : (m) => io.stderr(`  ${m}\n`),
  });
  if (values.json) {
    io.stdout(`${JSON.stringify({ ...report, diagnostics: findingsToDiagnostics(source, report.findings, file), data: label }, null, 2)}\n`);
  } else io.stdout(formatReport(report, source, { trades: shown }));
  // Exit 1 when the numbers cannot be trusted, so CI can gate on it.
  return report.criticalFailures.length ? 1 : 0;
}
