/**
 * The built-ins a strategy shares with the engine (sandbox/runtime/harden.ts): all frozen, and frozen in a way V8
 * keeps fast (docs/performance.md, "Frozen built-ins"): the engine's prototypes keep fast properties, and no
 * isolate-wide protector but the typed arrays' species one is given up. Each check has a control that fails it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const root = resolve(__dirname, '..', '..');

interface Probe {
  notFrozen: string[];
  attempts: Record<string, boolean>;
  fast: Record<string, boolean>;
  invalidated: string[];
}

async function probe(mode: 'sandbox' | 'control'): Promise<Probe> {
  const dir = mkdtempSync(join(tmpdir(), 'sl-harden-'));
  try {
    const outfile = join(dir, 'harden-probe.js');
    await esbuild.build({
      entryPoints: [join(__dirname, 'fixtures', 'harden-probe.ts')],
      outfile, bundle: true, packages: 'external', platform: 'node', format: 'cjs', target: 'node20',
      tsconfig: join(root, 'tsconfig.json'), logLevel: 'error',
    });
    const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--trace-protector-invalidation', outfile, mode], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    const invalidated = lines.flatMap((l) => /^Invalidating protector cell (\w+)/.exec(l)?.[1] ?? []);
    return { ...(JSON.parse(lines[lines.length - 1]) as Omit<Probe, 'invalidated'>), invalidated };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('every built-in the engine computes with is frozen, and every change a strategy tries is refused', async () => {
  const p = await probe('sandbox');
  assert.deepEqual(p.notFrozen, []);
  const allowed = Object.entries(p.attempts).filter(([, refused]) => !refused).map(([what]) => what);
  assert.deepEqual(allowed, [], 'changes that went through');
  assert.ok(Object.keys(p.attempts).length >= 10);
});

test("V8 keeps the frozen prototypes fast: fast properties, and only the typed arrays' species protector given up", async () => {
  const p = await probe('sandbox');
  assert.deepEqual(Object.entries(p.fast).filter(([, fast]) => !fast).map(([name]) => name), [], 'prototypes left in dictionary mode');
  assert.deepEqual(p.invalidated.filter((name) => name !== 'TypedArraySpeciesLookupChain'), [], 'protectors invalidated');
});

test('the checks can fail: a careless freeze leaves a dictionary-mode prototype and drops the array protectors', async () => {
  const p = await probe('control');
  assert.deepEqual(Object.entries(p.fast).filter(([, fast]) => !fast).map(([name]) => name), ['Array.prototype', 'a dictionary-mode prototype']);
  assert.ok(p.invalidated.includes('ArraySpeciesLookupChain'), `invalidated: ${p.invalidated.join(', ')}`);
  assert.ok(p.notFrozen.length > 0 && Object.values(p.attempts).some((refused) => !refused), 'nothing frozen, changes go through');
});
