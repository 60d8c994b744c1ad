/**
 * `strategy-lab evaluate <strategy.ts>`: backtest the strategy (in the sandbox
 * by default), then run every evaluator and print the verdicts, the findings
 * on code lines, per-trade reasons and the overall score (or --json).
 * LLM evaluators use OPENAI_API_KEY and the same --model/--base-url as
 * generate; without a key they are skipped.
 */
import { findingsToDiagnostics } from '../../evaluate/code/diagnostics';
import { formatReport } from '../../evaluate/format';
import { chatClientFrom } from '../../evaluate/llm/client';
import { evaluateStrategy } from '../../evaluate/pipeline';
import { EvaluateSettingsError, evaluateSettingsFromFlat, type EvaluateSettings } from '../../evaluate/settings';
import { numberArg, parseCli, timeoutArg } from '../args';
import { resolveBaseUrl } from '../../generate/llm/failures';
import { CliError, type CliIo } from '../io';
import { DATA_OPTIONS, DATA_USAGE, describeMode, loadData, readStrategyFile, sandboxArg } from '../runArgs';
import { RUN_OPTIONS, RUN_OPTIONS_USAGE, runOptionsArg } from '../runOptionArgs';
import { escapeLine } from '../terminal';
import { SANDBOX_RUNNER_OPTIONS, SANDBOX_RUNNER_USAGE, cliSandboxRunner } from '../sandboxArgs';

const USAGE = `Usage: strategy-lab evaluate <strategy.ts> [--request "..."] ${DATA_USAGE}
       ${SANDBOX_RUNNER_USAGE}
       ${RUN_OPTIONS_USAGE}
       [--trials N] [--set setting=value …] [--model M] [--base-url URL] [--timeout MS] [--no-llm] [--trades N] [--json]
  --commission, --commission-fixed, --slippage-bps, --fill, --cash: the run's costs and fills, as for backtest; the
             cost stress re-runs at realistic costs on top (docs/evaluate.md)
  --trials N every variant of this strategy tried so far, this one included (default 1): the deflated Sharpe counts them
  --set      an evaluator weight or threshold, named as the strategyLab.evaluate.* setting without the prefix
             (docs/evaluate.md), e.g. --set weights.risk=2 --set risk.maxDrawdownPct=30,lookahead.cutPoints=3
  --warm N   containers kept started ahead (default 0: on few cores warming competes with the runs); one runner
             built from these flags runs the backtest and every re-run
  LLM evaluators run when OPENAI_API_KEY is set (same provider settings as generate); otherwise they are skipped.`;

const OPTIONS = {
  ...DATA_OPTIONS,
  request: { type: 'string' },
  ...SANDBOX_RUNNER_OPTIONS,
  ...RUN_OPTIONS,
  trials: { type: 'string' },
  set: { type: 'string', multiple: true },
  model: { type: 'string' },
  'base-url': { type: 'string' },
  timeout: { type: 'string' },
  'no-llm': { type: 'boolean' },
  trades: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface EvaluateCommandContext {
  /** Where OPENAI_API_KEY is read from. */
  env?: NodeJS.ProcessEnv;
  /** Builds the sandbox runner from the flags (tests wrap it); default `cliSandboxRunner`. */
  runner?: typeof cliSandboxRunner;
}

/** `--set weights.risk=2 --set risk.maxDrawdownPct=30,lookahead.cutPoints=3` → evaluator settings (usage error on a bad one). */
export function settingsArg(values: string[] | undefined): EvaluateSettings {
  const raw: Record<string, unknown> = {};
  for (const pair of (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)) {
    const m = /^([\w.]+)=(.*)$/.exec(pair);
    if (!m) throw new CliError(`--set expects setting=value (e.g. --set risk.maxDrawdownPct=30), got '${pair}'.`, 2);
    const value = m[2].trim();
    raw[m[1]] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  try {
    return evaluateSettingsFromFlat(raw, 'See the settings table in docs/evaluate.md.');
  } catch (err) {
    if (err instanceof EvaluateSettingsError) throw new CliError(`Bad --set: ${err.problems.join('; ')}. See the settings table in docs/evaluate.md.`, 2);
    throw err;
  }
}

export async function runEvaluateCommand(argv: string[], io: CliIo, context: EvaluateCommandContext = {}): Promise<number> {
  const env = context.env ?? process.env;
  const { values, positionals } = parseCli(argv, OPTIONS, USAGE);
  if (values.help) {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  const { file, source, info } = await readStrategyFile(positionals, USAGE);
  const sandbox = sandboxArg(values, io, 'file');
  const shown = numberArg('trades', values.trades);
  if (shown !== undefined && !(Number.isInteger(shown) && shown >= 0)) throw new CliError('--trades must be a whole number ≥ 0.', 2);
  const timeoutMs = timeoutArg(values.timeout);
  const options = runOptionsArg(values);
  const trials = numberArg('trials', values.trials);
  if (trials !== undefined && !(Number.isInteger(trials) && trials >= 1)) throw new CliError('--trials must be a whole number ≥ 1 (every variant of this strategy tried so far, this one included).', 2);
  const settings = settingsArg(values.set);

  const { series, label } = await loadData(values, info, io);

  const apiKey = values['no-llm'] ? undefined : env.OPENAI_API_KEY?.trim() || undefined;
  const llm = chatClientFrom({ apiKey, settings: { model: values.model, baseUrl: resolveBaseUrl(values['base-url'], env), timeoutMs } });
  if (!values.json) io.stderr(`Evaluating ${escapeLine(info.className ?? 'strategy')} on ${label} in ${describeMode(sandbox)}…\n`);
  // One runner from the flags for the backtest and every re-run: the same host, image, limits (and warm containers with --warm).
  const runner = (context.runner ?? cliSandboxRunner)(sandbox, values, io, values.json);
  let report;
  try {
    report = await evaluateStrategy({
      source,
      fileName: file,
      request: values.request,
      series,
      options,
      mode: sandbox,
      runner,
      settings,
      trials,
      llm,
      signal: io.signal,
      onProgress: values.json ? undefined : (m) => io.stderr(`  ${m}\n`),
    });
  } finally {
    await runner.dispose();
  }
  if (values.json) {
    io.stdout(`${JSON.stringify({ ...report, diagnostics: findingsToDiagnostics(source, report.findings, file), data: label }, null, 2)}\n`);
  } else io.stdout(formatReport(report, source, { trades: shown }));
  // Exit 1 when the verdict is "do not trust" (a failed check, in-sample dates, too good to be true, code
  // that does not do what was asked), so CI can gate on it.
  return report.verdict.label === 'do-not-trust' ? 1 : 0;
}
