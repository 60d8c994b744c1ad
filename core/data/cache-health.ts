/**
 * Health of the cache folder's files, for `data ls` (quick: header, size, ranges) and
 * `data verify` (deep: checksum and the bar rules on every bar), and the leftovers of
 * writers that died (`.tmp` files, `.lock` files) that `data clear` and the next writer remove.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CorruptFileError, decodeBars, decodeHeader, type BarFileHeader } from './binary';
import { formatInstant } from './dates';
import { isDataError } from './errors';
import { isStale, processAlive } from './lock';
import { checkSeries } from './rules';

/** `ok`, or what is wrong with the file. */
export type FileHealth = { ok: true } | { ok: false; problem: string };

/**
 * Checks one cache file's bytes. `expectedName` is the file name its header should map to
 * (a renamed or swapped file is not the series its name says).
 */
export function checkCacheFile(buf: Buffer, expectedName: (header: BarFileHeader) => string, actualName: string, deep: boolean): { header?: BarFileHeader; health: FileHealth } {
  let header: BarFileHeader;
  let bodyStart: number;
  try {
    ({ header, bodyStart } = decodeHeader(buf));
  } catch (error) {
    return { health: { ok: false, problem: (error as Error).message } };
  }
  const bad = (problem: string) => ({ header, health: { ok: false, problem } as FileHealth });
  if (expectedName(header) !== actualName) return bad(`header says ${header.provider} ${header.symbol} ${header.interval}, which belongs in ${expectedName(header)}`);
  const expectedBytes = bodyStart + header.columns.length * header.length * 8;
  if (buf.length !== expectedBytes) return bad(`${buf.length < expectedBytes ? 'truncated' : 'too long'}: ${buf.length} bytes, the header promises ${expectedBytes}`);
  if (!(header.coveredTo > header.coveredFrom)) return bad(`empty or inverted range ${formatInstant(header.coveredFrom)} … ${formatInstant(header.coveredTo)}`);
  if (header.length > 0) {
    const first = buf.readDoubleLE(bodyStart);
    const last = buf.readDoubleLE(bodyStart + (header.length - 1) * 8);
    if (first < header.coveredFrom || last >= header.coveredTo) {
      return bad(`bars ${formatInstant(first)} … ${formatInstant(last)} lie outside the recorded range ${formatInstant(header.coveredFrom)} … ${formatInstant(header.coveredTo)}`);
    }
  }
  if (!deep) return { header, health: { ok: true } };
  try {
    const { series } = decodeBars(buf);
    checkSeries(series, `${header.provider} ${header.symbol} ${header.interval} (cache)`, {}, 'The next run discards this file and fetches again.');
  } catch (error) {
    if (error instanceof CorruptFileError || isDataError(error)) return bad(error.message);
    throw error;
  }
  return { header, health: { ok: true } };
}

/** `<file>.<pid>.<hex>.tmp`, as writeAtomic names its temp files. */
const TMP_NAME = /\.(\d+)\.[^.]+\.tmp$/;
/** A temp file this old is abandoned even if its pid is alive again (pids are reused). */
const TMP_ABANDONED_MS = 10 * 60_000;

/** Paths in `folder` of temp and lock files whose writer is gone (dead pid, or abandoned). */
export async function deadWriterLeftovers(folder: string, onlyFor?: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    if (onlyFor && !name.startsWith(`${onlyFor}.`)) continue;
    const path = join(folder, name);
    const tmp = TMP_NAME.exec(name);
    if (tmp) {
      const age = await stat(path).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (!processAlive(Number(tmp[1])) || age > TMP_ABANDONED_MS) out.push(path);
    } else if (name.endsWith('.lock') || /\.lock\.stale-\d+-\d+$/.test(name)) {
      if (!name.endsWith('.lock') || await isStale(path, 30_000)) out.push(path);
    }
  }
  return out;
}

/** Removes what deadWriterLeftovers finds; returns how many went. */
export async function removeLeftovers(folder: string, onlyFor?: string): Promise<number> {
  let removed = 0;
  for (const path of await deadWriterLeftovers(folder, onlyFor)) await unlink(path).then(() => { removed++; }, () => undefined);
  return removed;
}
