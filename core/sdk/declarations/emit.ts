import ts from 'typescript';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { STRATEGY_LIB, typescriptLibDir } from './tsLib';

/** A public module of the SDK and the source file that defines it. */
export interface SdkModuleSource {
  /** What strategies write in `import … from '<name>'`. */
  name: string;
  /** Absolute path of the module's entry `.ts`. */
  entry: string;
}

/** Where a public name of a module is declared. */
export interface PublicExport {
  /** The name importers see. */
  exportedName: string;
  /** Absolute path of the emitted `.d.ts` that declares it. */
  file: string;
  /** The name it has in that file. */
  localName: string;
}

export interface EmittedSdk {
  /** Emitted declaration text by absolute `.d.ts` path. */
  files: Map<string, string>;
  /** Public names of each module, in module order. */
  exports: Map<string, PublicExport[]>;
  /** Type errors in the SDK source (declarations are still emitted). */
  problems: string[];
}

/** The SDK's public modules, found in `sdkDir`; the indicators module is optional while it is being written. */
export function sdkModuleSources(sdkDir: string): SdkModuleSource[] {
  const modules: SdkModuleSource[] = [{ name: 'strategy-lab', entry: join(sdkDir, 'index.ts') }];
  const indicators = join(sdkDir, 'indicators', 'index.ts');
  if (existsSync(indicators)) modules.push({ name: 'strategy-lab/indicators', entry: indicators });
  return modules;
}

export const SDK_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: [STRATEGY_LIB],
  types: [],
  strict: true,
  useDefineForClassFields: false,
  skipLibCheck: true,
  declaration: true,
  emitDeclarationOnly: true,
  stripInternal: true,
  removeComments: false,
};

/** Runs TypeScript's declaration emit over the SDK source, in memory. */
export function emitSdkDeclarations(modules: SdkModuleSource[]): EmittedSdk {
  const host = ts.createCompilerHost(SDK_COMPILER_OPTIONS, true);
  host.getDefaultLibLocation = () => typescriptLibDir();
  host.getDefaultLibFileName = () => join(typescriptLibDir(), STRATEGY_LIB);
  const files = new Map<string, string>();
  host.writeFile = (fileName, text) => {
    files.set(ts.sys.resolvePath(fileName), text);
  };
  const program = ts.createProgram({ rootNames: modules.map((m) => m.entry), options: SDK_COMPILER_OPTIONS, host });
  const emitted = program.emit(undefined, undefined, undefined, true);
  const problems = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
    ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => '\n' }).trim(),
  );

  const checker = program.getTypeChecker();
  const exports = new Map<string, PublicExport[]>();
  for (const module of modules) {
    const source = program.getSourceFile(module.entry);
    const symbol = source && checker.getSymbolAtLocation(source);
    if (!symbol) throw new Error(`SDK module ${module.name}: ${module.entry} is not a module (it exports nothing).`);
    exports.set(
      module.name,
      checker.getExportsOfModule(symbol).map((exported) => {
        const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
        const declaration = target.declarations?.[0];
        if (!declaration) throw new Error(`SDK module ${module.name}: cannot find the declaration of '${exported.name}'.`);
        return { exportedName: exported.name, file: toDeclarationPath(declaration.getSourceFile().fileName), localName: target.name };
      }),
    );
  }
  return { files, exports, problems };
}

/** `/x/types.ts` → `/x/types.d.ts` (the path declaration emit writes). */
export function toDeclarationPath(sourcePath: string): string {
  return ts.sys.resolvePath(sourcePath.replace(/\.(d\.)?ts$/, '.d.ts'));
}
