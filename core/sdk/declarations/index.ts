import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { emitSdkDeclarations, sdkModuleSources } from './emit';
import { flattenDeclarations } from './flatten';

/** The module names a strategy may import. */
export const SDK_MODULE_NAMES = ['strategy-lab', 'strategy-lab/indicators'] as const;
export type SdkModuleName = (typeof SDK_MODULE_NAMES)[number];

/** File name of the combined declarations under `dist/sdk/`. */
export const SDK_DTS_FILE = 'strategy-lab.d.ts';

export interface SdkDeclarations {
  /** One `declare module '<name>' { … }` block per SDK module. */
  modules: Partial<Record<SdkModuleName, string>>;
  /** Every block in one ambient declaration file (what `dist/sdk/strategy-lab.d.ts` holds). */
  text: string;
  /** Where the declarations came from: the SDK source folder, or a prebuilt file. */
  origin: string;
  /** Type errors found in the SDK source while emitting (empty when clean). */
  problems: string[];
}

let cached: SdkDeclarations | undefined;

/**
 * The SDK's public `.d.ts`, generated from `core/sdk/` (the single source) with
 * TypeScript's declaration emit. Cached for the life of the process: the
 * validator, the language server and the LLM prompt builder all call this.
 * Without the SDK source (a packaged extension), reads the prebuilt
 * `sdk/strategy-lab.d.ts` next to the running bundle instead.
 */
export function getSdkDeclarations(): SdkDeclarations {
  cached ??= loadSdkDeclarations();
  return cached;
}

/** Forget the cached declarations (after the SDK source changed, in watch mode and tests). */
export function clearSdkDeclarationsCache(): void {
  cached = undefined;
}

function loadSdkDeclarations(): SdkDeclarations {
  const sdkDir = findSdkSourceDir();
  const prebuilt = [join(__dirname, 'sdk', SDK_DTS_FILE), join(__dirname, SDK_DTS_FILE)].find((p) => existsSync(p));
  // Generating costs ~1 s of declaration emit, most of a language server's start-up: a prebuilt file at least as
  // new as every SDK source (the build writes it) holds the same text.
  if (sdkDir && prebuilt && statSync(prebuilt).mtimeMs >= newestSourceMtime(sdkDir)) return parseSdkDeclarationsFile(readFileSync(prebuilt, 'utf8'), prebuilt);
  if (sdkDir) return generateSdkDeclarations(sdkDir);
  if (!prebuilt) {
    throw new Error(`Cannot find the strategy SDK: neither its source (core/sdk/index.ts) nor a prebuilt ${SDK_DTS_FILE} is next to ${__dirname}. Run the build (it writes dist/sdk/${SDK_DTS_FILE}).`);
  }
  return parseSdkDeclarationsFile(readFileSync(prebuilt, 'utf8'), prebuilt);
}

/** The newest modification time of the SDK's TypeScript sources (what the prebuilt file must not be older than). */
function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** core/sdk when running from source (tsx) or from a bundle in dist/ of a checkout. */
function findSdkSourceDir(): string | undefined {
  const candidates = [process.env.STRATEGY_LAB_SDK_DIR, resolve(__dirname, '..'), resolve(__dirname, '..', 'core', 'sdk')];
  return candidates.find((dir): dir is string => !!dir && existsSync(join(dir, 'index.ts')) && existsSync(join(dir, 'strategy.ts')));
}

/** Generates the declarations from an SDK source folder (no caching). */
export function generateSdkDeclarations(sdkDir: string): SdkDeclarations {
  const modules = sdkModuleSources(sdkDir);
  const emitted = emitSdkDeclarations(modules);
  const excluded = [resolve(sdkDir, 'internal.d.ts')];
  const blocks = flattenDeclarations(emitted, modules, excluded);
  const result: SdkDeclarations['modules'] = {};
  for (const name of SDK_MODULE_NAMES) {
    const block = blocks.get(name);
    // Declared even before the indicators exist, so the import itself is not an error.
    result[name] = block ?? `declare module '${name}' {\n  export {};\n}\n`;
  }
  return { modules: result, text: combine(result), origin: sdkDir, problems: emitted.problems };
}

const HEADER = '// Strategy Lab SDK: the modules a strategy may import. Generated from core/sdk by core/sdk/dts.ts; do not edit.\n';

function combine(modules: SdkDeclarations['modules']): string {
  return HEADER + SDK_MODULE_NAMES.map((n) => modules[n]).join('\n');
}

/** Reads a written `strategy-lab.d.ts` back into its modules (what a packaged server does). */
export function parseSdkDeclarationsFile(text: string, origin: string): SdkDeclarations {
  const modules: SdkDeclarations['modules'] = {};
  for (const name of SDK_MODULE_NAMES) {
    const start = text.indexOf(`declare module '${name}' {`);
    if (start < 0) throw new Error(`${origin} has no declarations for '${name}'. Rebuild it.`);
    const end = text.indexOf('\n}\n', start);
    modules[name] = text.slice(start, end + 3);
  }
  return { modules, text, origin, problems: [] };
}
