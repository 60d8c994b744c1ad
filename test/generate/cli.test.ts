import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cli, withDir } from './generateCli';
import { readRequestFromSource } from '../../core/generate/index';
import { startFakeOpenAI } from './fakeOpenAI';
import { GOOD_CODE, fenced } from './modelReplies';

const IDEA = 'Buy AAPL when RSI drops below 35, sell when it rises above 65';
const KEY = 'sk-cli-SECRET-abcdef0123456789';

test('cli generate: offline by default without a key, into strategies/<slug>.strategy.ts', () =>
  withDir(async (dir) => {
    const r = await cli([IDEA], dir);
    assert.equal(r.code, 0, r.stderr);
    const files = await readdir(join(dir, 'strategies'));
    assert.deepEqual(files, ['aapl-rsi-35-65.strategy.ts']);
    assert.match(r.stdout, /Wrote strategies\/aapl-rsi-35-65\.strategy\.ts \(offline generator\)/);
    const source = await readFile(join(dir, 'strategies', files[0]), 'utf8');
    assert.equal(readRequestFromSource(source), IDEA);
  }));

test('cli generate: never overwrites — the same idea twice gives a -2 file and keeps the first', () =>
  withDir(async (dir) => {
    await cli([IDEA], dir);
    const first = join(dir, 'strategies', 'aapl-rsi-35-65.strategy.ts');
    await writeFile(first, '// my edits\n');
    const r = await cli([IDEA], dir);
    assert.equal(r.code, 0);
    assert.equal(await readFile(first, 'utf8'), '// my edits\n', 'the existing file is untouched');
    assert.match(r.stderr, /already exists; kept it and wrote strategies\/aapl-rsi-35-65-2\.strategy\.ts/);
    const second = await readFile(join(dir, 'strategies', 'aapl-rsi-35-65-2.strategy.ts'), 'utf8');
    assert.equal(readRequestFromSource(second), IDEA);
  }));

test('cli generate: --out to an existing file picks a new name', () =>
  withDir(async (dir) => {
    await writeFile(join(dir, 'mine.strategy.ts'), 'keep me');
    const r = await cli([IDEA, '--out', 'mine.strategy.ts', '--provider', 'offline'], dir);
    assert.equal(r.code, 0);
    assert.equal(await readFile(join(dir, 'mine.strategy.ts'), 'utf8'), 'keep me');
    assert.ok((await readFile(join(dir, 'mine-2.strategy.ts'), 'utf8')).startsWith('// Request: '));
  }));

test('cli generate: --print writes the file to stdout and nothing to disk', () =>
  withDir(async (dir) => {
    const r = await cli([IDEA, '--print'], dir);
    assert.equal(r.code, 0);
    assert.equal(readRequestFromSource(r.stdout), IDEA);
    assert.deepEqual(await readdir(dir), []);
  }));

test('cli generate: an idea it does not understand exits 1, lists the parts, writes nothing', () =>
  withDir(async (dir) => {
    const r = await cli(['Buy AAPL when RSI drops below 30 and the moon is full'], dir);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /did not understand[\s\S]*Understood:[\s\S]*rsi drops below 30[\s\S]*Did not understand:[\s\S]*"the moon is full"/);
    assert.deepEqual(await readdir(dir), []);
  }));

test('cli generate: bad usage exits 2 with the usage line', () =>
  withDir(async (dir) => {
    for (const argv of [[], [IDEA, '--provider', 'magic'], [IDEA, '--max-attempts', '0'], [IDEA, '--bogus']]) {
      const r = await cli(argv, dir);
      assert.equal(r.code, 2, argv.join(' '));
      assert.ok(r.stderr.length > 0);
    }
  }));

test('cli generate: --provider openai uses OPENAI_API_KEY and never prints it', () =>
  withDir(async (dir) => {
    const server = await startFakeOpenAI([{ reply: fenced(GOOD_CODE) }]);
    try {
      const r = await cli([IDEA, '--provider', 'openai', '--model', 'test-model', '--base-url', server.baseUrl], dir, { OPENAI_API_KEY: KEY });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /model test-model, 1 attempt/);
      assert.equal(server.requests[0].headers.authorization, `Bearer ${KEY}`);
      assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY));
      assert.match(r.stderr, /Attempt 1 of 3/);
    } finally {
      await server.close();
    }
  }));

test('cli generate: a rejected key fails with exit 1 and the key nowhere in the output', () =>
  withDir(async (dir) => {
    const server = await startFakeOpenAI([{ status: 401, error: `Incorrect API key provided: ${KEY}` }]);
    try {
      const r = await cli([IDEA, '--base-url', server.baseUrl], dir, { OPENAI_API_KEY: KEY });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /API key was rejected/);
      assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY) && !r.stderr.includes('SECRET'));
      assert.deepEqual(await readdir(dir), [], 'nothing written');
    } finally {
      await server.close();
    }
  }));

test('cli generate: --provider openai without OPENAI_API_KEY explains what to set', () =>
  withDir(async (dir) => {
    const r = await cli([IDEA, '--provider', 'openai'], dir, {});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /OPENAI_API_KEY/);
  }));
