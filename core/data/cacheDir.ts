/** The cache folder's default, on its own so the CLI's launcher (core/cli/codeCache.ts) needs nothing else. */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `STRATEGY_LAB_CACHE_DIR`, else `~/.cache/strategy-lab`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.STRATEGY_LAB_CACHE_DIR || join(homedir(), '.cache', 'strategy-lab');
}
