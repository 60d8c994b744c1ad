/**
 * Turns whatever a backtest threw into what the results panel shows: a title, the
 * message, what to do next, and buttons for the obvious next step. Pure.
 */
import type { PanelError } from '../../media/protocol';
import { SETUP_HINT } from '../sandbox/docker-client';
import { PipelineError } from './pipelineError';
import { errorLocationOf } from '../strategy/errorLocation';

interface Named { name?: string; kind?: string; code?: string; message?: string; stage?: string; hint?: string }

export function describeError(err: unknown): PanelError {
  const described = describeKnownError(err);
  const location = errorLocationOf(err);
  return location ? { ...described, location } : described;
}

function describeKnownError(err: unknown): PanelError {
  const e = (err ?? {}) as Named;
  const message = typeof e.message === 'string' && e.message ? e.message : String(err);
  if (err instanceof PipelineError) return { title: titleForStage(err.stage), message, ...(err.hint ? { hint: err.hint } : {}), actions: [OPEN] };
  if (e.name === 'AbortError' || e.kind === 'cancelled' || e.name === 'CancelledError') {
    return { title: 'Backtest cancelled', message: 'The run was stopped before it finished; nothing was saved.', actions: [RERUN] };
  }
  if (e.name === 'SandboxError') {
    switch (e.kind) {
      case 'docker-unavailable':
        // In editor words: the CLI's setup advice (flags, repository scripts) becomes buttons.
        return {
          title: 'Docker is not running',
          message: message.replace(SETUP_HINT, '').trim(),
          hint: 'Start Docker (Docker Desktop, or `sudo systemctl start docker` on Linux) and run again; or point Settings › Strategy Lab › Sandbox: Docker Host at a running engine; or use process mode: a separate Node process, weaker isolation than a container.',
          actions: [
            { id: 'openSetting', label: 'Open Settings', setting: 'strategyLab.sandbox.mode' },
            { id: 'sandboxDoctor', label: 'Run Sandbox Doctor' },
            { id: 'useProcessMode', label: 'Use process mode' },
            RERUN,
          ],
        };
      case 'image':
        return { title: 'The sandbox image could not be built', message, hint: 'Run "Strategy Lab: Build Sandbox Image" and read the output, or "Strategy Lab: Sandbox Doctor".', actions: [{ id: 'buildImage', label: 'Build Sandbox Image' }, { id: 'sandboxDoctor', label: 'Sandbox Doctor' }] };
      case 'timeout':
        return { title: 'The backtest took too long', message, hint: 'Look for an endless loop in onBar, shorten the date range, or raise Strategy Lab › Sandbox: Time Limit.', actions: [OPEN, RERUN] };
      case 'memory':
        return { title: 'The backtest ran out of memory', message, hint: 'Keep less history in the strategy (arrays that grow every bar), shorten the date range, or raise Strategy Lab › Sandbox: Memory Mb.', actions: [OPEN, RERUN] };
      case 'output-limit':
        return { title: 'The strategy printed too much', message, hint: 'Log less (e.g. only on trades, not on every bar).', actions: [OPEN, RERUN] };
      case 'strategy':
        return { title: 'The strategy threw an error', message, hint: 'Fix the error in the strategy file (the message says where), then run again.', actions: [OPEN, RERUN] };
      default:
        return { title: 'The sandbox failed', message, hint: 'Run "Strategy Lab: Sandbox Doctor" to see what is wrong.', actions: [{ id: 'sandboxDoctor', label: 'Sandbox Doctor' }, RERUN] };
    }
  }
  if (e.name === 'DataError') {
    return { title: 'Could not load the price data', message, hint: 'Check the symbols and dates in `static config`, or pick another data source with "Run Backtest with Options…".', actions: [{ id: 'rerunWithOptions', label: 'Run with options…' }, OPEN] };
  }
  if (e.name === 'StrategyCompileError') return { title: 'The strategy does not compile', message, hint: 'Fix the syntax error (see the Problems panel), then run again.', actions: [OPEN] };
  if (e.name === 'StrategyLoadError' || e.name === 'StrategyRuntimeError') return { title: 'The strategy failed', message, actions: [OPEN, RERUN] };
  if (e.name === 'RangeError' && /options|limits/i.test(message)) return { title: 'Invalid run options', message, hint: 'Correct the value in "Run Backtest with Options…" or in the Strategy Lab settings.', actions: [{ id: 'rerunWithOptions', label: 'Run with options…' }] };
  return { title: 'The backtest failed', message, hint: 'The "Strategy Lab" output channel has the details.', actions: [{ id: 'showOutput', label: 'Show output' }, RERUN] };
}

const OPEN = { id: 'openSource', label: 'Open strategy' };
const RERUN = { id: 'rerun', label: 'Run again' };

function titleForStage(stage: string): string {
  return stage === 'data' ? 'Could not load the price data' : stage === 'compile' ? 'The strategy does not compile' : 'The backtest failed';
}
