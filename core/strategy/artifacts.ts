/**
 * What the host derives from a strategy's source — its compiled JavaScript and its static info (class name,
 * `static config`) — cached by content hash. In memory always; on disk under `<cacheDir>/compiled/` when a cache
 * folder is given (the CLI's, see docs/engine.md "Compilation cache"). A source is built without the TypeScript
 * compiler when it can be (infoScan.ts + esbuildTranspile.ts: ~60 ms instead of ~0.5 s of loading TypeScript);
 * TypeScript builds the rest (syntax errors, shapes the scan is not sure of, no esbuild binary).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { version as typescriptVersion } from 'typescript/package.json';
import type { StaticStrategyInfo } from './config';
import { esbuildVersion, transpileWithEsbuild } from './esbuildTranspile';
import { scanStrategyInfo } from './infoScan';

export interface ArtifactCacheOptions {
  /** The cache root (the data cache's): entries go to `<cacheDir>/compiled/`. No disk cache when absent. */
  cacheDir?: string;
}

export interface StrategyArtifacts {
  info: StaticStrategyInfo;
  /** The compiled CommonJS; null when the source does not compile (then `error` says why). */
  js: string | null;
  error: { message: string; line?: number; column?: number } | null;
}

/** Bump when a compiler's options (transpile.ts, esbuildTranspile.ts) or the entry shape change: old entries are then never read. */
const FORMAT = 2;
const MEMORY_ENTRIES = 64;
/** Entries are a few KB; past this many the oldest quarter is removed. */
const DISK_ENTRIES = 512;

const memory = new Map<string, StrategyArtifacts>();

export async function strategyArtifacts(source: string, fileName: string, options: ArtifactCacheOptions = {}): Promise<StrategyArtifacts> {
  const key = createHash('sha256').update(`${FORMAT}\0${typescriptVersion}\0${esbuildVersion()}\0${fileName}\0`).update(source).digest('hex');
  let artifacts = memory.get(key);
  if (!artifacts) {
    const dir = options.cacheDir ? join(options.cacheDir, 'compiled') : undefined;
    artifacts = dir ? await readEntry(dir, key) : undefined;
    if (!artifacts) {
      artifacts = await build(source, fileName);
      if (dir) await writeEntry(dir, key, artifacts);
    }
  }
  memory.delete(key); // re-inserted last: the Map's order is the LRU order
  memory.set(key, artifacts);
  if (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value!);
  return structuredClone(artifacts); // callers may change what they get; the cached copy stays as computed
}

/** The strategy's class name and `static config`, read without running it (core/strategy/config.ts), cached. */
export async function readStrategyInfoCached(source: string, fileName: string, options: ArtifactCacheOptions = {}): Promise<StaticStrategyInfo> {
  return (await strategyArtifacts(source, fileName, options)).info;
}

async function build(source: string, fileName: string): Promise<StrategyArtifacts> {
  return (await buildWithoutTypeScript(source, fileName)) ?? (await buildWithTypeScript(source, fileName));
}

/** The fast build: undefined when the info scan is not sure or esbuild cannot compile (then TypeScript decides). */
async function buildWithoutTypeScript(source: string, fileName: string): Promise<StrategyArtifacts | undefined> {
  const info = scanStrategyInfo(source);
  if (!info) return undefined;
  const js = await transpileWithEsbuild(source, fileName);
  return js === undefined ? undefined : { info, js, error: null };
}

async function buildWithTypeScript(source: string, fileName: string): Promise<StrategyArtifacts> {
  // Loaded here, not at the top: these two modules are what pulls in the TypeScript compiler.
  const [{ compileStrategySync }, { readStrategyInfo }] = await Promise.all([import('./transpile'), import('./config')]);
  const info = readStrategyInfo(source, fileName);
  try {
    return { info, js: compileStrategySync(source, fileName).js, error: null };
  } catch (err) {
    const e = err as Error & { line?: number; column?: number };
    if (e?.name !== 'StrategyCompileError') throw err;
    return { info, js: null, error: { message: e.message, line: e.line, column: e.column } };
  }
}

async function readEntry(dir: string, key: string): Promise<StrategyArtifacts | undefined> {
  try {
    const entry = JSON.parse(await readFile(join(dir, `${key}.json`), 'utf8')) as Partial<StrategyArtifacts>;
    const wellFormed =
      typeof entry === 'object' && entry !== null && typeof entry.info === 'object' && entry.info !== null &&
      (typeof entry.js === 'string' ? entry.error === null : entry.js === null && typeof entry.error?.message === 'string');
    return wellFormed ? (entry as StrategyArtifacts) : undefined; // a damaged entry is a miss, and is rewritten
  } catch {
    return undefined;
  }
}

/** Atomic (temp file + rename), so a reader never sees half an entry; a cache that cannot be written is only slower. */
async function writeEntry(dir: string, key: string, artifacts: StrategyArtifacts): Promise<void> {
  const tmp = join(dir, `.${key}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(tmp, JSON.stringify(artifacts));
    await rename(tmp, join(dir, `${key}.json`));
    await prune(dir);
  } catch {
    await unlink(tmp).catch(() => undefined);
  }
}

async function prune(dir: string): Promise<void> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.json'));
  if (names.length <= DISK_ENTRIES) return;
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n)).catch(() => null))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => a.t - b.t);
  await Promise.all(dated.slice(0, names.length - Math.floor(DISK_ENTRIES * 0.75)).map(({ n }) => unlink(join(dir, n)).catch(() => undefined)));
}
