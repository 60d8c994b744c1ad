import { strategyArtifacts, type ArtifactCacheOptions } from './artifacts';
import { checkStrategySize } from './size';

export interface CompiledStrategy {
  /** CommonJS code; imports of the SDK stay as `require('strategy-lab…')`. */
  js: string;
  fileName: string;
}

export class StrategyCompileError extends Error {
  constructor(
    message: string,
    readonly fileName: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
    this.name = 'StrategyCompileError';
  }
}

/**
 * Compiles one strategy file to CommonJS (TypeScript's single-file transpiler, see transpile.ts). The result is
 * cached by content hash — in memory, and on disk under `options.cacheDir` when given — so re-running an
 * unchanged file never loads the TypeScript compiler.
 */
export async function compileStrategy(source: string, fileName = 'strategy.ts', options: ArtifactCacheOptions = {}): Promise<CompiledStrategy> {
  checkStrategySize(source, fileName); // before hashing or compiling: a huge file is refused at once
  const artifacts = await strategyArtifacts(source, fileName, options);
  if (artifacts.error) throw new StrategyCompileError(artifacts.error.message, fileName, artifacts.error.line, artifacts.error.column);
  return { js: artifacts.js!, fileName };
}
