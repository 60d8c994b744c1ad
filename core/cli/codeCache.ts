/**
 * The CLI bundle loaded with V8's code cache. Every command starts by compiling the 1 MB bundle (~25 ms here) and,
 * as it runs, each function it calls; V8 can save that work as "cached data" and take it back on the next start
 * (Node ≥ 22.1 does this for every module with `module.enableCompileCache`; Node 20 has only `vm.Script`'s
 * cachedData). So the bundle is compiled through `vm.Script` with the cached data of an earlier run of the same
 * command, and after a run that had none, or whose data V8 refused, the data is written for the next one.
 *
 * - One file per command (`backtest`, `evaluate`, …): the data holds what the run compiled, so a `--help` run's
 *   must not stand in for a backtest's.
 * - Keyed by the Node flags (the relaunched child's differ, core/cli/relaunch.ts), and by Node's version, the
 *   architecture and the bundle's size and modification time; V8 also checks its own version, flags and the
 *   source, and refuses anything else (then the file is rewritten). A write removes the files of the same command
 *   and flags left by another Node or bundle.
 * - In `<cache>/v8/` (`STRATEGY_LAB_CACHE_DIR`, else `~/.cache/strategy-lab`), written atomically (temp file +
 *   rename); a folder that cannot be written only makes the next start slower. Off with `STRATEGY_LAB_CODE_CACHE=0`.
 *
 * Whoever can write the cache folder can change the code the CLI runs, as with the compiled-strategy cache beside
 * it (core/strategy/artifacts.ts) and Node's own compile cache: it is the user's own folder.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { defaultCacheDir } from '../data/cacheDir';

/** What happened to the cached data: read and used, none there, refused by V8, or not used at all. */
export type CodeCacheOutcome = 'hit' | 'miss' | 'rejected' | 'off';

const OUTCOME = Symbol.for('strategy-lab.codeCache');

/** The outcome of this process's bundle load (for STRATEGY_LAB_PHASES); 'off' when the bundle was not loaded by loadBundle. */
export function codeCacheOutcome(): CodeCacheOutcome {
  return ((globalThis as Record<symbol, unknown>)[OUTCOME] as CodeCacheOutcome | undefined) ?? 'off';
}

/** The cache file's name for this bundle, command and process; null when there is nothing to key it by. */
export function codeCacheFile(dir: string, bundle: string, argv: readonly string[], execArgv: readonly string[] = process.execArgv): string | null {
  let stat;
  try {
    stat = statSync(bundle);
  } catch {
    return null;
  }
  const command = /^[a-z][a-z-]{0,30}$/.test(argv[0] ?? '') ? argv[0] : 'other';
  // The flags apart: a relaunched child and its parent keep one file each instead of replacing each other's.
  return join(dir, `${basename(bundle, '.js')}-${command}-${fnv1a(execArgv.join(' '))}-${fnv1a(`${process.version} ${process.arch} ${stat.size} ${stat.mtimeMs}`)}.v8`);
}

/**
 * Runs the CommonJS bundle at `bundle` as `require(bundle)` would, compiled with the cached data of an earlier run
 * of this command when there is any; writes the data when the process exits if it had none.
 */
export function loadBundle(bundle: string, argv: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  const file = env.STRATEGY_LAB_CODE_CACHE === '0' ? null : codeCacheFile(join(defaultCacheDir(env), 'v8'), bundle, argv);
  if (!file) {
    (globalThis as Record<symbol, unknown>)[OUTCOME] = 'off';
    require(bundle);
    return;
  }
  const source = readFileSync(bundle, 'utf8');
  let cached: Buffer | undefined;
  try {
    cached = readFileSync(file);
  } catch {
    cached = undefined;
  }
  // The wrapper Node puts around a CommonJS module, on the first line so line numbers stay those of the file.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: bundle, cachedData: cached });
  const outcome: CodeCacheOutcome = cached === undefined ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  (globalThis as Record<symbol, unknown>)[OUTCOME] = outcome;
  if (outcome !== 'hit') process.once('exit', () => saveCodeCache(script, file));
  const module = { exports: {}, filename: bundle, id: bundle, loaded: false };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
  module.loaded = true;
}

/** Writes what V8 compiled so far (the run's functions too, not only the top level); removes the command's stale files. */
function saveCodeCache(script: Script, file: string): void {
  try {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true }); // first: a folder that cannot be made costs no cached data
    const data = script.createCachedData();
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, data);
    renameSync(tmp, file);
    const prefix = basename(file).replace(/-[0-9a-f]{8}\.v8$/, '-');
    for (const name of readdirSync(dir)) {
      if (name.startsWith(prefix) && name.endsWith('.v8') && name !== basename(file)) unlinkSync(join(dir, name));
    }
  } catch {
    // A cache that cannot be written only makes the next start slower.
  }
}

/** FNV-1a, 32 bits, as hex: a short file-name key (a collision only costs a refused cache). */
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}
