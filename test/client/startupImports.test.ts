/**
 * The extension host's start-up path must not evaluate the TypeScript compiler (~9 MB, the largest single cost of
 * loading the bundle): every static import reached from client/extension.ts
 * (the kind the bundle evaluates at load) is followed, through esbuild's own module graph of the extension bundle. TypeScript may be reached only through
 * a dynamic import() (evaluated at first use).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths';

/** The chain of static imports from the entry to the first input whose path matches `target`, or null. */
async function staticChain(entry: string, target: RegExp): Promise<string[] | null> {
  const { metafile } = await esbuild.build({
    entryPoints: [join(repoRoot, entry)], absWorkingDir: repoRoot, bundle: true, write: false, metafile: true, logLevel: 'silent',
    platform: 'node', format: 'cjs', outfile: join(repoRoot, 'dist', 'startup-check.js'), external: ['vscode', '*.node', 'cpu-features', 'esbuild'],
  });
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  while (queue.length) {
    const file = queue.shift()!;
    if (target.test(file)) {
      const chain: string[] = [];
      for (let at: string | null = file; at !== null; at = parent.get(at) ?? null) chain.unshift(at);
      return chain;
    }
    for (const imp of metafile.inputs[file]?.imports ?? []) {
      if (imp.kind !== 'import-statement' || parent.has(imp.path)) continue;
      parent.set(imp.path, file);
      queue.push(imp.path);
    }
  }
  return null;
}

test('activating the extension does not evaluate the TypeScript compiler', async () => {
  assert.equal(await staticChain('client/extension.ts', /node_modules\/typescript\/lib\/typescript\.js$/), null);
});

test('the check finds a static path when there is one (the transpiler imports TypeScript at its top)', async () => {
  const chain = await staticChain('core/strategy/transpile.ts', /node_modules\/typescript\/lib\/typescript\.js$/);
  assert.ok(chain && chain.length === 2, `core/strategy/transpile.ts reaches TypeScript statically (${chain?.join(' → ')})`);
});
