/**
 * `strategy-lab generate "<idea>"`: writes a validated strategy file, with the
 * offline generator or an OpenAI-compatible model. Never overwrites a file.
 */
import { relative, resolve } from 'node:path';
import { numberArg, parseCli } from '../args';
import { CliError, type CliIo } from '../io';
import {
  DEFAULT_LLM_SETTINGS,
  defaultStrategyPath,
  describeEvent,
  generateStrategy,
  GenerateError,
  PROVIDER_CHOICES,
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
    const timeoutMs = numberArg('timeout', values.timeout);
    if (timeoutMs !== undefined && !(timeoutMs > 0)) throw new CliError('--timeout is in milliseconds and must be > 0.', 2);
    llm = {
      model: values.model,
      baseUrl: values['base-url'],
      temperature: numberArg('temperature', values.temperature),
      timeoutMs,
      maxAttempts,
      stream: values['no-stream'] ? false : undefined,
    };
    out = values.out;
    print = !!values.print;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`${err.message}\n`);
      return err.code;
    }
    throw err;
  }

  const apiKey = env.OPENAI_API_KEY?.trim() || undefined;
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
