import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The one `lib` every strategy is checked against: ES2022 only, no DOM and no
 * Node types, so `process`, `require`, `fetch` and timers are unknown names.
 */
export const STRATEGY_LIB = 'lib.es2022.d.ts';

let libDir: string | undefined;

/**
 * Folder holding TypeScript's `lib.*.d.ts`. Found through module resolution
 * rather than `ts.getDefaultLibFilePath`, which points next to the running
 * script: inside the bundled `dist/server.js` that is `dist/`, where no lib
 * files live. `STRATEGY_LAB_TS_LIB` overrides it (packaged builds).
 */
export function typescriptLibDir(): string {
  if (libDir) return libDir;
  const candidates: string[] = [];
  if (process.env.STRATEGY_LAB_TS_LIB) candidates.push(process.env.STRATEGY_LAB_TS_LIB);
  try {
    candidates.push(dirname(require.resolve('typescript/lib/lib.es2022.d.ts')));
  } catch {
    // not resolvable from here: fall through to the bundled copy below
  }
  candidates.push(join(__dirname, 'typescript-lib'));
  const found = candidates.find((dir) => existsSync(join(dir, STRATEGY_LIB)));
  if (!found) {
    throw new Error(
      `TypeScript's ${STRATEGY_LIB} was not found (looked in ${candidates.join(', ')}). ` +
        'Install the typescript package next to Strategy Lab, or set STRATEGY_LAB_TS_LIB to a folder holding lib.*.d.ts.',
    );
  }
  libDir = found;
  return found;
}

const libText = new Map<string, string | undefined>();

/** Text of one lib file by its base name (cached: lib files never change while running). */
export function readLibFile(baseName: string): string | undefined {
  if (!libText.has(baseName)) {
    const path = join(typescriptLibDir(), baseName);
    libText.set(baseName, existsSync(path) ? readFileSync(path, 'utf8') : undefined);
  }
  return libText.get(baseName);
}
