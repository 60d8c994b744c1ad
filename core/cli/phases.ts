/**
 * Where a CLI run's time goes, for `npm run bench -- e2e`: set STRATEGY_LAB_PHASES=1 and the command writes one
 * JSON line to stderr at the end — the CPU milliseconds (user + system) of each phase, start-up counted from the
 * process's own start, plus `wall`, the milliseconds from the process's start to the report. CPU, not wall, per
 * phase: on a shared machine a phase's wall time says more about the neighbours than about the phase. `codeCache`
 * says whether the bundle started from V8's code cache (core/cli/codeCache.ts).
 */
import { performance } from 'node:perf_hooks';
import { codeCacheOutcome } from './codeCache';

export interface PhaseTimer {
  /** Ends the phase running now and names it. */
  mark(name: string): void;
  /** Writes the line (when enabled). */
  report(write: (text: string) => void): void;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export function phaseTimer(env: NodeJS.ProcessEnv = process.env): PhaseTimer {
  if (env.STRATEGY_LAB_PHASES !== '1') return { mark() {}, report() {} };
  let last = cpuMs();
  const phases: Record<string, number> = { startup: last }; // CPU since the process started
  return {
    mark(name) {
      const now = cpuMs();
      phases[name] = (phases[name] ?? 0) + (now - last);
      last = now;
    },
    report(write) {
      write(`STRATEGY_LAB_PHASES ${JSON.stringify({ ...phases, wall: performance.now(), codeCache: codeCacheOutcome() })}\n`);
    },
  };
}
