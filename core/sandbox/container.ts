/**
 * One sandbox container: created with every restriction the issue lists,
 * attached before it starts (no output is lost), removed in every path.
 */
import { hostname } from 'node:os';
import { PassThrough, type Writable } from 'node:stream';
import type Docker from 'dockerode';
import { readyWhen, type SandboxChannel, type SandboxExit } from './channel';
import { isGoneError } from './docker-client';
import { HUGE_PAGES_ENV_ENTRY } from './hugePages';
import type { SandboxLimits } from './limits';
import { openLocalChannel, type LocalChannel } from './localChannel';
import { CHANNEL_FALLBACK_MARKER } from './protocol';
import { runtimeNodeArgs } from './runtimeArgs';
import { SANDBOX_UID } from './user';

export const LABEL = 'strategy-lab.sandbox';
/**
 * The CPU limit is a quota per one-second period, the longest Linux allows. A job's JavaScript is one thread, but
 * V8's GC helpers run beside it, so a job briefly uses more than one CPU; with the quota counted per 10 ms (or
 * Docker's default 100 ms) that made a 1 M-bar job wait 44–64 ms in ~20 throttled periods. Counted per second, a
 * job under a second is not held back, and over any second the sandbox still gets `cpus` CPUs on average
 * (docs/sandbox.md, docs/performance.md).
 */
export const CPU_PERIOD_US = 1_000_000;
export const LABEL_OWNER_PID = 'strategy-lab.owner-pid';
export const LABEL_OWNER_HOST = 'strategy-lab.owner-host';

/** How a container's job and frames travel: the local channel's socket, or Docker's attach stream. */
export type ContainerTransport = 'local-socket' | 'attach';

/** A started container; `transport` resolves once the runtime has said which way it talks (before `ready`). */
export interface ContainerChannel extends SandboxChannel {
  readonly transport: Promise<ContainerTransport>;
}

/**
 * The container definition (pure; exported so tests can check every restriction). `channel`: the local channel's
 * socket path in the container and its read-only mount (localChannel.ts).
 */
export function containerSpec(image: string, limits: SandboxLimits, ownerPid = process.pid, cmd?: string[], channel?: { containerPath: string; mount: Docker.MountSettings }): Docker.ContainerCreateOptions {
  const memory = limits.memoryMb * 1024 * 1024;
  const runtime = runtimeNodeArgs('/app/runtime.js', limits);
  return {
    Image: image,
    Cmd: cmd ?? (channel ? [...runtime, `--channel=${channel.containerPath}`] : runtime),
    User: `${SANDBOX_UID}:${SANDBOX_UID}`,
    WorkingDir: '/tmp',
    // Nothing of the host's environment; only glibc's huge-page tunable (hugePages.ts: a 1 M-bar job's memory).
    Env: [HUGE_PAGES_ENV_ENTRY],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    OpenStdin: true,
    StdinOnce: true,
    Tty: false,
    NetworkDisabled: true,
    Labels: { [LABEL]: '1', [LABEL_OWNER_PID]: String(ownerPid), [LABEL_OWNER_HOST]: hostname() },
    HostConfig: {
      NetworkMode: 'none',
      ReadonlyRootfs: true,
      ...(channel && !cmd ? { Mounts: [channel.mount] } : {}),
      Tmpfs: { '/tmp': `rw,noexec,nosuid,nodev,size=${limits.tmpfsMb}m` },
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Memory: memory,
      MemorySwap: memory, // no swap on top of the limit
      // CPU limit as a quota per second (CPU_PERIOD_US), not NanoCpus' per 100 ms.
      CpuPeriod: CPU_PERIOD_US,
      CpuQuota: Math.round(limits.cpus * CPU_PERIOD_US),
      PidsLimit: limits.pids,
      Ulimits: [{ Name: 'nofile', Soft: 256, Hard: 256 }],
      IpcMode: 'private',
      // Nothing the sandbox prints is stored by the engine: gigabytes of stdout must not fill the host's disk.
      LogConfig: { Type: 'none', Config: {} },
      // If the host process dies, stdin closes, the runtime exits, and the engine removes the container.
      AutoRemove: true,
      Init: false,
    },
  };
}

/**
 * Creates, attaches and starts a container; it then waits for its one job. `cmd` replaces the runtime command
 * (the doctor's probe) while keeping every restriction. `localChannel`: try the local channel (localChannel.ts;
 * the caller has checked canUseLocalChannel), falling back to the attach stream if the engine refuses the mount
 * or the runtime cannot connect.
 */
export async function startContainer(docker: Docker, image: string, limits: SandboxLimits, cmd?: string[], options: { localChannel?: boolean } = {}): Promise<ContainerChannel> {
  if (!options.localChannel || cmd || mountRefusedBy.has(docker)) return startContainerWith(docker, image, limits, cmd, undefined);
  let local: LocalChannel;
  try {
    local = await openLocalChannel();
  } catch {
    return startContainerWith(docker, image, limits, cmd, undefined); // no usable temp folder: the attach stream still works
  }
  try {
    return await startContainerWith(docker, image, limits, cmd, local);
  } catch (err) {
    local.close();
    // A missing image is the caller's to handle (it rebuilds); anything else may be the mount: try without it.
    if ((err as { statusCode?: number }).statusCode === 404) throw err;
    const channel = await startContainerWith(docker, image, limits, cmd, undefined);
    // It was the mount (an engine that cannot see this folder): later containers of this engine skip it.
    mountRefusedBy.add(docker);
    return channel;
  }
}

/** Engines that refused the local channel's mount while accepting the same container without it. */
const mountRefusedBy = new WeakSet<Docker>();

/** startContainer with a given local channel (or none): no fallback of its own. Exported for tests. */
export async function startContainerWith(docker: Docker, image: string, limits: SandboxLimits, cmd: string[] | undefined, local: LocalChannel | undefined): Promise<ContainerChannel> {
  const container = await docker.createContainer(containerSpec(image, limits, process.pid, cmd, local));
  const id = container.id.slice(0, 12);
  let alive = true;
  let disposed: Promise<void> | undefined;
  // The attach stream's stdout; with the local channel the frames come from the socket instead.
  const attachOut = new PassThrough();
  const stdout = local ? new PassThrough() : attachOut;
  const stderr = new PassThrough();
  let socket: import('node:net').Socket | undefined;
  try {
    const stream = (await container.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
    docker.modem.demuxStream(stream, attachOut, stderr);
    stream.on('end', () => {
      attachOut.end();
      stderr.end();
    });
    stream.on('error', () => {
      attachOut.end();
      stderr.end();
    });
    // Register the wait before start so a fast exit is not missed.
    const waited = container.wait({ condition: 'next-exit' }) as Promise<{ StatusCode: number }>;
    const exited: Promise<SandboxExit> = waited.then(
      (r) => ({ code: r.StatusCode }),
      () => ({ code: null }),
    ).then((exit) => {
      alive = false;
      local?.close();
      return exit;
    });
    await container.start();
    const kill = async () => {
      if (!alive) return;
      try {
        await container.kill({ signal: 'SIGKILL' });
      } catch (err) {
        if (!isGoneError(err)) throw err;
      }
    };
    const dispose = () =>
      (disposed ??= (async () => {
        local?.close();
        socket?.destroy();
        (stream as unknown as { destroy?: () => void }).destroy?.();
        await removeContainer(docker, container.id);
      })());
    const attachIn = stream as unknown as Writable;
    attachIn.on('error', () => {});
    let stdin: Writable = attachIn;
    let transport: Promise<ContainerTransport> = Promise.resolve('attach');
    if (local) {
      // The job may be written before the runtime has said which way it talks: it waits here until then.
      const pending = new PassThrough();
      stdin = pending;
      attachIn.write(local.token);
      transport = Promise.race([
        local.connected.then((s) => {
          socket = s;
          s.on('error', () => {});
          s.on('close', () => stdout.end());
          pending.pipe(s);
          s.pipe(stdout);
          attachOut.resume(); // the runtime writes nothing there now; nothing there is read as a frame
          return 'local-socket' as const;
        }),
        readyWhen(stderr, exited, CHANNEL_FALLBACK_MARKER).then(() => {
          local.close();
          pending.pipe(attachIn);
          attachOut.pipe(stdout);
          return 'attach' as const;
        }),
      ]);
      transport.catch(() => {});
    }
    const ready = Promise.all([readyWhen(stderr, exited), transport]).then(() => {});
    ready.catch(() => {});
    return {
      stdin,
      stdout,
      stderr,
      exited,
      ready,
      transport,
      get alive() {
        return alive;
      },
      kill,
      dispose,
      label: `container ${id}`,
      memoryMb: limits.memoryMb,
    };
  } catch (err) {
    await removeContainer(docker, container.id);
    throw err;
  }
}

/** Force-removes a container and waits until the engine no longer lists it. Never rejects. */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  const container = docker.getContainer(id);
  try {
    await container.remove({ force: true });
  } catch (err) {
    if (!isGoneError(err)) return;
  }
  // 409 means AutoRemove is already removing it: wait for that to finish.
  for (let i = 0; i < 100; i++) {
    try {
      await container.inspect();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Our containers on this engine (running or not). */
export async function listSandboxContainers(docker: Docker): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: JSON.stringify({ label: [`${LABEL}=1`] }) });
}
