/**
 * Pulls the strategy file out of a model's reply: the fenced TypeScript block
 * that defines the strategy (the longest one if several do), or, without
 * fences, the reply itself when it reads as a strategy file.
 */
const FENCE = /```[ \t]*([\w+-]*)[^\n]*\n([\s\S]*?)(?:```|$)/g;
const CODE_LANGS = new Set(['', 'ts', 'typescript', 'tsx', 'js', 'javascript']);

export function extractCode(reply: string): string | undefined {
  const blocks: string[] = [];
  for (const m of reply.matchAll(FENCE)) {
    if (CODE_LANGS.has(m[1].toLowerCase())) blocks.push(m[2]);
  }
  const strategyBlocks = blocks.filter(looksLikeStrategy);
  const pick = (list: string[]) => list.reduce((a, b) => (b.length > a.length ? b : a));
  if (strategyBlocks.length) return tidy(pick(strategyBlocks));
  if (blocks.length === 0 && looksLikeStrategy(reply)) {
    const start = reply.search(/^(?:\/\/|\/\*|import\b|export\b)/m);
    return tidy(reply.slice(Math.max(0, start)));
  }
  return undefined;
}

function looksLikeStrategy(code: string): boolean {
  return /\bclass\s+\w+\s+extends\s+BaseStrategy\b/.test(code);
}

function tidy(code: string): string {
  return `${code.replace(/\s+$/, '')}\n`;
}
