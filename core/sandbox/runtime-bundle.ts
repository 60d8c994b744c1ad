/**
 * Where the sandbox runtime bundle lives, its content hash (the image tag), and
 * a way to (re)build just that bundle with the same settings as esbuild.mjs.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SandboxError } from './errors';

/** The package root: the folder holding package.json, found upward from this file (works from source and from dist/). */
export function packageRoot(from = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'sandbox'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(from, '..', '..');
    dir = parent;
  }
}

export function defaultRuntimePath(root = packageRoot()): string {
  return join(root, 'dist', 'sandbox', 'runtime.js');
}

export function assertRuntime(path: string): void {
  if (!existsSync(path)) {
    throw new SandboxError('image', `The sandbox runtime bundle is missing at ${path}. Build it with \`npm run build\` (it bundles sandbox/runtime/main.ts).`);
  }
}

export function readRuntime(path: string): Buffer {
  assertRuntime(path);
  return readFileSync(path);
}

/** sha256 over the parts that define an image; the first 16 hex digits become its tag. */
export function contentHash(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(String(Buffer.byteLength(p)));
    h.update(p);
  }
  return h.digest('hex').slice(0, 16);
}

/**
 * Builds only the runtime entry, with the same options as esbuild.mjs (so the
 * bytes, and with them the image tag, match what `npm run build` produces).
 * Tests and benchmarks use it so they do not depend on the other entries building.
 * Each output file is replaced atomically (temporary file, then rename) and only
 * when its bytes change: parallel test processes build it while others hash it
 * and copy it into an image, and must never read a half-written bundle.
 */
export async function buildRuntimeBundle(root = packageRoot(), outfile = defaultRuntimePath(root), production = false): Promise<string> {
  const esbuild = await import('esbuild');
  const { outputFiles } = await esbuild.build({
    entryPoints: [{ in: join(root, 'sandbox', 'runtime', 'main.ts'), out: 'sandbox/runtime' }],
    outdir: dirname(dirname(outfile)),
    bundle: true,
    sourcemap: !production,
    minify: production,
    target: 'node20',
    logLevel: 'warning',
    tsconfig: join(root, 'tsconfig.json'),
    legalComments: 'none',
    platform: 'node',
    format: 'cjs',
    external: [],
    write: false,
  });
  for (const file of outputFiles) replaceFileIfChanged(file.path, file.contents);
  return outfile;
}

function replaceFileIfChanged(path: string, contents: Uint8Array): void {
  if (existsSync(path) && readFileSync(path).equals(contents)) return;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}
