/** Trial counts per strategy in the run history (.strategy-lab/trials.json): what the deflated Sharpe counts. */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generateOffline } from '../../core/generate/index';
import { recordRefineTrials, RunStore, RunStoreError, strategyKey, TRIALS_FILE } from '../../core/history/store';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'sl-trials-'));
  try { await fn(dir); } finally { await rm(dir, { recursive: true, force: true }); }
}

describe('trial counts', () => {
  test('a variant run from the editor counts once: the same code again adds nothing, a change is a new trial, refine trials add on', () => withDir(async (dir) => {
    const store = new RunStore(dir);
    const key = strategyKey('strategies/a.strategy.ts', 'A');
    assert.equal(await store.addVariant(key, 'hash-1', 'editor'), 1);
    assert.equal(await store.addVariant(key, 'hash-1', 'editor'), 1, 'the same variant again');
    assert.equal(await store.addVariant(key, 'hash-2', 'editor'), 2, 'an edited threshold');
    assert.equal(await store.addTrials(key, 3, 'refine'), 5);
    assert.equal(await new RunStore(dir).addVariant(key, 'hash-2', 'editor'), 5, 'remembered on disk');
    assert.equal(await store.addVariant(strategyKey('strategies/b.strategy.ts', 'B'), 'hash-1', 'editor'), 1, 'strategies are apart');
  }));

  test('start at 0, add up per strategy, and keep strategies apart', () => withDir(async (dir) => {
    const store = new RunStore(dir);
    const a = strategyKey('strategies/a.strategy.ts', 'A');
    const b = strategyKey('strategies/b.strategy.ts', 'B');
    assert.equal(await store.trialCount(a), 0);
    assert.equal(await store.addTrials(a, 3, 'refine'), 3);
    assert.equal(await store.addTrials(a, 2, 'sweep'), 5);
    assert.equal(await store.addTrials(b, 1, 'refine'), 1);
    assert.equal(await store.trialCount(a), 5);
    assert.equal(await new RunStore(dir).trialCount(b), 1, 'read back from disk by another store');
    const file = JSON.parse(await readFile(join(dir, TRIALS_FILE), 'utf8'));
    assert.equal(file.schema, 1);
    assert.equal(file.strategies[a].trials, 5);
    assert.equal(file.strategies[a].last, 'sweep');
  }));

  test('the key is the file (forward slashes, no ./) and the class', () => {
    assert.equal(strategyKey('strategies\\x.strategy.ts', 'X'), 'strategies/x.strategy.ts#X');
    assert.equal(strategyKey('./x.strategy.ts', 'X'), 'x.strategy.ts#X');
    assert.throws(() => strategyKey('x.ts', ''), /needs the strategy's file and class name/);
  });

  test('bad input: a count that is not a whole number ≥ 0, a corrupt or foreign file (left as it is)', () => withDir(async (dir) => {
    const store = new RunStore(dir);
    await assert.rejects(store.addTrials('x#X', -1, 'refine'), /whole number ≥ 0, got -1/);
    await assert.rejects(store.addTrials('x#X', 1.5, 'refine'), RunStoreError);
    await mkdir(join(dir, '.strategy-lab'), { recursive: true });
    await writeFile(join(dir, TRIALS_FILE), '{not json');
    await assert.rejects(store.trialCount('x#X'), /is not valid JSON .*fix or delete it/);
    await assert.rejects(store.addTrials('x#X', 1, 'refine'), /is not valid JSON/);
    assert.equal(await readFile(join(dir, TRIALS_FILE), 'utf8'), '{not json', 'never overwritten');
    await writeFile(join(dir, TRIALS_FILE), '{"schema":9,"strategies":{}}');
    await assert.rejects(store.trialCount('x#X'), /not a Strategy Lab trial count/);
  }));

  test('a written refine result adds its trials under the written file and its class', () => withDir(async (dir) => {
    const { source } = generateOffline('Buy AAPL when RSI drops below 30, sell when it rises above 70');
    const className = /export default class (\w+)/.exec(source)![1];
    const path = join(dir, 'strategies', 'aapl.strategy.ts');
    assert.deepEqual(await recordRefineTrials(dir, path, source, 3), { key: `strategies/aapl.strategy.ts#${className}`, total: 3 });
    assert.deepEqual(await recordRefineTrials(dir, path, source, 2), { key: `strategies/aapl.strategy.ts#${className}`, total: 5 });
    await assert.rejects(recordRefineTrials(dir, path, 'const x = 1;', 2), /has no readable class, so its 2 trial\(s\) were not counted/);
  }));
});
