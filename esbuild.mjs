// Builds every bundle into dist/. Entries whose source does not exist yet are skipped with a note.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {{ in: string, out: string, platform?: 'node' | 'browser', format?: 'cjs' | 'esm' | 'iife', external?: string[], packages?: 'external', banner?: string }[]} */
const entries = [
  // The banner marks when the extension host starts evaluating the bundle: activate() reports load + activation time.
  { in: 'client/extension.ts', out: 'extension', external: ['vscode'], banner: 'globalThis.__strategyLabLoadStart = performance.now();' },
  { in: 'server/server.ts', out: 'server' },
  // The CLI runs from an npm install with its dependencies beside it: leaving them out of the bundle means a
  // command loads only the packages it uses (the 9 MB TypeScript compiler only to validate or compile), instead
  // of V8 compiling all of them at every start.
  { in: 'core/cli/bin.ts', out: 'cli', packages: 'external' },
  { in: 'core/cli/launch.ts', out: 'launch', packages: 'external' },
  { in: 'sandbox/runtime/main.ts', out: 'sandbox/runtime' },
  { in: 'media/main.ts', out: 'media/main', platform: 'browser', format: 'iife' },
  { in: 'media/sweep.ts', out: 'media/sweep', platform: 'browser', format: 'iife' },
  { in: 'media/paper.ts', out: 'media/paper', platform: 'browser', format: 'iife' },
];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  target: 'node20',
  logLevel: 'warning',
  tsconfig: 'tsconfig.json',
  legalComments: 'none',
};

const contexts = [];
for (const entry of entries) {
  if (!existsSync(entry.in)) {
    console.log(`esbuild: skipping ${entry.in} (not present)`);
    continue;
  }
  const platform = entry.platform ?? 'node';
  const options = {
    ...common,
    entryPoints: [{ in: entry.in, out: entry.out }],
    outdir: 'dist',
    platform,
    format: entry.format ?? 'cjs',
    // Native addons of optional ssh2 speed-ups (used only for ssh:// Docker hosts) stay out of the
    // bundle; ssh2 loads them in try/catch and falls back to pure JavaScript.
    // esbuild (strategy compilation) runs its own native binary: it cannot be bundled.
    external: [...(entry.external ?? []), '*.node', 'cpu-features', 'esbuild'],
    ...(entry.packages ? { packages: entry.packages } : {}),
    ...(entry.banner ? { banner: { js: entry.banner } } : {}),
    target: platform === 'browser' ? 'es2022' : 'node20',
  };
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    contexts.push(ctx);
  } else {
    await esbuild.build(options);
  }
}
if (watch) console.log('esbuild: watching…');
else console.log('esbuild: built dist/');

// The TypeScript server plugin: its bundle, and node_modules/strategy-lab-ts-plugin/ so tsserver finds it
// (see ts-plugin/build.mjs; the .vsix gets the same package from ts-plugin/add-to-vsix.mjs).
await import('./ts-plugin/build.mjs').then((m) => m.buildTsPlugin({ production }));

// The SDK's .d.ts (one source: core/sdk) for the packaged language server and LLM prompt.
if (existsSync('core/sdk/dts.ts')) {
  const dts = spawnSync(process.execPath, ['--import', 'tsx', 'core/sdk/dts.ts', '--out', 'dist/sdk'], { stdio: 'inherit' });
  if (dts.status !== 0) process.exit(dts.status ?? 1);
}

// A packaged extension has no node_modules: the validator's type check needs TypeScript's lib files beside the
// server — only the ones strategies are checked against (lib.es2022.d.ts and what it references), not the DOM's.
if (production) {
  rmSync('dist/typescript-lib', { recursive: true, force: true });
  mkdirSync('dist/typescript-lib', { recursive: true });
  const todo = ['es2022'];
  const copied = new Set();
  while (todo.length) {
    const name = todo.pop();
    if (copied.has(name)) continue;
    copied.add(name);
    const file = `lib.${name}.d.ts`;
    copyFileSync(`node_modules/typescript/lib/${file}`, `dist/typescript-lib/${file}`);
    const text = readFileSync(`node_modules/typescript/lib/${file}`, 'utf8');
    for (const m of text.matchAll(/\/\/\/\s*<reference\s+lib="([^"]+)"/g)) todo.push(m[1].toLowerCase());
  }
}
