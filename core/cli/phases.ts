/**
 * Where a CLI run's time goes, for `npm run bench -- e2e`: set STRATEGY_LAB_PHASES=1 and the command writes one
 * JSON line to stderr at the end — milliseconds per phase, start-up counted from the process's own start.
 */
import { performance } from 'node:perf_hooks';

export interface PhaseTimer {
  /** Ends the phase running now and names it. */
  mark(name: string): void;
  /** Writes the line (when enabled). */
  report(write: (text: string) => void): void;
}

export function phaseTimer(env: NodeJS.ProcessEnv = process.env): PhaseTimer {
  if (env.STRATEGY_LAB_PHASES !== '1') return { mark() {}, report() {} };
  const phases: Record<string, number> = { startup: performance.now() }; // ms since the process started
  let last = performance.now();
  return {
    mark(name) {
      const now = performance.now();
      phases[name] = (phases[name] ?? 0) + (now - last);
      last = now;
    },
    report(write) {
      write(`STRATEGY_LAB_PHASES ${JSON.stringify(phases)}\n`);
    },
  };
}
