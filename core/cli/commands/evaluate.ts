/**
 * `strategy-lab evaluate <strategy.ts>`: backtest the strategy (in the sandbox
 * by default), then run every evaluator and print the verdicts, the findings
 * on code lines, per-trade reasons and the overall score (or --json).
 * LLM evaluators use OPENAI_API_KEY and the same --model/--base-url as
 * generate; without a key they are skipped.
 */
import type { BacktestOptions } from '../../engine/types';
import { findingsToDiagnostics } from '../../evaluate/code/diagnostics';
import { formatReport } from '../../evaluate/format';
import { chatClientFrom } from '../../evaluate/llm/client';
import { evaluateStrategy } from '../../evaluate/pipeline';
import { numberArg, paramArgs, parseCli } from '../args';
import { CliError, type CliIo } from '../io';
import { DATA_OPTIONS, DATA_USAGE, describeMode, loadData, readStrategyFile, sandboxArg } from '../runArgs';

const USAGE = `Usage: strategy-lab evaluate <strategy.ts> [--request "..."] ${DATA_USAGE}
       [--param name=value …] [--model M] [--base-url URL] [--no-llm] [--trades N] [--json]
  LLM evaluators run when OPENAI_API_KEY is set (same provider settings as generate); otherwise they are skipped.`;

const OPTIONS = {
  ...DATA_OPTIONS,
  request: { type: 'string' },
  param: { type: 'string', multiple: true },
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
  const { file, source, info } = await readStrategyFile(positionals, USAGE);
  const sandbox = sandboxArg(values.sandbox);
  const shown = numberArg('trades', values.trades);
  if (shown !== undefined && !(Number.isInteger(shown) && shown >= 0)) throw new CliError('--trades must be a whole number ≥ 0.', 2);
  const options: BacktestOptions = { params: paramArgs(values.param) };

  const { series, label } = await loadData(values, info, io);

  const apiKey = values['no-llm'] ? undefined : env.OPENAI_API_KEY?.trim() || undefined;
  const llm = chatClientFrom({ apiKey, settings: { model: values.model, baseUrl: values['base-url'] } });
  if (!values.json) io.stderr(`Evaluating ${info.className ?? 'strategy'} on ${label} in ${describeMode(sandbox)}…\n`);
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
