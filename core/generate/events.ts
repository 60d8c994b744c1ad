/** One line per progress event, shared by the CLI (stderr) and VS Code (progress message). */
import type { GenerateEvent } from './types';

export function describeEvent(event: GenerateEvent): string {
  switch (event.type) {
    case 'attempt':
      return event.maxAttempts > 1 ? `Attempt ${event.attempt} of ${event.maxAttempts}: asking the model…` : 'Generating…';
    case 'receiving':
      return `Attempt ${event.attempt}: received ${event.chars} characters…`;
    case 'retrying':
      return `Attempt ${event.attempt}: ${event.reason} Retrying in ${formatWait(event.delayMs)}…`;
    case 'invalid':
      return `Attempt ${event.attempt}: ${event.problems.length} validation error(s) (first: line ${event.problems[0]?.line}: ${event.problems[0]?.message.split('\n')[0]}); ${isLast(event) ? 'no attempts left.' : 'asking for a repair…'}`;
    case 'no-code':
      return `Attempt ${event.attempt}: ${event.reason}; ${isLast(event) ? 'no attempts left.' : 'asking again…'}`;
    case 'valid':
      return `Attempt ${event.attempt}: the code validates.`;
  }
}

/** The wait as it is: "300 ms", "1.5 s", "8 s". */
export function formatWait(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 100) / 10;
  return `${s} s`;
}

function isLast(event: { attempt: number; maxAttempts?: number }): boolean {
  return event.maxAttempts !== undefined && event.attempt >= event.maxAttempts;
}
