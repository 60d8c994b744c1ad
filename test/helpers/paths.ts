import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** ../shared/data beside the repo: real price histories (present on every dev machine and in CI). */
export function sharedData(file: string): string {
  const path = resolve(repoRoot, '..', 'shared', 'data', file);
  if (!existsSync(path)) {
    throw new Error(`Missing shared test data ${path}: these tests need ../shared/data beside the repository (see ../shared/README.md).`);
  }
  return path;
}
