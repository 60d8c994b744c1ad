/** One line per progress event, shared by the CLI (stderr) and VS Code (progress message). */
import type { GenerateEvent } from './types';

export function describeEvent(event: GenerateEvent): string {
  switch (event.type) {
    case 'attempt':
      return event.maxAttempts > 1 ? `Attempt ${event.attempt} of ${event.maxAttempts}: asking the model…` : 'Generating…';
    case 'receiving':
      return `Attempt ${event.attempt}: received ${event.chars} characters…`;
    case 'retrying':
      return `Attempt ${event.attempt}: ${event.reason} Retrying in ${Math.max(1, Math.round(event.delayMs / 100) / 10)} s…`;
    case 'invalid':
      return `Attempt ${event.attempt}: ${event.problems.length} validation error(s) (first: line ${event.problems[0]?.line}: ${event.problems[0]?.message.split('\n')[0]}); asking for a repair…`;
    case 'no-code':
      return `Attempt ${event.attempt}: ${event.reason}; asking again…`;
    case 'valid':
      return `Attempt ${event.attempt}: the code validates.`;
  }
}
