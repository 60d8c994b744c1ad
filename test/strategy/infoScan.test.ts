/**
 * The TypeScript-free info reader (core/strategy/infoScan.ts) must either say "not sure" or give exactly what
 * TypeScript's reader (core/strategy/config.ts) gives: on every strategy file in the repository, and on edge
 * cases built to trip a scanner (comments, strings, templates, regular expressions, ASI, odd members).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { scanStrategyInfo } from '../../core/strategy/infoScan';
import { readStrategyInfo } from '../../core/strategy/config';
import { scanTokens } from '../../core/strategy/tokens';
import { repoRoot } from '../helpers/paths';

function strategyFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) strategyFiles(path, out);
    else if (name.endsWith('.strategy.ts')) out.push(path);
  }
  return out;
}

/** Asserts the scan agrees with TypeScript whenever it answers; returns whether it answered. */
function agrees(source: string, label: string): boolean {
  const scanned = scanStrategyInfo(source);
  if (scanned === undefined) return false;
  assert.deepEqual(scanned, readStrategyInfo(source), label);
  return true;
}

test('on every strategy file in the repository the scan gives TypeScript\'s answer, and answers for the plain ones', () => {
  const files = [...strategyFiles(join(repoRoot, 'examples')), ...strategyFiles(join(repoRoot, 'test'))];
  assert.ok(files.length >= 40, `found ${files.length} strategy files`);
  let answered = 0;
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    if (agrees(source, file)) answered++;
  }
  // The generated and example strategies are the plain shape: the fast path must serve nearly all of them.
  assert.ok(answered >= files.length * 0.9, `answered ${answered} of ${files.length}`);
  for (const example of ['rsi-reversion', 'sma-crossover', 'breakout-with-stop']) {
    assert.ok(scanStrategyInfo(readFileSync(join(repoRoot, 'examples', `${example}.strategy.ts`), 'utf8')), example);
  }
});

const HEAD = "import { BaseStrategy, type Bar } from 'strategy-lab';\n";
const wrap = (members: string, before = '') => `${HEAD}${before}export default class S extends BaseStrategy {\n${members}\n  onBar(bar: Bar) {}\n}\n`;

test('plain shapes are read, with the same values TypeScript reads', () => {
  const cases: Array<[string, string, unknown]> = [
    ['single quotes', wrap("  static config = { symbols: ['SPY'], timeframe: '1d' };"), { symbols: ['SPY'], timeframe: '1d' }],
    ['double quotes, trailing commas, no semicolon', wrap('  static config = {\n    symbols: ["A", "B",],\n    timeframe: "1h",\n  }\n  params = { n: 2 }'), { symbols: ['A', 'B'], timeframe: '1h' }],
    ['template literal, quoted keys, as const', wrap("  static readonly config = { 'symbols': [`QQQ`], \"timeframe\": '5m', warmup: 20, ratio: 1.5e-3, on: true, off: false, nested: { a: [1, [2]] } } as const;"), null],
    ['satisfies', wrap("  static config = { symbols: ['X'], timeframe: '1d' } satisfies StrategyConfig;"), null],
    ['comments everywhere', wrap("  // static config = { symbols: ['NO'] };\n  /* static config = {} */ static /* x */ config = /* y */ { symbols: ['YES'], // z\n timeframe: '1d' };"), null],
    ['keywords as keys', wrap("  static config = { default: 1, class: 'x', symbols: ['S'], timeframe: '1d' };"), null],
    ['config after other members and methods', wrap("  params = { a: 1 };\n  private helper() { const re = /[}{'\"]/g; return `${'{'}`.replace(re, '}'); }\n  static override config = { symbols: ['Z'], timeframe: '1wk' };"), null],
    ['helpers before the class', wrap("  static config = { symbols: ['H'], timeframe: '1d' };", "const x = `a ${ { b: '}' }.b } c`;\nfunction f(a: number) { return a / 2 / 3; }\nconst r = /export default class Nope {}/;\n"), null],
    ['abstract, implements, qualified base', `${HEAD}import * as sl from 'strategy-lab';\nexport default abstract class S extends sl.BaseStrategy implements A, B.C {\n  static config = { symbols: ['Q'], timeframe: '1d' };\n}\n`, null],
    ['duplicate keys: the last wins', wrap("  static config = { symbols: ['A'], symbols: ['B'], timeframe: '1d' };"), { symbols: ['B'], timeframe: '1d' }],
    ['instance config ignored, static one read', wrap("  config = { symbols: ['I'] };\n  static config = { symbols: ['S'], timeframe: '1d' };"), { symbols: ['S'], timeframe: '1d' }],
    ['CRLF line ends', wrap("  static config = {\r\n symbols: ['C'],\r\n timeframe: '1d' }\r\n"), { symbols: ['C'], timeframe: '1d' }],
    ['byte order mark', `\ufeff${wrap("  static config = { symbols: ['B'], timeframe: '1d' };")}`, null],
    ['as const on values', wrap("  static override config = { symbols: ['SPY', 'BRK-B'] as const, timeframe: '1wk' as const, start: '2010-01-04' };"), { symbols: ['SPY', 'BRK-B'], timeframe: '1wk', start: '2010-01-04' }],
    ['as as a key', wrap("  static config = { as: 1, satisfies: 2, symbols: ['A'], timeframe: '1d' };"), null],
    ['empty object and array', wrap('  static config = { symbols: [], x: {} };'), null],
  ];
  for (const [label, source, expected] of cases) {
    assert.ok(agrees(source, label), `${label}: the scan should answer`);
    if (expected) assert.deepEqual(scanStrategyInfo(source)!.config, expected, label);
    assert.equal(scanStrategyInfo(source)!.className, 'S', label);
  }
});

test('anything not plain is left to TypeScript (never a different answer)', () => {
  const cases: Array<[string, string]> = [
    ['negative number', wrap("  static config = { symbols: ['A'], timeframe: '1d', x: -1 };")],
    ['hex and separators', wrap("  static config = { symbols: ['A'], x: 0x10, y: 1_000 };")],
    ['escapes in strings', wrap("  static config = { symbols: ['A\\u0042'], timeframe: '1d' };")],
    ['computed value', wrap("  static config = { symbols: SYMBOLS, timeframe: '1d' };")],
    ['shorthand', wrap('  static config = { symbols, timeframe };')],
    ['spread', wrap("  static config = { ...base, timeframe: '1d' };")],
    ['method in the literal', wrap("  static config = { symbols: ['A'], f() { return 1; } };")],
    ['null and undefined', wrap("  static config = { symbols: ['A'], x: null, y: undefined };")],
    ['array hole', wrap("  static config = { symbols: ['A',, 'B'] };")],
    ['__proto__ key', wrap("  static config = { __proto__: { symbols: ['P'] }, timeframe: '1d' };")],
    ['member access after the literal', wrap("  static config = { a: { symbols: ['A'], timeframe: '1d' } }\n  ['a'] = 1;")],
    ['call after the literal', wrap("  static config = { symbols: ['A'] }\n  (x) {}")],
    ['operator after the literal', wrap("  static config = { symbols: ['A'] } || {};")],
    ['type annotation', wrap("  static config: StrategyConfig = { symbols: ['A'], timeframe: '1d' };")],
    ['no initializer', wrap('  declare static config: StrategyConfig;')],
    ['static config method first', wrap("  static config() { return 1; }\n  static config = { symbols: ['A'] };")],
    ['static getter', wrap("  static get config() { return { symbols: ['A'] }; }")],
    ['modifier on its own line', wrap("  static\n  config = { symbols: ['A'], timeframe: '1d' };")],
    ['decorator', wrap("  @dec static config = { symbols: ['A'], timeframe: '1d' };")],
    ['parenthesised', wrap("  static config = ({ symbols: ['A'], timeframe: '1d' });")],
    ['as const across a line break', wrap("  static config = { symbols: ['A'], timeframe: '1d' }\n  as const;")],
    ['satisfies a generic type', wrap("  static config = { symbols: ['A'], timeframe: '1d' } satisfies Partial<StrategyConfig>;")],
    ['cast to a type', wrap("  static config = { symbols: ['A'], timeframe: '1d' } as StrategyConfig;")],
    ['anonymous class', `${HEAD}export default class extends BaseStrategy { static config = { symbols: ['A'], timeframe: '1d' }; }\n`],
    ['generic class', `${HEAD}export default class S<T> extends BaseStrategy { static config = { symbols: ['A'], timeframe: '1d' }; }\n`],
    ['default export of a name', `${HEAD}class S extends BaseStrategy { static config = { symbols: ['A'], timeframe: '1d' }; }\nexport default S;\n`],
    ['no config', wrap('  params = { a: 1 };')],
    ['unicode identifier', wrap("  static config = { symbols: ['A'], timeframe: '1d' };\n  é = 1;")],
    ['unterminated comment', wrap("  static config = { symbols: ['A'], timeframe: '1d' }; /*")],
    ['syntax error before the class', `${HEAD}const x = ;\n{\n${wrap("  static config = { symbols: ['A'] };")}`],
    ['shebang', `#!/usr/bin/env node\n${wrap("  static config = { symbols: ['A'], timeframe: '1d' };")}`],
    ['string key with a line break escape', wrap("  static config = { 'sym\\nbols': ['A'] };")],
    ['template with a substitution', wrap("  static config = { symbols: [`${'A'}`], timeframe: '1d' };")],
  ];
  for (const [label, source] of cases) {
    assert.equal(scanStrategyInfo(source), undefined, label);
  }
});

test('the tokenizer tracks strings, templates, regular expressions and depth', () => {
  const tokens = scanTokens("a = `x${ {b: '}'} }y${c}z` / 2; if (d) e = /[/]}/g.test(f) // }\n{ }")!;
  assert.ok(tokens);
  assert.deepEqual(tokens.filter((t) => t.kind === 'regex').map((t) => t.text), ['/[/]}/g']);
  assert.deepEqual(tokens.filter((t) => t.kind === 'template').map((t) => t.text), ['`x${', '}y${', '}z`']);
  assert.equal(tokens.at(-1)!.depth, 0);
  assert.equal(tokens.at(-1)!.newlineBefore, false);
  assert.equal(tokens.at(-2)!.newlineBefore, true);
  for (const bad of ["'open", '`open', '/* open', '{ ( }', ')', 'a = /open']) assert.equal(scanTokens(bad), undefined, bad);
});
