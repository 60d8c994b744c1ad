/**
 * The SDK's public declarations, and the build step that writes them:
 *   node --import tsx core/sdk/dts.ts --out dist/sdk
 * writes dist/sdk/strategy-lab.d.ts (both modules in one ambient file) and
 * exits 1 when the SDK source has type errors.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generateSdkDeclarations, SDK_DTS_FILE } from './declarations/index';

export { clearSdkDeclarationsCache, getSdkDeclarations, SDK_DTS_FILE, SDK_MODULE_NAMES } from './declarations/index';
export type { SdkDeclarations, SdkModuleName } from './declarations/index';

function main(argv: string[]): number {
  const outIndex = argv.indexOf('--out');
  if (outIndex < 0 || !argv[outIndex + 1]) {
    process.stderr.write('usage: node --import tsx core/sdk/dts.ts --out <folder>\n');
    return 2;
  }
  const outDir = resolve(argv[outIndex + 1]);
  const declarations = generateSdkDeclarations(__dirname);
  if (declarations.problems.length) {
    process.stderr.write(`The SDK source has type errors; fix them before building:\n${declarations.problems.join('\n')}\n`);
    return 1;
  }
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, SDK_DTS_FILE), declarations.text);
  process.stdout.write(`wrote ${join(outDir, SDK_DTS_FILE)}\n`);
  return 0;
}

// Only as a script: never when bundled into another entry point.
if (require.main === module && /dts\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) process.exitCode = main(process.argv.slice(2));
