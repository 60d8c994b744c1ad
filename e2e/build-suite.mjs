// Bundles the in-extension-host suite (e2e/suite/index.ts, a @vscode/test-electron style run() module) to CommonJS.
import * as esbuild from 'esbuild';
import { resolve } from 'node:path';

const out = process.argv[2];
if (!out) throw new Error('usage: node e2e/build-suite.mjs <outfile.js>');
await esbuild.build({
  absWorkingDir: resolve(import.meta.dirname, '..'),
  entryPoints: ['e2e/suite/index.ts'],
  outfile: out,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // as esbuild.mjs: native addons of optional ssh2 speed-ups and esbuild's own binary stay outside
  external: ['vscode', '*.node', 'cpu-features', 'esbuild'],
  sourcemap: 'inline',
  logLevel: 'warning',
});
