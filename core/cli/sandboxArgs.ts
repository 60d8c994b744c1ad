/**
 * Sandbox flags for commands that run a strategy many times (evaluate): one SandboxRunner built from them
 * serves the backtest and every evaluator re-run, so `--docker-host`, `--image` and `--memory-mb` reach every
 * run and Docker is checked once; `--warm N` keeps N containers started ahead. Dispose it when done.
 */
import { SandboxRunner } from '../sandbox/runner';
import type { SandboxMode } from '../run/runStrategy';
import { numberArg } from './args';
import { CliError, type CliIo } from './io';

export const SANDBOX_RUNNER_OPTIONS = {
  'docker-host': { type: 'string' },
  image: { type: 'string' },
  'memory-mb': { type: 'string' },
  warm: { type: 'string' },
} as const;

export const SANDBOX_RUNNER_USAGE = '[--docker-host URL] [--image NAME] [--memory-mb N] [--warm N]';

/**
 * Warm containers the CLI keeps by default: none. A one-shot command has nothing warm when it starts, and containers
 * warming up while the backtest and the re-runs run compete with them for CPU (measured on 2 cores: --warm 1 and 2
 * were slower than 0, docs/evaluate.md "Re-runs"). One runner still means one Docker check and image lookup for all runs.
 */
export const CLI_WARM_CONTAINERS = 0;

export interface SandboxRunnerValues {
  'docker-host'?: string;
  image?: string;
  'memory-mb'?: string;
  warm?: string;
}

/** The runner for `mode` and the flags; in `none` mode nothing is started (runs stay in this process). */
export function cliSandboxRunner(mode: SandboxMode, values: SandboxRunnerValues, io: CliIo, quiet = false): SandboxRunner {
  const warm = numberArg('warm', values.warm) ?? CLI_WARM_CONTAINERS;
  if (!(Number.isInteger(warm) && warm >= 0 && warm <= 8)) throw new CliError(`--warm must be a whole number from 0 to 8, got '${values.warm}'.`, 2);
  const memoryMb = numberArg('memory-mb', values['memory-mb']);
  if (memoryMb !== undefined && !(memoryMb >= 96)) throw new CliError(`--memory-mb must be at least 96, got '${values['memory-mb']}'.`, 2);
  const host = values['docker-host']?.trim();
  return new SandboxRunner({
    mode,
    ...(host ? { docker: { host } } : {}),
    ...(values.image?.trim() ? { image: values.image.trim() } : {}),
    ...(memoryMb !== undefined ? { limits: { memoryMb } } : {}),
    poolSize: mode === 'docker' ? warm : 0,
    ...(quiet ? {} : { onProgress: (line: string) => io.stderr(`  [sandbox] ${line}\n`) }),
  });
}
