import { suggestPhrasings } from './idea/suggest';
/** Why a generation failed, as one actionable message per cause. */
export type GenerateErrorKind =
  | 'not-understood'
  | 'no-api-key'
  | 'auth'
  | 'model-not-found'
  | 'timeout'
  | 'rate-limited'
  | 'server-error'
  | 'connection'
  | 'bad-response'
  | 'empty-reply'
  | 'no-code'
  | 'invalid-code'
  | 'cancelled'
  | 'request-rejected';

export class GenerateError extends Error {
  constructor(
    readonly kind: GenerateErrorKind,
    message: string,
    /** For `not-understood`: what was and was not understood. */
    readonly details?: { understood?: string[]; notUnderstood?: string[]; problems?: string[]; suggestions?: Record<string, string[]>; notes?: string[] },
  ) {
    super(message);
    this.name = 'GenerateError';
  }
}

/**
 * The "did not understand" message: what was understood, what was not (each
 * with the nearest supported phrasings, "did you mean …?"), how typos and
 * words were read, and what to do.
 */
export function notUnderstoodError(understood: string[], notUnderstood: string[], notes: string[] = []): GenerateError {
  const list = (items: string[]) => (items.length ? items.map((i) => `  - ${i}`).join('\n') : '  (nothing)');
  const suggestions: Record<string, string[]> = {};
  for (const part of notUnderstood) {
    const near = suggestPhrasings(part);
    if (near.length) suggestions[part] = near;
  }
  const parts = notUnderstood.map((t) => `"${t}"${suggestions[t] ? ` — did you mean ${suggestions[t].map((p) => `"${p}"`).join(' or ')}?` : ''}`);
  return new GenerateError(
    'not-understood',
    [
      'The offline generator did not understand all of the idea, so it wrote nothing (it never drops a condition).',
      'Understood:',
      list(understood),
      'Did not understand:',
      list(parts),
      ...(notes.length ? ['Read as:', list(notes)] : []),
      'Rephrase those parts with the words in docs/generate.md (e.g. "buy AAPL when RSI drops below 30, sell when it rises above 70"), or use the OpenAI provider.',
    ].join('\n'),
    { understood, notUnderstood, suggestions, notes },
  );
}
