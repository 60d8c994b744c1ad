/**
 * The fast half of strategy compilation: esbuild's transform (a native binary, ~20 ms of its CPU plus ~40 ms of
 * ours) instead of TypeScript's transpiler (~0.5 s to load). Same output semantics as transpile.ts: CommonJS,
 * ES2022, [[Set]] class fields (`useDefineForClassFields: false`, so BaseStrategy's `params` accessor sees the
 * subclass's `params = {…}`), strict mode. It answers undefined — "use TypeScript" — when esbuild is not
 * installed (a packaged `.vsix` has no native binary) or reports an error: syntax errors keep TypeScript's
 * wording and line (transpile.ts).
 */

const TRANSFORM_OPTIONS = {
  loader: 'ts',
  format: 'cjs',
  target: 'es2022',
  logLevel: 'silent',
  // alwaysStrict: esbuild does not add "use strict" to a module turned into CommonJS by itself, and in sloppy
  // mode a write to a frozen SDK class fails silently instead of throwing (core/strategy/load.ts).
  tsconfigRaw: { compilerOptions: { useDefineForClassFields: false, alwaysStrict: true } },
} as const;

export async function transpileWithEsbuild(source: string, fileName: string): Promise<string | undefined> {
  let esbuild: typeof import('esbuild');
  try {
    // require, not import(): in the CommonJS bundles a dynamic import goes through Node's ESM loader (slower to
    // start) and around the module cache the CLI's tests watch.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    esbuild = require('esbuild') as typeof import('esbuild');
  } catch {
    return undefined;
  }
  try {
    return (await esbuild.transform(source, { ...TRANSFORM_OPTIONS, sourcefile: fileName })).code;
  } catch {
    return undefined;
  }
}

/**
 * The same transform with its source map (for mapping a runtime error's position back to the user's file, after a
 * run failed): the code must equal what ran, which errorLocation.ts checks before trusting the map.
 */
export async function transpileWithEsbuildSourceMap(source: string, fileName: string): Promise<{ js: string; map: string } | undefined> {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    const out = await esbuild.transform(source, { ...TRANSFORM_OPTIONS, sourcefile: fileName, sourcemap: 'external' });
    return { js: out.code, map: out.map };
  } catch {
    return undefined;
  }
}

/** esbuild's version, for the artifact cache key; 'none' where esbuild is not installed. */
export function esbuildVersion(): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require('esbuild/package.json') as { version: string }).version;
  } catch {
    return 'none';
  }
}
