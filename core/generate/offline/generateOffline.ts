/** The offline provider: parse, write, validate. Deterministic, no network. */
import { checkStrategySource, formatProblems } from '../check';
import { GenerateError, notUnderstoodError } from '../errors';
import { parseIdea } from '../idea/parseIdea';
import type { GeneratedStrategy } from '../types';
import { writeStrategy } from './writeStrategy';

export function generateOffline(idea: string): GeneratedStrategy {
  const parsed = parseIdea(idea);
  if (!parsed.ok) throw notUnderstoodError(parsed.understood, parsed.notUnderstood, parsed.notes);
  const source = writeStrategy(parsed.spec);
  const report = checkStrategySource(source);
  if (report.errors.length) {
    // The writer's own bug, not the user's: say so rather than hand over a broken file.
    throw new GenerateError(
      'invalid-code',
      `The offline generator wrote code that does not validate (a Strategy Lab bug; please report it with your idea):\n${formatProblems(report.errors)}`,
      { problems: report.errors.map((p) => p.message) },
    );
  }
  return {
    source,
    provider: 'offline',
    attempts: 1,
    spec: parsed.spec,
    notes: [...parsed.notes, ...report.warnings.map((w) => `line ${w.line}: ${w.code} ${w.message}`)],
  };
}
