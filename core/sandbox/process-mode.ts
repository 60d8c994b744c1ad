/**
 * The `process` mode, for machines without Docker: the same runtime in a
 * separate Node process under Node's permission model. WEAKER than a
 * container (same kernel view, same user, network reachable from native code
 * paths the permission model does not cover): never chosen silently.
 */
import { spawn } from 'node:child_process';
import { readyWhen, type SandboxChannel, type SandboxExit } from './channel';
import { heapBudget, type SandboxLimits } from './limits';
import { assertRuntime } from './runtime-bundle';

export const PROCESS_MODE_WARNING =
  'Process mode: the strategy runs in a separate Node process with Node permission flags, not in a container. This is weaker isolation (no network or file-system namespace, same user account). Use Docker for untrusted code.';

/** Node flags of the process mode (exported so the doctor and docs show the real list). */
export function processModeArgs(runtimePath: string, limits: SandboxLimits): string[] {
  const heap = heapBudget(limits.memoryMb);
  const major = Number(process.versions.node.split('.')[0]);
  const permission = major >= 22 ? '--permission' : '--experimental-permission';
  return [
    permission,
    // Reading the runtime itself is the only file access; no writes, no child processes, no addons.
    `--allow-fs-read=${runtimePath}`,
    // The supervisor needs its one strategy worker; strategy code has no path to worker_threads.
    '--allow-worker',
    '--disallow-code-generation-from-strings',
    `--max-old-space-size=${heap.supervisorMb}`,
    '--no-warnings',
    runtimePath,
    `--worker-heap-mb=${heap.workerMb}`,
  ];
}

export function startProcessSandbox(runtimePath: string, limits: SandboxLimits): SandboxChannel {
  assertRuntime(runtimePath);
  const child = spawn(process.execPath, processModeArgs(runtimePath, limits), {
    stdio: ['pipe', 'pipe', 'pipe'],
    // No inherited environment: API keys and tokens of the host stay out.
    env: {},
    cwd: '/',
    windowsHide: true,
  });
  let alive = true;
  const exited = new Promise<SandboxExit>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      resolve({ code, signal });
    });
    child.once('error', () => {
      alive = false;
      resolve({ code: null, signal: null });
    });
  });
  child.stdin.on('error', () => {});
  const kill = async () => {
    if (alive) child.kill('SIGKILL');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 500))]);
  };
  const ready = readyWhen(child.stderr, exited);
  ready.catch(() => {});
  return {
    ready,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    get alive() {
      return alive;
    },
    kill,
    dispose: kill,
    label: `process ${child.pid ?? '?'}`,
    memoryMb: limits.memoryMb,
  };
}
