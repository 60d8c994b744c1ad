#!/usr/bin/env node
// `npm run bench`: bundles each bench/*.bench.ts with esbuild (as production code is
// bundled, so module boundaries cost what they cost in the extension), then runs it.
// Name benches on the command line to run a subset. Each prints its own numbers and ratios.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build, ensureDependencies, ensureDocker, root } from './ensure.mjs';

const only = process.argv.slice(2);
const files = readdirSync(join(root, 'bench'))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

ensureDependencies();
if (files.some((f) => f.includes('sandbox'))) ensureDocker({ fatal: false });
build(true);
const esbuild = await import('esbuild');

let failed = 0;
for (const file of files) {
  const benchDir = join(root, 'bench');
  const outfile = join(root, 'dist', 'bench', file.replace(/\.ts$/, '.js'));
  await esbuild.build({
    entryPoints: [join(benchDir, file)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'error',
    // Benches locate files relative to their source folder, and re-run themselves per scenario.
    define: {
      __dirname: JSON.stringify(benchDir),
      'import.meta.dirname': JSON.stringify(benchDir),
      'import.meta.filename': JSON.stringify(outfile),
    },
  });
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, ['--expose-gc', outfile], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`!!! ${file} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
