/**
 * The supervisor checks every message of the worker (the strategy's realm) and never crashes on one: fuzzed
 * in-process against its message reader, and for real against a runtime whose worker posts malformed messages.
 * It also reads its job in linear time. No Docker needed: the runtime runs as a plain child process here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';
import { readWorkerMessage } from '../../sandbox/runtime/messages';
import { MAX_ERROR_MESSAGE_CHARS, MAX_ERROR_NAME_CHARS, readErrorPayload } from '../../core/sandbox/caps';
import { encodeJob, FRAME_ERROR, FRAME_LOG, FrameDecoder, type ErrorPayload, type Frame } from '../../core/sandbox/protocol';
import type { BarSeries } from '../../core/data/series';
import { Rng } from '../../core/data/prng';
import { bars, runtimeBundle } from './helpers';
import { MALFORMED, OVERSIZED } from './fixtures/malformed-messages';

const root = resolve(__dirname, '..', '..');
let dir: string;
let fuzzRuntime: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'strategy-lab-fuzz-'));
  fuzzRuntime = join(dir, 'fuzz-runtime.js');
  await esbuild.build({ entryPoints: [join(root, 'test', 'sandbox', 'fixtures', 'fuzz-runtime.ts')], outfile: fuzzRuntime, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'silent' });
});

after(() => rmSync(dir, { recursive: true, force: true }));

interface Conversation {
  frames: Frame[];
  code: number | null;
  stderr: string;
  ms: number;
}

/** Sends one job to a runtime child (in `chunk`-byte writes) and collects its frames until it exits. */
function converse(runtime: string, js: string, { chunk = 1 << 16, series = [bars(5)] as BarSeries[] } = {}): Promise<Conversation> {
  const key = randomBytes(16);
  const job = encodeJob({ key, js, fileName: 'fuzz.strategy.ts', options: {}, timeMs: 20_000, maxLogBytes: 1 << 20, series });
  const child = spawn(process.execPath, ['--disallow-code-generation-from-strings', runtime, '--worker-heap-mb=96'], { stdio: ['pipe', 'pipe', 'pipe'], env: {} });
  const decoder = new FrameDecoder(key, 64 << 20);
  const frames: Frame[] = [];
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => frames.push(...decoder.push(c)));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ frames, code, stderr, ms: Date.now() - started }));
    child.stdin.on('error', () => {}); // the runtime may exit before reading everything
    (async () => {
      for (let at = 0; at < job.length; at += chunk) {
        if (!child.stdin.write(job.subarray(at, at + chunk))) await new Promise((r) => child.stdin.once('drain', r));
      }
    })().catch(() => {});
  });
}

const errorOf = (c: Conversation): ErrorPayload => {
  const errors = c.frames.filter((f) => f.type === FRAME_ERROR);
  assert.equal(errors.length, 1, `one error frame (frames: ${c.frames.map((f) => f.type).join(',')}; stderr: ${c.stderr.slice(0, 500)})`);
  return JSON.parse(errors[0].payload.toString('utf8')) as ErrorPayload;
};

describe('the supervisor never crashes on a worker message', () => {
  test('the message reader, fuzzed with 20,000 random values, never throws and accepts only well-formed messages', () => {
    const rng = new Rng(13);
    const random = () => rng.next();
    const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
    const leaf = (): unknown => pick([null, undefined, 0, -1, NaN, Infinity, 1.5, 10n, '', 'log', 'x'.repeat(1000), true, [], {}, new Uint8Array(2), new Date(0), new Map(), Symbol('s'), () => 0]);
    const value = (depth: number): unknown => {
      if (depth > 2 || random() < 0.4) return leaf();
      const o: Record<string, unknown> = {};
      for (const k of ['t', 'time', 'message', 'bytes', 'kind', 'name']) if (random() < 0.6) o[k] = k === 't' && random() < 0.7 ? pick(['log', 'result', 'error', 'loaded', 'warm', 'job', 1]) : k === 'kind' && random() < 0.5 ? pick(['strategy', 'memory', 'evil']) : value(depth + 1);
      return random() < 0.1 ? [o] : o;
    };
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      const raw = value(0);
      const m = readWorkerMessage(raw);
      if (typeof m === 'string') continue;
      accepted++;
      // What it accepts has exactly the types the supervisor relies on.
      if (m.t === 'log') assert.ok((m.time === null || Number.isFinite(m.time)) && typeof m.message === 'string');
      if (m.t === 'result') assert.ok(m.bytes instanceof Uint8Array);
      if (m.t === 'error') assert.ok(typeof m.name === 'string' && m.name.length <= MAX_ERROR_NAME_CHARS + 60 && m.message.length <= MAX_ERROR_MESSAGE_CHARS + 60);
    }
    assert.ok(accepted > 100 && accepted < 20_000, `${accepted} random messages were well-formed`);
  });

  for (const name of Object.keys(MALFORMED)) {
    test(`a worker posting ${name} ends the run with a protocol error, not a crash`, async () => {
      const c = await converse(fuzzRuntime, name);
      const e = errorOf(c);
      assert.equal(e.kind, 'protocol', e.message);
      assert.match(e.message, /strategy's thread sent the sandbox supervisor/);
      assert.equal(c.code, 0, `the supervisor exited normally (stderr: ${c.stderr.slice(0, 300)})`);
      assert.doesNotMatch(c.stderr, /at |TypeError|serialize a BigInt/, 'no stack trace, no crash');
      if (name.startsWith('valid log')) assert.equal(c.frames[0].type, FRAME_LOG, 'the valid line before the garbage was delivered');
    });
  }

  test('an oversized error report is capped, name and message, and still delivered', async () => {
    const c = await converse(fuzzRuntime, 'a 4 MB error message');
    const e = errorOf(c);
    assert.equal(e.kind, 'strategy');
    assert.ok(e.message.length <= MAX_ERROR_MESSAGE_CHARS + 60, `message of ${e.message.length} characters`);
    assert.match(e.message, /more characters cut\)$/);
    assert.ok(e.name.length <= MAX_ERROR_NAME_CHARS + 60);
    // The host applies the same check to what the supervisor sends.
    assert.equal(typeof readErrorPayload({ kind: 'strategy', name: 'x', message: 'm'.repeat(1 << 20) }), 'object');
    assert.equal(typeof readErrorPayload({ kind: 'pwned', name: 'x', message: 'm' }), 'string');
  });
});

describe('the supervisor reads its job in linear time', () => {
  test('a 32 MB job in 64 KB writes is read in seconds (it was 59 s) and the loader refuses the oversized strategy', async () => {
    const runtime = await runtimeBundle();
    const huge = `// ${'x'.repeat(32 << 20)}\n`;
    const c = await converse(runtime, huge, { chunk: 1 << 16 });
    const e = errorOf(c);
    assert.equal(e.kind, 'strategy');
    assert.match(e.message, /the strategy is 32\.0 MB; the limit is 1 MB/);
    assert.ok(c.ms < 15_000, `read and answered in ${c.ms} ms`);
  });

  test('a job split into one-byte writes at its header still decodes (header boundaries are handled)', async () => {
    const runtime = await runtimeBundle();
    const js = `"use strict"; const { BaseStrategy } = require('strategy-lab'); class P extends BaseStrategy { onBar() {} } P.config = { symbols: ['TEST'], timeframe: '1d' }; exports.default = P;`;
    const c = await converse(runtime, js, { chunk: 7 });
    assert.equal(c.code, 0, c.stderr);
    assert.deepEqual(c.frames.map((f) => f.type), [2], 'one result frame');
  });
});
