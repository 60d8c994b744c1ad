/**
 * esbuild's compilation of a strategy (core/strategy/esbuildTranspile.ts, the run path's) must behave exactly like
 * TypeScript's (core/strategy/transpile.ts): every strategy file in the repository that compiles gives a result
 * byte-identical to the TypeScript-compiled one on real data (or the same error), the module is strict, and what
 * esbuild refuses is left to TypeScript.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { transpileWithEsbuild } from '../../core/strategy/esbuildTranspile';
import { compileStrategySync } from '../../core/strategy/transpile';
import { compileStrategy, StrategyCompileError } from '../../core/strategy/compile';
import { strategyArtifacts } from '../../core/strategy/artifacts';
import { loadStrategy } from '../../core/strategy/load';
import { runBacktest } from '../../core/engine/backtest';
import { loadCsv } from '../../core/data/csv';
import { readStrategyInfo } from '../../core/strategy/config';
import { repoRoot, sharedData } from '../helpers/paths';

function strategyFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) strategyFiles(path, out);
    else if (name.endsWith('.strategy.ts')) out.push(path);
  }
  return out;
}

/**
 * The result as JSON, or the error's name and message: what a user sees of a run. Globals a strategy adds are
 * removed afterwards (a fixture keeps a cache on globalThis on purpose), so each run starts from the same state.
 */
async function outcome(js: string, fileName: string, symbols: string[]): Promise<string> {
  const globals = new Set(Object.getOwnPropertyNames(globalThis));
  try {
    const cls = loadStrategy(js, fileName);
    const series = await Promise.all(symbols.map((symbol) => loadCsv(sharedData('GOOG_daily_2004_2013_backtestingpy.csv'), { symbol })));
    return JSON.stringify(runBacktest(cls, series, { commission: 0.001 }));
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  } finally {
    for (const name of Object.getOwnPropertyNames(globalThis)) if (!globals.has(name)) delete (globalThis as Record<string, unknown>)[name];
  }
}

/** Equal strings, or a failure that shows where they differ (not two 600 KB results). */
function assertSameOutcome(actual: string, expected: string, label: string): void {
  if (actual === expected) return;
  let i = 0;
  while (actual[i] === expected[i]) i++;
  assert.fail(`${label}: differs at ${i}: …${actual.slice(Math.max(0, i - 80), i + 80)}… expected …${expected.slice(Math.max(0, i - 80), i + 80)}…`);
}

test('every strategy in the repository runs the same compiled by esbuild as by TypeScript', async () => {
  const files = [...strategyFiles(join(repoRoot, 'examples')), ...strategyFiles(join(repoRoot, 'test'))];
  let compared = 0;
  let ran = 0;
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const name = basename(file);
    // The validator's fixtures for endless loops (SL051) would never return in process; fixtures that read the
    // clock or a random number differ from run to run whatever compiled them.
    if (/while \(true\)|for \(;;\)|Date\.now|Math\.random|new Date\(\)/.test(source)) continue;
    let tsJs: string;
    try {
      tsJs = compileStrategySync(source, name).js;
    } catch {
      continue; // a syntax error: esbuild's answer is not used for it (see below)
    }
    const esJs = await transpileWithEsbuild(source, name);
    assert.ok(esJs !== undefined, `${file}: esbuild compiles what TypeScript compiles`);
    const symbols = readStrategyInfo(source, name).config?.symbols;
    const list = Array.isArray(symbols) && symbols.length ? (symbols as string[]) : ['GOOG'];
    const expected = await outcome(tsJs, name, list);
    assertSameOutcome(await outcome(esJs, name, list), expected, file);
    compared++;
    if (expected.startsWith('{')) ran++;
  }
  assert.ok(compared >= 60 && ran >= 40, `compared ${compared}, of which ${ran} ran to a result`);
});

test('the esbuild output is a strict module: writing to a frozen SDK class throws as with TypeScript', async () => {
  const source = "import { BaseStrategy, type Bar } from 'strategy-lab';\n(BaseStrategy as any).prototype.buy = () => 0;\nexport default class S extends BaseStrategy {\n  static config = { symbols: ['GOOG'], timeframe: '1d' };\n  onBar(bar: Bar) {}\n}\n";
  const js = await transpileWithEsbuild(source, 's.strategy.ts');
  assert.match(js!, /^"use strict";/);
  const expected = await outcome(compileStrategySync(source, 's.strategy.ts').js, 's.strategy.ts', ['GOOG']);
  assert.match(expected, /TypeError/);
  assertSameOutcome(await outcome(js!, 's.strategy.ts', ['GOOG']), expected, 'strict');
});

test('esbuild leaves syntax errors to TypeScript, whose wording and line the user gets', async () => {
  const broken = "import { BaseStrategy } from 'strategy-lab';\nexport default class B extends BaseStrategy {\n  static config = { symbols: ['SPY'], timeframe: '1d' };\n  onBar( { if (\n}\n";
  assert.equal(await transpileWithEsbuild(broken, 'b.strategy.ts'), undefined);
  await assert.rejects(compileStrategy(broken, 'b.strategy.ts'), (err: unknown) => {
    assert.ok(err instanceof StrategyCompileError);
    assert.match(err.message, /^b\.strategy\.ts:\d+:\d+: .*Fix the syntax error/);
    return true;
  });
});

test('the artifact cache builds a plain strategy with esbuild and the scan, and an unusual one with TypeScript', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'sl-artifacts-'));
  const plain = readFileSync(join(repoRoot, 'examples', 'rsi-reversion.strategy.ts'), 'utf8');
  const fast = await strategyArtifacts(plain, 'rsi.strategy.ts', { cacheDir });
  assert.match(fast.js!, /__toCommonJS/, 'esbuild built it');
  assert.deepEqual(fast.info, readStrategyInfo(plain, 'rsi.strategy.ts'));
  // A negative number in the config is beyond the scan: TypeScript reads the info and compiles.
  const unusual = plain.replace("timeframe: '1d'", "timeframe: '1d', x: -1");
  const slow = await strategyArtifacts(unusual, 'rsi.strategy.ts', { cacheDir });
  assert.doesNotMatch(slow.js!, /__toCommonJS/, 'TypeScript built it');
  assert.deepEqual(slow.info, readStrategyInfo(unusual, 'rsi.strategy.ts'));
});
