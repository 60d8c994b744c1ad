/**
 * Specific names for generated strategies (core/generate/naming.ts): ticker, indicator with its numbers, kind of
 * rule. Valid identifiers and file names for every idea of the corpus, stable, and used by both generator paths.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { test } from 'node:test';
import { defaultStrategyPath, generateOffline, initialMessages, namesForIdea, writeNewFile } from '../../core/generate/index';

const CLASS = /^[A-Z][A-Za-z0-9]*$/;
const STEM = /^[a-z0-9]+(-[a-z0-9]+)*$/;

test('names say ticker, indicator, numbers and rule', () => {
  const cases: [string, string, string][] = [
    ['Buy AAPL when RSI drops below 35, sell when it rises above 65', 'AaplRsi35to65Reversion', 'aapl-rsi-35-65'],
    ['Golden cross on SPY: buy when SMA 50 crosses above SMA 200, sell when it crosses below', 'SpySma50x200Cross', 'spy-sma-50-200-cross'],
    ['Short TSLA when close breaks below the 20-day low', 'TslaBreakdown20Short', 'tsla-breakdown-20-short'],
    ['Buy MSFT when MACD crosses above its signal line with a 5% stop loss', 'MsftMacdCross', 'msft-macd-cross'],
    ['Buy SPY when close is above the 200-day SMA', 'SpySma200Trend', 'spy-sma-200'],
    ['Buy BRK.B and MSFT when RSI(2) is below 10, sell when RSI(2) is above 90', 'BrkBMsftRsi10to90Reversion', 'brk-b-msft-rsi-10-90'],
    ['Short QQQ when RSI rises above 70, cover when it falls below 50', 'QqqRsi70to50ShortReversion', 'qqq-rsi-70-50-short'],
    ['Buy AAPL when RSI rises above 60, sell when it drops below 40', 'AaplRsi60to40Momentum', 'aapl-rsi-60-40'],
  ];
  for (const [idea, className, fileStem] of cases) assert.deepEqual(namesForIdea(idea), { className, fileStem }, idea);
});

test('ideas the offline parser does not read still get a valid name from their words, without the filler', () => {
  const names = namesForIdea('a strategy that buys with vibes on GME');
  assert.match(names.className, CLASS);
  assert.match(names.fileStem, STEM);
  assert.match(names.className, /Gme/);
  assert.doesNotMatch(names.className, /^Strategy|That/);
  assert.deepEqual(namesForIdea('!!!'), { className: 'GeneratedStrategy', fileStem: 'strategy' });
  // A name that would start with a digit gets a letter in front; nothing but letters and digits.
  const digits = namesForIdea('buy 7203.T on momentum');
  assert.match(digits.className, CLASS);
  assert.match(digits.fileStem, STEM);
});

test('every idea of the corpus gets a valid, bounded, stable name; different ideas mostly get different names', () => {
  const ideas = readFileSync(resolve(import.meta.dirname, 'corpus/supported.txt'), 'utf8').split('\n').map((l) => l.split('=>')[0].trim()).filter((l) => l && !l.startsWith('#'));
  assert.ok(ideas.length > 50, `${ideas.length} ideas`);
  const classes = new Set<string>();
  for (const idea of ideas) {
    const names = namesForIdea(idea);
    assert.match(names.className, CLASS, idea);
    assert.ok(names.className.length <= 60, names.className);
    assert.match(names.fileStem, STEM, idea);
    assert.ok(names.fileStem.length <= 40, names.fileStem);
    assert.deepEqual(namesForIdea(idea), names, 'the same idea, the same names');
    classes.add(names.className);
  }
  assert.ok(classes.size >= ideas.length * 0.6, `${classes.size} distinct class names for ${ideas.length} ideas`);
});

test('both generator paths use the name: the offline code declares the class, the LLM prompt asks for it', async () => {
  const idea = 'Buy AAPL when RSI drops below 35, sell when it rises above 65';
  const offline = generateOffline(idea);
  assert.match(offline.source, /export default class AaplRsi35to65Reversion extends BaseStrategy/);
  const user = initialMessages(idea).at(-1)!.content;
  assert.match(user, /Name the default-exported class AaplRsi35to65Reversion\./);
});

test('the file goes to strategies/<name>.strategy.ts and a taken name is numbered, never overwritten', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sl-naming-'));
  try {
    const idea = 'Buy AAPL when RSI drops below 35, sell when it rises above 65';
    const wanted = defaultStrategyPath(dir, idea);
    assert.equal(basename(wanted), 'aapl-rsi-35-65.strategy.ts');
    const first = await writeNewFile(wanted, 'first');
    const second = await writeNewFile(wanted, 'second');
    assert.equal(basename(second), 'aapl-rsi-35-65-2.strategy.ts');
    assert.equal(await readFile(first, 'utf8'), 'first');
    await writeFile(join(dir, 'strategies', 'aapl-rsi-35-65-3.strategy.ts'), 'mine');
    assert.equal(basename(await writeNewFile(wanted, 'third')), 'aapl-rsi-35-65-4.strategy.ts');
    assert.equal(await readFile(join(dir, 'strategies', 'aapl-rsi-35-65-3.strategy.ts'), 'utf8'), 'mine');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
