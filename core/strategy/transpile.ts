/** The TypeScript half of strategy compilation: loading this module loads the TypeScript compiler (~0.5 s). */
import ts from 'typescript';
import { StrategyCompileError, type CompiledStrategy } from './compile';
import { checkStrategySize } from './size';

const COMPILER_OPTIONS: ts.CompilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  // [[Set]] semantics for class fields, so BaseStrategy's `params` accessor sees
  // the subclass's `params = {...}` and parameter overrides apply.
  useDefineForClassFields: false,
  esModuleInterop: false,
  sourceMap: false,
  removeComments: false,
};

/**
 * Compiles one strategy file to CommonJS with TypeScript's single-file
 * transpiler (types are checked by the validator, not here). TypeScript, not
 * esbuild: it is bundled into the extension and the CLI, so a packaged `.vsix`
 * needs no native binary to compile a strategy.
 */
export function compileStrategySync(source: string, fileName = 'strategy.ts'): CompiledStrategy {
  checkStrategySize(source, fileName);
  const out = ts.transpileModule(source, { compilerOptions: COMPILER_OPTIONS, fileName, reportDiagnostics: true });
  const first = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
  if (first) {
    const message = ts.flattenDiagnosticMessageText(first.messageText, ' ');
    if (first.file && first.start !== undefined) {
      const { line, character } = first.file.getLineAndCharacterOfPosition(first.start);
      throw new StrategyCompileError(`${fileName}:${line + 1}:${character + 1}: ${message} Fix the syntax error, then run again.`, fileName, line + 1, character + 1);
    }
    throw new StrategyCompileError(`${fileName}: ${message} Fix the syntax error, then run again.`, fileName);
  }
  return { js: out.outputText, fileName };
}

/**
 * The same compilation as compileStrategySync, with its source map (for mapping a runtime error's stack back to the
 * strategy's lines, core/strategy/errorLocation.ts). Only called when a run failed, so compiling stays map-free.
 * `js` is the output without the sourceMappingURL comment, i.e. what compileStrategySync returns for the source.
 */
export function transpileWithSourceMap(source: string, fileName: string): { js: string; map: string } | undefined {
  const out = ts.transpileModule(source, { compilerOptions: { ...COMPILER_OPTIONS, sourceMap: true }, fileName });
  if (out.sourceMapText === undefined) return undefined;
  return { js: out.outputText.replace(/\n?\/\/# sourceMappingURL=[^\n]*$/, '\n'), map: out.sourceMapText };
}

/** What the artifact cache keys on besides the source: a new compiler may emit different code. */
export const COMPILER_TAG = `${ts.version}:${JSON.stringify(COMPILER_OPTIONS)}`;
