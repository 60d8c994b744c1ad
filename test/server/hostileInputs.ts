/** Test inputs that attack the language server: parser-overflowing nesting, random bytes, huge files. */
import { seededRandom } from '../../core/evaluate/verdict/stats';

export const SMALL_STRATEGY = `import { BaseStrategy, type Bar } from 'strategy-lab';

export default class Small extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' };
  onBar(bar: Bar): void {
    if (bar.close > bar.open) this.buy(bar.symbol);
  }
}
`;

/** Where hover in SMALL_STRATEGY names something (`bar.close`: the SDK's documented Bar field). */
export const SMALL_HOVER = { line: 5, character: 14 };

/** SMALL_STRATEGY with `expression` as the condition of its `if`. */
export function withCondition(expression: string): string {
  return SMALL_STRATEGY.replace('bar.close > bar.open', expression);
}

/** `length` characters drawn from `alphabet`. */
export function randomText(seed: number, length: number, alphabet: string): string {
  const next = seededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < length; i++) out.push(alphabet[Math.floor(next() * alphabet.length)]);
  return out.join('');
}

const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('') + '\n\n\n\t';
const BYTES = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join('');
const TOKENS = ['const ', 'x', '= ', '1 ', '+ ', ';', '\n', 'if ', 'this.', 'buy', '(', ')', '{', '}', 'class ', 'extends ', "'a'", 'bar.close ', '> ', 'return ', 'new ', 'SMA', ',', '=> '];

/** Named hostile files, each a strategy the server must survive: published and bounded, or an SL000 saying why. */
export function hostileCorpus(): { name: string; text: string }[] {
  const next = seededRandom(7);
  const tokens = Array.from({ length: 30_000 }, () => TOKENS[Math.floor(next() * TOKENS.length)]).join('');
  return [
    { name: '1,000 nested parentheses', text: withCondition(`${'('.repeat(1000)}bar.close${')'.repeat(1000)} > 1`) },
    { name: '5,000 nested parentheses', text: withCondition(`${'('.repeat(5000)}bar.close${')'.repeat(5000)} > 1`) },
    { name: '3,000 nested array brackets', text: withCondition(`${'['.repeat(3000)}1${']'.repeat(3000)}.length > 0`) },
    { name: '3,000 nested blocks', text: SMALL_STRATEGY.replace('if (bar.close', `${'{'.repeat(3000)}${'}'.repeat(3000)} if (bar.close`) },
    { name: '2,000 nested template literals', text: withCondition(`${'`${'.repeat(2000)}1${'}`'.repeat(2000)}.length > 0`) },
    { name: '2,000 nested arrow functions', text: withCondition(`${'(() => '.repeat(2000)}1${')'.repeat(2000)} > 0`) },
    { name: '2,000 nested calls', text: withCondition(`${'Math.abs('.repeat(2000)}bar.close${')'.repeat(2000)} > 1`) },
    { name: '2,000 nested ternaries', text: withCondition(`${'bar.close > 1 ? '.repeat(2000)}true${' : false'.repeat(2000)}`) },
    { name: 'a 300 KB line of additions', text: withCondition(`${'bar.close + '.repeat(25_000)}1 > 0`) },
    { name: 'unbalanced open brackets', text: SMALL_STRATEGY + '('.repeat(20_000) },
    { name: '256 KB of random bytes', text: randomText(1, 256 * 1024, BYTES) },
    { name: '256 KB of random printable text', text: randomText(2, 256 * 1024, PRINTABLE) },
    { name: '256 KB of printable text without brackets', text: randomText(3, 256 * 1024, PRINTABLE.replace(/[()[\]{}]/g, '')) },
    { name: 'random TypeScript tokens', text: tokens },
  ];
}

/** About `bytes` of a syntactically valid strategy with many small helpers (a file above the full-check limit). */
export function hugeStrategy(bytes: number, onBarName = 'onBar'): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `  private h${i}(x: number): number { return x * ${i} + Math.abs(x - ${i % 97}); }`;
    lines.push(line);
    size += line.length + 1;
  }
  return SMALL_STRATEGY.replace('  onBar(bar: Bar): void {', `${lines.join('\n')}\n  ${onBarName}(bar: Bar): void {`);
}
