/** Test helpers for `strategy-lab generate`: the command run in this process, and a scratch folder per test. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGenerateCommand } from '../../core/cli/commands/generate';

export interface Run { code: number; stdout: string; stderr: string }

export async function cli(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}, options: { signal?: AbortSignal; onStderr?: (text: string) => void } = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => { stderr += t; options.onStderr?.(t); }, signal: options.signal };
  const code = await runGenerateCommand(argv, io, { env, cwd });
  return { code, stdout, stderr };
}

export async function withDir(fn: (dir: string) => Promise<void>, prefix = 'sl-generate-'): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
