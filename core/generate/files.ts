/**
 * Where a generated strategy goes: a file name from the idea, and a write that
 * never replaces an existing file (a taken name gets -2, -3, …).
 */
import { mkdir, open } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export const STRATEGY_SUFFIX = '.strategy.ts';
const FILLER_WORDS = new Set(['a', 'an', 'the', 'when', 'and', 'it', 'its', 'is', 'of', 'on', 'to', 'with', 'then', 'if', 'for', 'in']);

/** "Buy AAPL when RSI drops below 35, sell…" → "buy-aapl-rsi-drops-below-35-sell". */
export function slugify(idea: string, maxLength = 40): string {
  const words = idea
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^\w\s.%-]|_/g, ' ')
    .replace(/%/g, 'pct')
    .split(/[\s.]+/)
    .map((w) => w.replace(/^-+|-+$/g, ''))
    .filter((w) => w && !FILLER_WORDS.has(w));
  let slug = '';
  for (const word of words) {
    const next = slug ? `${slug}-${word}` : word;
    if (next.length > maxLength) break;
    slug = next;
  }
  return slug || (words[0]?.slice(0, maxLength) ?? '') || 'strategy';
}

/** `name.strategy.ts` → `name-2.strategy.ts` (n = 2, 3, …). */
export function numberedName(fileName: string, n: number): string {
  const suffix = fileName.endsWith(STRATEGY_SUFFIX) ? STRATEGY_SUFFIX : fileName.match(/\.[^.]*$/)?.[0] ?? '';
  return `${fileName.slice(0, fileName.length - suffix.length)}-${n}${suffix}`;
}

/**
 * Writes `content` to `path`, or to the first free numbered name next to it.
 * Uses exclusive create (`wx`), so a file that appears meanwhile is never
 * overwritten. Creates the folder. Returns the path written.
 */
export async function writeNewFile(path: string, content: string, maxTries = 1000): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  for (let n = 1; n <= maxTries; n++) {
    const candidate = n === 1 ? path : join(dirname(path), numberedName(basename(path), n));
    let handle;
    try {
      handle = await open(candidate, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    try {
      await handle.writeFile(content, 'utf8');
    } finally {
      await handle.close();
    }
    return candidate;
  }
  throw new Error(`Could not find a free file name next to ${path} after ${maxTries} tries. Pick another name with --out.`);
}
