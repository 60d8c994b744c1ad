/**
 * Run history on disk: `<workspace>/.strategy-lab/runs/<id>.json` (the full run) plus
 * `<id>.summary.json` (what lists need, so listing never parses megabytes of bars).
 * Writes are atomic (temp file + rename): a crash never leaves a half-written run,
 * and a corrupt or foreign file is reported and skipped, never deleted.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { summarize } from './record';
import { RUN_SCHEMA, type RunRecord, type RunSummary } from './types';

export const RUNS_DIR = join('.strategy-lab', 'runs');
/**
 * Trial counts per strategy (docs/evaluate.md "Trials"): how many variants of a strategy were tried (refine
 * iterations, parameter sweeps, evaluations of edited versions), which the deflated Sharpe ratio counts.
 * `{ "schema": 1, "strategies": { "<file>#<Class>": { "trials": 7, "updatedAt": "…", "last": "refine" } } }`.
 */
export const TRIALS_FILE = join('.strategy-lab', 'trials.json');
/** Variant hashes kept per strategy: an older variant run again after this many others counts again (rare, and on the safe side). */
const MAX_VARIANTS_KEPT = 1000;
const TRIALS_SCHEMA = 1;

interface TrialsFile {
  schema: typeof TRIALS_SCHEMA;
  /** `variants`: hashes of the variants run from the editor, so a re-run of the same code is not counted twice. */
  strategies: Record<string, { trials: number; updatedAt: string; last: string; variants?: string[] }>;
}

/**
 * The key a strategy's trials are counted under: its workspace-relative file (forward slashes) and class name,
 * e.g. "strategies/aapl-rsi.strategy.ts#AaplRsi". Renaming the file or the class starts a new count.
 */
export function strategyKey(file: string, className: string): string {
  const f = file.replace(/\\/g, '/').replace(/^\.\//, '');
  if (!f || !className) throw new RunStoreError(`A trial count needs the strategy's file and class name (got '${file}', '${className}').`);
  return `${f}#${className}`;
}
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
  readonly trialsFile: string;

  constructor(workspaceRoot: string) {
    this.dir = join(workspaceRoot, RUNS_DIR);
    this.trialsFile = join(workspaceRoot, TRIALS_FILE);
  }

  /** Variants tried so far for a strategy (`strategyKey`); 0 when none were recorded. */
  async trialCount(key: string): Promise<number> {
    return (await this.readTrials()).strategies[key]?.trials ?? 0;
  }

  /**
   * Adds `n` trials (e.g. the iterations of a refine run) to a strategy's count and returns the new total.
   * Read-modify-write with an atomic write: two processes adding at the same instant can lose one addition.
   */
  async addTrials(key: string, n: number, what: string): Promise<number> {
    if (!(Number.isInteger(n) && n >= 0)) throw new RunStoreError(`A trial count grows by a whole number ≥ 0, got ${n}.`);
    const file = await this.readTrials();
    const total = (file.strategies[key]?.trials ?? 0) + n;
    file.strategies[key] = { ...file.strategies[key], trials: total, updatedAt: new Date().toISOString(), last: what };
    await mkdir(join(this.trialsFile, '..'), { recursive: true });
    await writeAtomic(this.trialsFile, `${JSON.stringify(file, null, 2)}\n`);
    return total;
  }

  /**
   * Counts a variant of a strategy once (`variant`: a hash of its source and parameters): re-running the same code
   * adds nothing, a changed threshold or rule is a new trial. Returns the count, this variant included.
   */
  async addVariant(key: string, variant: string, what: string): Promise<number> {
    const file = await this.readTrials();
    const entry = file.strategies[key];
    if (entry?.variants?.includes(variant)) return entry.trials;
    const variants = [...(entry?.variants ?? []), variant].slice(-MAX_VARIANTS_KEPT);
    file.strategies[key] = { trials: (entry?.trials ?? 0) + 1, updatedAt: new Date().toISOString(), last: what, variants };
    await mkdir(join(this.trialsFile, '..'), { recursive: true });
    await writeAtomic(this.trialsFile, `${JSON.stringify(file, null, 2)}\n`);
    return file.strategies[key].trials;
  }

  private async readTrials(): Promise<TrialsFile> {
    let text: string;
    try {
      text = await readFile(this.trialsFile, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { schema: TRIALS_SCHEMA, strategies: {} };
      throw err;
    }
    let value: Partial<TrialsFile>;
    try {
      value = JSON.parse(text) as Partial<TrialsFile>;
    } catch (err) {
      throw new RunStoreError(`${this.trialsFile} is not valid JSON (${(err as Error).message}); fix or delete it (trial counts start again from 0). It was left as it is.`);
    }
    if (value?.schema !== TRIALS_SCHEMA || typeof value.strategies !== 'object' || value.strategies === null) {
      throw new RunStoreError(`${this.trialsFile} is not a Strategy Lab trial count (schema ${TRIALS_SCHEMA}); it was left as it is.`);
    }
    return value as TrialsFile;
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

/**
 * Adds a refine run's versions to the trial count of the strategy it wrote (every iteration is a trial), keyed by the
 * written file relative to `root` and the class in `source`. Returns the key and the new total.
 */
export async function recordRefineTrials(root: string, writtenFile: string, source: string, trials: number): Promise<{ key: string; total: number }> {
  // Loaded here, not with the store: reading the class parses with the TypeScript compiler, which the editor's
  // start-up (the store lists runs for the status bar) must not load.
  const { readStrategyInfo } = await import('../strategy/config');
  const className = readStrategyInfo(source).className;
  if (!className) throw new RunStoreError(`The written strategy ${writtenFile} has no readable class, so its ${trials} trial(s) were not counted.`);
  const key = strategyKey(relative(root, writtenFile), className);
  return { key, total: await new RunStore(root).addTrials(key, trials, 'refine') };
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
