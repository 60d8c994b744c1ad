// Builds the TypeScript server plugin (ts-plugin/index.ts) into dist/ts-plugin/index.js and makes it loadable
// under the package name tsserver is given (package.json contributes.typescriptServerPlugins):
//   node_modules/strategy-lab-ts-plugin/package.json  →  "main": "../../dist/ts-plugin/index.js"
// tsserver looks for global plugins in <extension>/node_modules. For the development host that is this repo's
// node_modules (written here); the packaged .vsix gets the same small package.json from ts-plugin/add-to-vsix.mjs,
// because `vsce package --no-dependencies` never packs node_modules/.
// Called from esbuild.mjs:  await import('./ts-plugin/build.mjs').then((m) => m.buildTsPlugin({ production }));
import * as esbuild from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PLUGIN_NAME = 'strategy-lab-ts-plugin';
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The package.json that makes `strategy-lab-ts-plugin` resolve to the bundle (same relative path in the repo and the .vsix). */
export function pluginPackageJson() {
  return JSON.stringify({ name: PLUGIN_NAME, version: '0.0.0', private: true, main: '../../dist/ts-plugin/index.js' }, null, 2) + '\n';
}

export async function buildTsPlugin({ production = false, root = ROOT } = {}) {
  await esbuild.build({
    entryPoints: [path.join(root, 'ts-plugin', 'index.ts')],
    outfile: path.join(root, 'dist', 'ts-plugin', 'index.js'),
    bundle: true, platform: 'node', format: 'cjs', target: 'node18', minify: production, sourcemap: !production,
    logLevel: 'warning', legalComments: 'none',
  });
  const pkgDir = path.join(root, 'node_modules', PLUGIN_NAME);
  mkdirSync(pkgDir, { recursive: true });
  writeFileSync(path.join(pkgDir, 'package.json'), pluginPackageJson());
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildTsPlugin({ production: process.argv.includes('--production') });
  console.log(`ts-plugin: built dist/ts-plugin/index.js and node_modules/${PLUGIN_NAME}/`);
}
