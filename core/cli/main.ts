/**
 * `strategy-lab`: the headless pipeline (generate, validate, backtest, evaluate,
 * data, sandbox) for scripting and CI. Every command is a module exporting
 * `run…Command(argv, io) → exit code`; this file only dispatches and turns
 * errors into one clear line.
 */
import packageJson from '../../package.json';
import { escapeText } from './terminal';
import { errorLocationOf, formatErrorLocation } from '../strategy/errorLocation';
import { CliError, cliRedactor, processIo, type CliIo } from './io';

type Command = (argv: string[], io: CliIo) => Promise<number>;

// Each command's module is loaded only when that command runs: start-up then costs only what the command needs
// (`--version` and `--help` load none, `backtest` never loads the validator or the LLM client).
const COMMANDS: Record<string, { load: () => Promise<Command>; summary: string }> = {
  generate: { load: () => import('./commands/generate').then((m) => m.runGenerateCommand), summary: 'turn a trading idea in plain English into a strategy file (--refine N: backtest, evaluate, improve)' },
  validate: { load: () => import('./commands/validate').then((m) => m.runValidateCommand), summary: 'check a strategy file against the BaseStrategy rules (exit 1 on errors)' },
  backtest: { load: () => import('./commands/backtest').then((m) => m.runBacktestCommand), summary: 'run a strategy file on market data and print its metrics' },
  evaluate: { load: () => import('./commands/evaluate').then((m) => m.runEvaluateCommand), summary: 'backtest a strategy and score whether to trust it' },
  data: { load: () => import('./commands/data').then((m) => m.runDataCommand), summary: 'fetch market data into the cache, list or clear it' },
  optimize: { load: () => import('./commands/optimize').then((m) => m.runOptimizeCommand), summary: 'sweep a strategy\'s params (grid, random, Latin hypercube): ranked table, heatmap, PBO and deflated Sharpe' },
  walkforward: { load: () => import('./commands/walkforward').then((m) => m.runWalkforwardCommand), summary: 'optimise on rolling or anchored in-sample windows, test on the next out-of-sample ones, stitch' },
  sandbox: { load: () => import('./commands/sandbox').then((m) => m.runSandboxCommand), summary: 'build the sandbox image, or check the Docker setup (doctor)' },
  paper: { load: () => import('./commands/paper').then((m) => (argv, io) => m.runPaperCommand(argv, io)), summary: 'paper-trade a strategy on Alpaca (foreground; status, stop)' },
};

/** package.json's (bin/strategy-lab.js answers `--version` from the same file without loading this bundle). */
const VERSION: string = packageJson.version;

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'Strategy Lab — trading ideas to tested strategies.',
    '',
    'Usage: strategy-lab <command> [options]   (strategy-lab <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    io.stdout(help());
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`Unknown command '${name}'.\n\n${help()}`);
    return 2;
  }
  try {
    const run = await command.load();
    return await run(rest, io);
  } catch (err) {
    return reportError(err, io);
  }
}

/** One line for expected errors (bad input, data, strategy errors); a stack only for bugs. */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof CliError) {
    io.stderr(`error: ${escapeText(err.message)}\n`);
    return err.code;
  }
  const e = err as Error & { kind?: string };
  const expected = ['CliError', 'DataError', 'StrategyCompileError', 'StrategyLoadError', 'StrategySizeError', 'StrategyRuntimeError', 'CancelledError', 'SandboxError', 'RangeError', 'GenerateError', 'AbortError'];
  if (e && expected.includes(e.name)) {
    io.stderr(`error: ${escapeText(String(e.message))}\n`);
    const location = errorLocationOf(err);
    if (location) io.stderr(`  at ${escapeText(formatErrorLocation(location))}\n`);
    const cancelled = e.name === 'CancelledError' || e.name === 'AbortError' || (e.name === 'SandboxError' && e.kind === 'cancelled');
    return cancelled ? 130 : 1;
  }
  io.stderr(`internal error (please report): ${escapeText(String(e?.stack ?? err))}\n`);
  return 70;
}

/**
 * The process entry. Ctrl-C aborts the running work (a second Ctrl-C quits at
 * once): sandboxed runs kill their container, fetches stop. An in-process run
 * (`--sandbox none`) is synchronous and would not see the abort until it ended,
 * so there Ctrl-C keeps its default meaning and ends the process at once
 * (nothing outside the process to clean up).
 */
export function runCli(argv = process.argv.slice(2)): void {
  const controller = new AbortController();
  if (!runsInThisProcess(argv)) {
    let interrupted = false;
    process.on('SIGINT', () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      process.stderr.write('\nCancelling… (Ctrl-C again to quit at once)\n');
      controller.abort();
    });
  }
  main(argv, processIo(controller.signal)).then(
    (code) => exitAfterFlush(code),
    (err) => {
      process.stderr.write(cliRedactor(process.env)(`internal error: ${(err as Error)?.stack ?? err}\n`));
      exitAfterFlush(70);
    },
  );
}

function runsInThisProcess(argv: string[]): boolean {
  // A paper session's in-process strategy runs a step at a time: Ctrl-C must reach it to stop cleanly.
  if (argv[0] === 'paper') return false;
  return argv.some((a, i) => a === '--sandbox=none' || (a === '--sandbox' && argv[i + 1] === 'none'));
}

/** Exits once stdout/stderr have drained (a large --json result on a pipe must not be cut off). */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}
