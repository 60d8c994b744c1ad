#!/usr/bin/env node
// `npm run bench`: builds, then runs every bench/*.bench.ts in turn (or the ones named
// on the command line). Each prints its own numbers and ratios; this prints a header per file.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const only = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

const build = spawnSync(process.execPath, [join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(root, 'bench', file)], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) { failed++; console.log(`!!! ${file} exited with ${r.status}`); }
}
process.exit(failed ? 1 : 0);
