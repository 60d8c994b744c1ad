/**
 * The warm pool's JIT warm-up must leave the engine's code generic over object
 * shapes: a user strategy class (and order options) the warm-up never saw must
 * not deoptimise the bar loop or the order path, or the user's job pays for V8
 * recompiling the engine inside a one-CPU container (docs/sandbox.md, "Warm pool").
 * Read from V8's own deoptimisation trace of a child process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(__dirname, '..', '..');
/** Deopts caused by an object shape or call target the optimised code did not expect: what the warm-up prevents. */
const SHAPE_REASONS = /wrong map|wrong call target|wrong feedback cell/;

interface Deopt {
  fn: string;
  reason: string;
  /** Where the deoptimised function's code is: the outermost frame of the deopt position. */
  file: string;
}

function deopts(trace: string): Deopt[] {
  const lines = trace.split('\n');
  const out: Deopt[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^\[bailout \(kind: [^,]+, reason: ([^)]*)\): begin\. deoptimizing \S+ <JSFunction (\S*)/.exec(lines[i]);
    if (!m) continue;
    const at = lines.slice(i + 1, i + 4).find((l) => l.includes(';;; deoptimize at'));
    const positions = at ? [...at.matchAll(/<([^>]+):\d+:\d+>/g)].map((p) => p[1]) : [];
    out.push({ reason: m[1], fn: m[2], file: positions[positions.length - 1] ?? '?' });
  }
  return out;
}

test('after the warm-up, the example strategies (new shapes, order options) do not deoptimise the engine', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-warmup-'));
  try {
    const outfile = join(dir, 'warmup-deopts.js');
    await esbuild.build({
      entryPoints: [join(__dirname, 'fixtures', 'warmup-deopts.ts')],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      tsconfig: join(root, 'tsconfig.json'),
      logLevel: 'error',
    });
    const run = spawnSync(process.execPath, [outfile, join(root, 'examples')], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, NODE_PATH: join(root, 'node_modules') },
    });
    assert.equal(run.status, 0, run.stderr);
    const trades = [...run.stderr.matchAll(/^=== trades (\d+)$/gm)].map((m) => Number(m[1]));
    assert.equal(trades.length, 3, 'the three example strategies ran');
    assert.ok(trades.every((n) => n > 0), `each traded: ${trades.join(', ')}`);
    const engineShapeDeopts = deopts(run.stdout).filter((d) => SHAPE_REASONS.test(d.reason) && !d.file.endsWith('.strategy.ts'));
    assert.deepEqual(engineShapeDeopts, [], 'engine code deoptimised on a shape the warm-up should have made generic');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
