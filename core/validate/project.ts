import ts from 'typescript';
import { join } from 'node:path';
import { getSdkDeclarations, type SdkDeclarations } from '../sdk/declarations/index';
import { readLibFile, STRATEGY_LIB, typescriptLibDir } from '../sdk/declarations/tsLib';
import { textChange } from './region';

/** Where the SDK declarations live in the in-memory file system. */
export const SDK_DTS_PATH = '/__strategy-lab__/strategy-lab.d.ts';

/**
 * How strategies are checked: ES2022 library only (no DOM, no Node types, so
 * `process` and `require` are unknown), [[Set]] class fields as the engine
 * compiles them, and no `override` requirement (`static config = …` in a
 * subclass must not need it).
 */
export const STRATEGY_COMPILER_OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: [STRATEGY_LIB],
  types: [],
  strict: true,
  noImplicitOverride: false,
  useDefineForClassFields: false,
  skipLibCheck: true,
  noEmit: true,
  isolatedModules: true,
};

const registry = ts.createDocumentRegistry();

/**
 * One incremental TypeScript LanguageService over in-memory strategy files and
 * the SDK declarations. Nothing is read from disk except TypeScript's own lib
 * files, and no import resolves except the SDK's two modules (declared
 * ambiently), so a strategy is checked exactly as the sandbox will run it.
 * Keep one per server: unchanged files (lib, SDK) are parsed once.
 */
export class StrategyProject {
  readonly service: ts.LanguageService;
  private readonly files = new Map<string, { text: string; version: number; snapshot: ts.IScriptSnapshot }>();
  private readonly sdkSnapshot: ts.IScriptSnapshot;
  private projectVersion = 0;
  /** Never reused, even after a file is removed and re-added: the document registry caches by version. */
  private nextScriptVersion = 1;

  constructor(readonly sdk: SdkDeclarations = getSdkDeclarations()) {
    this.sdkSnapshot = ts.ScriptSnapshot.fromString(sdk.text);
    const libDir = typescriptLibDir();
    const snapshotOf = (fileName: string): ts.IScriptSnapshot | undefined => {
      const file = this.files.get(fileName);
      if (file) return file.snapshot;
      if (fileName === SDK_DTS_PATH) return this.sdkSnapshot;
      const lib = libFileText(fileName, libDir);
      return lib === undefined ? undefined : ts.ScriptSnapshot.fromString(lib);
    };
    const host: ts.LanguageServiceHost = {
      getProjectVersion: () => String(this.projectVersion),
      getScriptFileNames: () => [...this.files.keys(), SDK_DTS_PATH],
      getScriptVersion: (fileName) => String(this.files.get(fileName)?.version ?? 0),
      getScriptSnapshot: snapshotOf,
      getScriptKind: () => ts.ScriptKind.TS,
      getCurrentDirectory: () => '/',
      getCompilationSettings: () => STRATEGY_COMPILER_OPTIONS,
      getDefaultLibFileName: () => join(libDir, STRATEGY_LIB),
      fileExists: (fileName) => this.files.has(fileName) || fileName === SDK_DTS_PATH || libFileText(fileName, libDir) !== undefined,
      readFile: (fileName) => this.files.get(fileName)?.text ?? (fileName === SDK_DTS_PATH ? sdk.text : libFileText(fileName, libDir)),
      directoryExists: () => false,
      getDirectories: () => [],
      // The SDK modules are ambient declarations, found before resolution; everything else stays unresolved (SL040 explains why).
      resolveModuleNameLiterals: (literals) => literals.map(() => ({ resolvedModule: undefined })),
      useCaseSensitiveFileNames: () => true,
    };
    this.service = ts.createLanguageService(host, registry);
  }

  /** Adds or replaces a file's text; unchanged text keeps its version (no re-check). */
  setFile(fileName: string, text: string): void {
    const existing = this.files.get(fileName);
    if (existing?.text === text) return;
    this.files.set(fileName, { text, version: this.nextScriptVersion++, snapshot: new EditSnapshot(text, existing?.snapshot as EditSnapshot | undefined) });
    this.projectVersion++;
  }

  removeFile(fileName: string): void {
    if (this.files.delete(fileName)) this.projectVersion++;
  }

  hasFile(fileName: string): boolean {
    return this.files.has(fileName);
  }

  getText(fileName: string): string | undefined {
    return this.files.get(fileName)?.text;
  }

  program(): ts.Program {
    const program = this.service.getProgram();
    if (!program) throw new Error('TypeScript produced no program for the strategy files.');
    return program;
  }
}

/**
 * A file's text that knows how it differs from the previous version, so
 * TypeScript re-parses only the edited region (incremental parsing) instead
 * of the whole file on every keystroke.
 */
class EditSnapshot implements ts.IScriptSnapshot {
  constructor(
    private readonly text: string,
    private previous?: EditSnapshot,
  ) {
    // Only one step back is ever asked for: never keep a chain of old texts alive.
    if (previous) previous.previous = undefined;
  }

  getText(start: number, end: number): string {
    return this.text.substring(start, end);
  }

  getLength(): number {
    return this.text.length;
  }

  getChangeRange(oldSnapshot: ts.IScriptSnapshot): ts.TextChangeRange | undefined {
    if (oldSnapshot !== this.previous || !this.previous) return undefined;
    const change = textChange(this.previous.text, this.text) ?? { start: 0, oldEnd: 0, newEnd: 0 };
    return ts.createTextChangeRange(ts.createTextSpanFromBounds(change.start, change.oldEnd), change.newEnd - change.start);
  }
}

function libFileText(fileName: string, libDir: string): string | undefined {
  if (!fileName.startsWith(libDir)) return undefined;
  const base = fileName.slice(libDir.length).replace(/^[\\/]/, '');
  return /^lib\.[\w.]+\.d\.ts$/.test(base) ? readLibFile(base) : undefined;
}

/** A name the in-memory project can hold for a strategy file (must end in .ts, absolute). */
export function projectFileName(fileName: string): string {
  const abs = fileName.startsWith('/') ? fileName : `/${fileName.replace(/\\/g, '/')}`;
  return /\.(m|c)?tsx?$/.test(abs) ? abs.replace(/\.(m|c)?tsx?$/, '.ts') : `${abs}.ts`;
}
