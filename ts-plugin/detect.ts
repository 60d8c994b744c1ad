/** Which projects get the SDK declarations: pure, so it is unit-tested without a tsserver. */

export interface ProjectFile {
  name: string;
  isOpen(): boolean;
  /** Whether the file's text imports the SDK (see importsSdk). */
  importsSdk(): boolean;
}

const STRATEGY_FILE = /\.strategy\.tsx?$/;
const SDK_IMPORT = /['"]strategy-lab(\/indicators)?['"]/;

/** A quoted `strategy-lab` or `strategy-lab/indicators` module name anywhere in the text (cheap, no parse). */
export function importsSdk(text: string): boolean {
  return SDK_IMPORT.test(text);
}

/**
 * A project uses the SDK when it has a `*.strategy.ts` file, or an open file that imports `strategy-lab`.
 * Closed files are not read (a big project would pay for it on every request); a closed file importing the SDK
 * still resolves as soon as any strategy file of its project is open or named `*.strategy.ts`.
 */
export function projectUsesSdk(files: readonly ProjectFile[]): boolean {
  if (files.some((f) => STRATEGY_FILE.test(f.name))) return true;
  return files.some((f) => !f.name.endsWith('.d.ts') && f.isOpen() && f.importsSdk());
}
