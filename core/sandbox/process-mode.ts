/**
 * The `process` mode, for machines without Docker: the same runtime in a
 * separate Node process under Node's permission model, in its own network and
 * PID namespaces where Linux allows, with a resident-memory watchdog. WEAKER
 * than a container (same file-system view, same user, no CPU quota; see
 * docs/sandbox.md): never chosen silently.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readyWhen, type SandboxChannel, type SandboxExit } from './channel';
import { withHugePages } from './hugePages';
import type { SandboxLimits } from './limits';
import { runtimeNodeArgs } from './runtimeArgs';
import { assertRuntime } from './runtime-bundle';

export const PROCESS_MODE_WARNING =
  'Process mode: the strategy runs in a separate Node process with Node permission flags (and, where Linux allows, its own network and PID namespaces), not in a container. This is weaker isolation (same file system view, same user account, no CPU quota). Use Docker for untrusted code.';

/** Node flags of the process mode (exported so the doctor and docs show the real list). */
export function processModeArgs(runtimePath: string, limits: SandboxLimits): string[] {
  const major = Number(process.versions.node.split('.')[0]);
  const permission = major >= 22 ? '--permission' : '--experimental-permission';
  return [
    permission,
    // Reading the runtime itself is the only file access; no writes, no child processes, no addons.
    `--allow-fs-read=${runtimePath}`,
    // The supervisor needs its one strategy worker; strategy code has no path to worker_threads.
    '--allow-worker',
    '--no-warnings',
    ...runtimeNodeArgs(runtimePath, limits),
  ];
}

/**
 * Linux namespaces around the process (util-linux `unshare`): a new network namespace (no interface but a
 * loopback that is down: no network, no DNS, not even the host's 127.0.0.1) and a new PID namespace (the
 * process cannot name, so cannot signal, any process outside it; its parent pid reads 0), inside a user
 * namespace so no privilege is needed. `--kill-child` takes the sandboxed node down with `unshare` when the
 * host kills it. Used whenever the kernel allows it (probed once); otherwise the process runs without them and
 * docs/sandbox.md says what that leaves open.
 */
export const NAMESPACE_ARGS = ['--user', '--map-root-user', '--net', '--pid', '--kill-child=SIGKILL'] as const;

let namespaces: boolean | undefined;

/** True when `unshare` with NAMESPACE_ARGS works on this machine (probed once per process). */
export function namespacesAvailable(): boolean {
  if (namespaces === undefined) {
    if (process.platform !== 'linux') namespaces = false;
    else {
      const probe = spawnSync('unshare', [...NAMESPACE_ARGS, 'true'], { stdio: 'ignore', timeout: 5000 });
      namespaces = probe.status === 0;
    }
  }
  return namespaces;
}

/** The command that runs `node <nodeArgs>` with the process mode's isolation: the namespaces when available. */
export function isolatedNodeCommand(nodeArgs: string[]): { command: string; args: string[]; namespaces: boolean } {
  if (namespacesAvailable()) return { command: 'unshare', args: [...NAMESPACE_ARGS, process.execPath, ...nodeArgs], namespaces: true };
  return { command: process.execPath, args: nodeArgs, namespaces: false };
}

/** How often the host samples the sandbox's resident memory. */
export const RSS_SAMPLE_MS = 50;

/** Resident memory of `pid` and its descendants in MB (Linux /proc), or undefined where it cannot be read. */
export function treeRssMb(pid: number): number | undefined {
  let kb = 0;
  const seen = new Set<number>();
  const visit = (p: number): boolean => {
    if (seen.has(p)) return true;
    seen.add(p);
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      const children = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim();
      for (const c of children ? children.split(/\s+/) : []) visit(Number(c));
      return true;
    } catch {
      return false;
    }
  };
  return visit(pid) ? kb / 1024 : undefined;
}

export function startProcessSandbox(runtimePath: string, limits: SandboxLimits): SandboxChannel {
  assertRuntime(runtimePath);
  const { command, args } = isolatedNodeCommand(processModeArgs(runtimePath, limits));
  const child = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    // No inherited environment: API keys and tokens of the host stay out. Only glibc's huge-page tunable (hugePages.ts).
    env: withHugePages({}),
    cwd: '/',
    windowsHide: true,
  });
  let alive = true;
  // V8's heap flags cap only the heaps: typed arrays and buffers live outside them. The watchdog caps the whole
  // process tree's resident memory at the sandbox's memory limit, as the container's cgroup does.
  let overMemory = false;
  const watchdog = setInterval(() => {
    const rss = child.pid === undefined ? undefined : treeRssMb(child.pid);
    if (rss !== undefined && rss > limits.memoryMb && alive) {
      overMemory = true;
      child.kill('SIGKILL');
    }
  }, RSS_SAMPLE_MS);
  watchdog.unref();
  const exited = new Promise<SandboxExit>((resolve) => {
    child.once('exit', (code, signal) => {
      alive = false;
      clearInterval(watchdog);
      resolve({ code, signal, ...(overMemory ? { oomKilled: true } : {}) });
    });
    child.once('error', () => {
      alive = false;
      clearInterval(watchdog);
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
