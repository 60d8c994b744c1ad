import { transform } from 'esbuild';

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
 * Compiles one strategy file to CommonJS. Class fields use [[Set]] semantics
 * (useDefineForClassFields: false) so BaseStrategy's `params` accessor sees
 * the subclass's `params = {...}` and parameter overrides apply.
 */
export async function compileStrategy(source: string, fileName = 'strategy.ts'): Promise<CompiledStrategy> {
  try {
    const out = await transform(source, {
      loader: fileName.endsWith('.js') ? 'js' : 'ts',
      format: 'cjs',
      target: 'es2022',
      sourcefile: fileName,
      sourcemap: false,
      tsconfigRaw: { compilerOptions: { useDefineForClassFields: false } },
    });
    return { js: out.code, fileName };
  } catch (err) {
    const first = (err as { errors?: { text: string; location?: { line: number; column: number } }[] }).errors?.[0];
    if (first) {
      const where = first.location ? `${fileName}:${first.location.line}:${first.location.column + 1}` : fileName;
      throw new StrategyCompileError(`${where}: ${first.text}. Fix the syntax error, then run again.`, fileName, first.location?.line, first.location?.column);
    }
    throw err;
  }
}
