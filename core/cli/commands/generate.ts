/**
 * `strategy-lab generate "<idea>"`: writes a validated strategy file, with the
 * offline generator or an OpenAI-compatible model. Never overwrites a file.
 * With `--refine N` it runs the refine loop (core/evaluate/refine.ts) first:
 * generate → validate → backtest in the sandbox → evaluate → feed the findings
 * back → regenerate, and writes the best iteration.
 */
import { relative, resolve } from 'node:path';
import { chatClientFrom } from '../../evaluate/llm/client';
import { refine, type RefineResult } from '../../evaluate/refine';
import { recordRefineTrials, TRIALS_FILE } from '../../history/store';
import { describeRefineEvent, iterationLine, refineCountProblem, refineJson, refineOutcome, refineSummary, REFINE_ITERATIONS } from '../../evaluate/refineReport';
import type { SandboxMode } from '../../run/runStrategy';
import type { Timeframe } from '../../sdk/types';
import { numberArg, parseCli, timeoutArg } from '../args';
import { CliError, type CliIo } from '../io';
import { DATA_OPTIONS, DATA_USAGE, dataSource, describeMode, loadDataFor, sandboxArg, type DataValues } from '../runArgs';
import { SANDBOX_RUNNER_OPTIONS, SANDBOX_RUNNER_USAGE, cliSandboxRunner, type SandboxRunnerValues } from '../sandboxArgs';
import {
  DEFAULT_LLM_SETTINGS,
  defaultStrategyPath,
  describeEvent,
  generateStrategy,
  GenerateError,
  PROVIDER_CHOICES,
  resolveBaseUrl,
  resolveProvider,
  writeNewFile,
  type LlmSettings,
  type ProviderChoice,
} from '../../generate/index';

const USAGE = [
  'usage: strategy-lab generate "<idea>" [--out file] [--provider auto|offline|openai] [--model M] [--base-url URL]',
  '                             [--temperature T] [--timeout MS] [--max-attempts N] [--no-stream] [--print]',
  '',
  '  Writes strategies/<slug>.strategy.ts (or --out), never overwriting: a taken name gets -2, -3, …',
  '  --provider auto (default) uses OpenAI when OPENAI_API_KEY is set, else the offline generator.',
  '  --print writes the file to stdout instead of disk.',
  '',
  `       strategy-lab generate "<idea>" --refine N ${DATA_USAGE}`,
  `                             ${SANDBOX_RUNNER_USAGE}`,
  '                             [--no-llm] [--json] [same options as above]',
  '',
  `  --refine N (${REFINE_ITERATIONS.min}–${REFINE_ITERATIONS.max}): generate → validate → backtest (Docker sandbox by default) → evaluate → feed the`,
  '  findings back → regenerate, up to N iterations; prints one line per iteration (score, key metrics, what changed)',
  '  and writes the best one. Offline, the changes are deterministic (looser thresholds when nothing traded, a stop-loss',
  '  for a deep drawdown); with a model, the findings go back to it. --json prints every iteration (code included).',
  '  LLM evaluators run when OPENAI_API_KEY is set and the provider is not offline; --no-llm skips them.',
  '  Exit 1 when no iteration could be evaluated (nothing written) or the best still fails a critical evaluator.',
].join('\n');

export interface GenerateCommandContext {
  /** Where OPENAI_API_KEY is read from. */
  env?: NodeJS.ProcessEnv;
  /** Base for relative paths and the default strategies/ folder. */
  cwd?: string;
}

export async function runGenerateCommand(argv: string[], io: CliIo, context: GenerateCommandContext = {}): Promise<number> {
  const env = context.env ?? process.env;
  const cwd = context.cwd ?? process.cwd();
  let idea: string;
  let out: string | undefined;
  let provider: ProviderChoice;
  let llm: Partial<LlmSettings>;
  let print: boolean;
  let refineRun: RefineRun | undefined;
  try {
    const { values, positionals } = parseCli(
      argv,
      {
        out: { type: 'string', short: 'o' },
        provider: { type: 'string' },
        model: { type: 'string' },
        'base-url': { type: 'string' },
        temperature: { type: 'string' },
        timeout: { type: 'string' },
        'max-attempts': { type: 'string' },
        'no-stream': { type: 'boolean' },
        print: { type: 'boolean' },
        refine: { type: 'string' },
        ...DATA_OPTIONS,
        ...SANDBOX_RUNNER_OPTIONS,
        'no-llm': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1 || !positionals[0].trim()) throw new CliError(`Give the idea as one quoted argument.\n${USAGE}`, 2);
    idea = positionals[0];
    provider = (values.provider ?? 'auto') as ProviderChoice;
    if (!PROVIDER_CHOICES.includes(provider)) throw new CliError(`--provider must be one of ${PROVIDER_CHOICES.join(', ')}, got '${provider}'.`, 2);
    const maxAttempts = numberArg('max-attempts', values['max-attempts']);
    if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1)) throw new CliError('--max-attempts must be a whole number >= 1.', 2);
    const timeoutMs = timeoutArg(values.timeout);
    llm = {
      model: values.model,
      // --base-url, else OPENAI_BASE_URL of this command's environment, else OpenAI's (core/generate/llm/failures.ts).
      baseUrl: resolveBaseUrl(values['base-url'], env),
      temperature: numberArg('temperature', values.temperature),
      timeoutMs,
      maxAttempts,
      stream: values['no-stream'] ? false : undefined,
    };
    out = values.out;
    print = !!values.print;
    if (values.refine !== undefined) {
      const problem = refineCountProblem(values.refine, '--refine');
      if (problem) throw new CliError(`${problem}.\n${USAGE}`, 2);
      if (values.json && print) throw new CliError('Give either --json or --print, not both.', 2);
      refineRun = { iterations: Number(values.refine), sandbox: sandboxArg(values, io, 'generated'), data: values, runnerFlags: values, json: !!values.json, noLlm: !!values['no-llm'] };
      dataSource(values); // a bad --source or --data with --source is a usage error before any work
    } else {
      const only = ['data', 'source', 'symbol', 'from', 'to', 'sandbox', 'trust', ...Object.keys(SANDBOX_RUNNER_OPTIONS), 'no-llm', 'json'].filter((k) => values[k as keyof typeof values] !== undefined);
      if (only.length) throw new CliError(`${only.map((k) => `--${k}`).join(', ')} only appl${only.length === 1 ? 'ies' : 'y'} with --refine N.\n${USAGE}`, 2);
    }
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`${err.message}\n`);
      return err.code;
    }
    throw err;
  }

  const apiKey = env.OPENAI_API_KEY?.trim() || undefined;
  if (refineRun) return runRefine({ idea, provider, llm, out, print, apiKey, cwd, io, run: refineRun });
  let lastReceiving = 0;
  try {
    const result = await generateStrategy(idea, {
      provider,
      apiKey,
      llm,
      signal: io.signal,
      onEvent: (event) => {
        // Streaming sends many small chunks: report roughly every 500 characters.
        if (event.type === 'receiving') {
          if (event.chars - lastReceiving < 500) return;
          lastReceiving = event.chars;
        } else lastReceiving = 0;
        io.stderr(`${describeEvent(event)}\n`);
      },
    });
    for (const note of result.notes) io.stderr(`note: ${note}\n`);
    if (print) {
      io.stdout(result.source);
      return 0;
    }
    const wanted = out ? resolve(cwd, out) : defaultStrategyPath(cwd, idea);
    const written = await writeNewFile(wanted, result.source);
    const shown = relative(cwd, written) || written;
    if (written !== wanted) io.stderr(`${relative(cwd, wanted)} already exists; kept it and wrote ${shown} instead.\n`);
    const how = result.provider === 'offline' ? 'offline generator' : `model ${llm.model ?? DEFAULT_LLM_SETTINGS.model}, ${result.attempts} attempt${result.attempts === 1 ? '' : 's'}`;
    io.stdout(`Wrote ${shown} (${how}). Next: strategy-lab backtest ${shown}\n`);
    return 0;
  } catch (err) {
    if (err instanceof GenerateError) {
      io.stderr(`error: ${err.message}\n`);
      return err.kind === 'cancelled' ? 130 : 1;
    }
    throw err;
  }
}

interface RefineRun {
  iterations: number;
  sandbox: SandboxMode;
  data: DataValues;
  runnerFlags: SandboxRunnerValues;
  json: boolean;
  noLlm: boolean;
}

interface RefineCommand {
  idea: string;
  provider: ProviderChoice;
  llm: Partial<LlmSettings>;
  out: string | undefined;
  print: boolean;
  apiKey: string | undefined;
  cwd: string;
  io: CliIo;
  run: RefineRun;
}

/** `generate --refine N`: the loop, one line per iteration, the best iteration written (never over an existing file). */
async function runRefine(c: RefineCommand): Promise<number> {
  const { io, run } = c;
  const total = run.iterations;
  // Iteration lines go to stdout, unless stdout is the file (--print) or the JSON report.
  const line = run.json ? () => {} : c.print ? (t: string) => io.stderr(t) : (t: string) => io.stdout(t);
  const progress = run.json ? () => {} : (t: string) => io.stderr(t);
  let result: RefineResult;
  // One runner from the flags for every run of every iteration: Docker is checked and the image found once.
  const runner = run.sandbox === 'none' ? undefined : cliSandboxRunner(run.sandbox, run.runnerFlags, io, run.json);
  let lastReceiving = 0;
  try {
    const provider = resolveProvider(c.provider, c.apiKey);
    const judge = run.noLlm || c.provider === 'offline' ? undefined : chatClientFrom({ apiKey: c.apiKey, settings: c.llm });
    progress(`Refining up to ${total} iteration${total === 1 ? '' : 's'} (${provider === 'offline' ? 'offline generator' : `model ${c.llm.model ?? DEFAULT_LLM_SETTINGS.model}`}), backtests in ${describeMode(run.sandbox)}…\n`);
    result = await refine({
      idea: c.idea,
      iterations: total,
      provider,
      apiKey: c.apiKey,
      llm: c.llm,
      judge,
      loadSeries: async (symbols: string[], timeframe: Timeframe) => (await loadDataFor(run.data, symbols, timeframe, io)).series,
      mode: run.sandbox,
      trustGeneratedCode: run.sandbox === 'none', // sandboxArg let 'none' through only with --trust
      runner,
      signal: io.signal,
      onEvent: (event) => {
        if (event.type === 'scored') {
          line(`${iterationLine(event.result, total)}\n`);
          return;
        }
        if (event.type === 'generate-progress' && event.event.type === 'receiving') {
          if (event.event.chars - lastReceiving < 500) return;
          lastReceiving = event.event.chars;
        } else lastReceiving = 0;
        const text = describeRefineEvent(event, total);
        if (text) progress(`  ${text}\n`);
      },
    });
  } catch (err) {
    if (io.signal?.aborted) {
      io.stderr('error: cancelled; nothing was written.\n');
      return 130;
    }
    if (err instanceof GenerateError) {
      io.stderr(`error: ${err.message}\n`);
      return err.kind === 'cancelled' ? 130 : 1;
    }
    throw err;
  } finally {
    await runner?.dispose();
  }

  const outcome = refineOutcome(result);
  let written: string | null = null;
  if (outcome.write && !c.print) {
    const wanted = c.out ? resolve(c.cwd, c.out) : defaultStrategyPath(c.cwd, c.idea);
    const path = await writeNewFile(wanted, outcome.write.source);
    written = relative(c.cwd, path) || path;
    if (path !== wanted) progress(`${relative(c.cwd, wanted)} already exists; kept it and wrote ${written} instead.\n`);
    // Every iteration was a trial of this strategy: the deflated Sharpe of later evaluations counts them.
    const counted = await recordRefineTrials(c.cwd, path, outcome.write.source, result.trials);
    progress(`Counted ${result.trials} trial(s) for ${counted.key} (${counted.total} in all) in ${TRIALS_FILE}.\n`);
  }
  if (run.json) io.stdout(`${JSON.stringify(refineJson(result, { idea: c.idea, requested: total, sandbox: run.sandbox, written }), null, 2)}\n`);
  else {
    line(`${refineSummary(result)}\n`);
    if (written) line(`Wrote ${written} (iteration ${outcome.write!.iteration}). Next: strategy-lab backtest ${written}\n`);
  }
  if (outcome.write && c.print) io.stdout(outcome.write.source);
  if (!outcome.write) {
    io.stderr(`error: ${outcome.problem}; nothing was written.\n`);
    return 1;
  }
  if (outcome.write && outcome.worseThanFirst.length) {
    io.stderr(`warning: the written version is worse than the first on ${outcome.worseThanFirst.join('; ')} (kept because its verdict improved within the tolerances, docs/evaluate.md "Refine").\n`);
  }
  if (outcome.criticalFailures.length) {
    const reasons = outcome.write.report!.evaluators.filter((e) => outcome.criticalFailures.includes(e.id)).map((e) => `${e.name}: ${e.reasons[0] ?? 'failed'}`);
    io.stderr(`error: the best iteration still fails ${outcome.criticalFailures.join(', ')}, so its numbers cannot be trusted:\n${reasons.map((r) => `  ${r}\n`).join('')}`);
    return 1;
  }
  return 0;
}
