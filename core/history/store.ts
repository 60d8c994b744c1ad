/**
 * Run history on disk: `<workspace>/.strategy-lab/runs/<id>.json` (the full run) plus
 * `<id>.summary.json` (what lists need, so listing never parses megabytes of bars).
 * Writes are atomic (temp file + rename): a crash never leaves a half-written run,
 * and a corrupt or foreign file is reported and skipped, never deleted.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summarize } from './record';
import { RUN_SCHEMA, type RunRecord, type RunSummary } from './types';

export const RUNS_DIR = join('.strategy-lab', 'runs');
const RUN_SUFFIX = '.json';
const SUMMARY_SUFFIX = '.summary.json';
const ID_PATTERN = /^[0-9TZ]+-[a-z0-9-]+$/;

export class RunStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunStoreError';
  }
}

export interface ListResult {
  runs: RunSummary[];
  /** Files that could not be read, with why; shown to the user, left untouched. */
  problems: string[];
}

export class RunStore {
  readonly dir: string;

  /** @param workspaceRoot folder that holds `.strategy-lab/` */
  constructor(workspaceRoot: string) {
    this.dir = join(workspaceRoot, RUNS_DIR);
  }

  async save(run: RunRecord): Promise<string> {
    checkId(run.id);
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, run.id + RUN_SUFFIX);
    // Run first, summary second: a summary never points at a run that is not there.
    await writeAtomic(file, JSON.stringify(run));
    await writeAtomic(join(this.dir, run.id + SUMMARY_SUFFIX), JSON.stringify(summarize(run)));
    return file;
  }

  async load(id: string): Promise<RunRecord> {
    checkId(id);
    const file = join(this.dir, id + RUN_SUFFIX);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new RunStoreError(`Run ${id} is not in ${this.dir}: it was deleted or the history was cleared.`);
      throw err;
    }
    return parseRun(text, file);
  }

  /** Newest first. */
  async list(): Promise<ListResult> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], problems: [] };
      throw err;
    }
    const ids = names.filter((n) => n.endsWith(RUN_SUFFIX) && !n.endsWith(SUMMARY_SUFFIX)).map((n) => n.slice(0, -RUN_SUFFIX.length)).filter((id) => ID_PATTERN.test(id));
    const withSummary = new Set(names.filter((n) => n.endsWith(SUMMARY_SUFFIX)).map((n) => n.slice(0, -SUMMARY_SUFFIX.length)));
    const runs: RunSummary[] = [];
    const problems: string[] = [];
    await Promise.all(ids.map(async (id) => {
      try {
        if (withSummary.has(id)) {
          runs.push(JSON.parse(await readFile(join(this.dir, id + SUMMARY_SUFFIX), 'utf8')) as RunSummary);
          return;
        }
      } catch { /* unreadable summary: rebuild it from the run below */ }
      try {
        const run = await this.load(id);
        const summary = summarize(run);
        await writeAtomic(join(this.dir, id + SUMMARY_SUFFIX), JSON.stringify(summary));
        runs.push(summary);
      } catch (err) {
        problems.push(`${id + RUN_SUFFIX}: ${(err as Error).message}`);
      }
    }));
    runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
    return { runs, problems };
  }

  /** Newest run of one strategy file (workspace-relative path), if any. */
  async latestFor(file: string): Promise<RunSummary | undefined> {
    return (await this.list()).runs.find((r) => r.file === file);
  }

  async delete(id: string): Promise<void> {
    checkId(id);
    await rm(join(this.dir, id + SUMMARY_SUFFIX), { force: true });
    await rm(join(this.dir, id + RUN_SUFFIX), { force: true });
  }
}

export function parseRun(text: string, file: string): RunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RunStoreError(`${file} is not valid JSON (${(err as Error).message}); the file was left as it is.`);
  }
  const run = value as Partial<RunRecord>;
  if (!run || typeof run !== 'object' || run.schema !== RUN_SCHEMA || typeof run.id !== 'string' || !run.result || !run.strategy) {
    throw new RunStoreError(`${file} is not a Strategy Lab run (schema ${RUN_SCHEMA}); it may come from another version. It was left as it is.`);
  }
  return run as RunRecord;
}

function checkId(id: string): void {
  if (!ID_PATTERN.test(id)) throw new RunStoreError(`'${id}' is not a run id (expected e.g. 20261124T181500123Z-my-strategy-k3f9).`);
}

/** Write to a unique temp file in the same folder, then rename over the target (atomic on POSIX and NTFS). */
export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, text, { encoding: 'utf8', flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
