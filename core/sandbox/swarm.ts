/**
 * A sandbox run as a Docker Swarm task (docs/sandbox.md, "Swarm"): one `replicated-job` service per batch, with
 * the sandbox's image and limits, non-root, a read-only root, no capabilities, and only an `--internal` overlay
 * network (no egress). Seen by the host as a SandboxChannel, so batch-job.ts drives it exactly like a local
 * container:
 *   - input: services have no stdin, so the job bytes written to `stdin` become Swarm configs (≤ 400 KB each,
 *     mounted read-only at /job/part-NNN) and the service is created only then;
 *   - output: the supervisor writes each keyed frame as one base64 line to its stdout, which is the task's log;
 *     the host follows the service log and decodes the lines back into the frame stream. The strategy's realm
 *     cannot write to stdout (its console is the supervisor's log frames), and every frame carries the job key
 *     that exists only in the config and the supervisor's heap, so a forged line is detected as in local runs.
 *   - removal: the service and its configs are removed when the channel is disposed, killed or cancelled.
 */
import { PassThrough, Writable } from 'node:stream';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import type { SandboxChannel, SandboxExit } from './channel';
import { LABEL, LABEL_OWNER_HOST, LABEL_OWNER_PID } from './container';
import { HUGE_PAGES_ENV_ENTRY } from './hugePages';
import type { SandboxLimits } from './limits';
import { runtimeNodeArgs } from './runtimeArgs';
import { SANDBOX_UID } from './user';
import { jobLength } from './protocol';

/** Swarm configs hold at most 500 KB; a job is split into parts below that. */
export const CONFIG_PART_BYTES = 400 * 1024;
/** The overlay network every sandbox task joins: internal (no route out), created once per swarm. */
export const SWARM_NETWORK = 'strategy-lab-sandbox-internal';
const POLL_MS = 150;

export interface SwarmTaskOptions {
  image: string;
  limits: SandboxLimits;
  /** The internal overlay network's id (ensureSwarmNetwork). */
  networkId: string;
}

/** The service definition of one batch (pure; exported so tests check every restriction). */
export function swarmServiceSpec(name: string, opts: SwarmTaskOptions, configs: { id: string; name: string }[], ownerPid = process.pid): Record<string, unknown> {
  const { limits } = opts;
  const labels = { [LABEL]: '1', [LABEL_OWNER_PID]: String(ownerPid), [LABEL_OWNER_HOST]: hostname() };
  return {
    Name: name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: opts.image,
        Args: [...runtimeNodeArgs('/app/runtime.js', limits), '--job-dir=/job', '--frames=base64'],
        User: `${SANDBOX_UID}:${SANDBOX_UID}`,
        Dir: '/tmp',
        Env: [HUGE_PAGES_ENV_ENTRY],
        Labels: labels,
        ReadOnly: true,
        CapabilityDrop: ['ALL'],
        Mounts: [{ Type: 'tmpfs', Target: '/tmp', TmpfsOptions: { SizeBytes: limits.tmpfsMb * 1024 * 1024, Mode: 0o1777 } }],
        Configs: configs.map((c, i) => ({ File: { Name: `/job/part-${String(i).padStart(3, '0')}`, UID: String(SANDBOX_UID), GID: String(SANDBOX_UID), Mode: 0o444 }, ConfigID: c.id, ConfigName: c.name })),
      },
      Resources: { Limits: { MemoryBytes: limits.memoryMb * 1024 * 1024, NanoCPUs: Math.round(limits.cpus * 1e9), Pids: limits.pids } },
      RestartPolicy: { Condition: 'none', MaxAttempts: 0 },
      Networks: [{ Target: opts.networkId }],
      // The result channel: the task log. Capped (a flood cannot fill the node's disk); the host stops reading
      // at its own caps long before.
      LogDriver: { Name: 'json-file', Options: { 'max-size': `${Math.ceil((limits.maxResultBytes * 1.4) / (1024 * 1024)) + 8}m`, 'max-file': '1' } },
    },
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
  };
}

/** The internal overlay network sandbox tasks join (created when missing). */
export async function ensureSwarmNetwork(docker: Docker): Promise<string> {
  const found = await docker.listNetworks({ filters: JSON.stringify({ name: [SWARM_NETWORK] }) });
  const hit = found.find((n) => n.Name === SWARM_NETWORK);
  if (hit) {
    if (!hit.Internal) throw new Error(`The Swarm network '${SWARM_NETWORK}' exists but is not --internal: remove it (docker network rm ${SWARM_NETWORK}) so the sandbox can create it without egress.`);
    return hit.Id;
  }
  const created = await docker.createNetwork({ Name: SWARM_NETWORK, Driver: 'overlay', Internal: true, Attachable: false, Labels: { [LABEL]: '1' } });
  return created.id;
}

/** States a task does not leave. */
const TERMINAL = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);

/** A swarm task as a SandboxChannel: the job written to `stdin` starts it. */
export function startSwarmTask(docker: Docker, opts: SwarmTaskOptions): SandboxChannel {
  const id = randomBytes(6).toString('hex');
  const name = `strategy-lab-batch-${id}`;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const configIds: string[] = [];
  let serviceId: string | undefined;
  let alive = true;
  let stopped = false;
  let resolveExit!: (exit: SandboxExit) => void;
  const exited = new Promise<SandboxExit>((r) => (resolveExit = r));
  void exited.then(() => (alive = false));
  const exit = (e: SandboxExit) => {
    alive = false;
    resolveExit(e);
  };

  const removeAll = async () => {
    stopped = true;
    if (serviceId) {
      try {
        await docker.getService(serviceId).remove();
      } catch {
        // already gone
      }
    }
    // A config in use by a task that is still shutting down cannot be removed yet: retry for a while.
    for (const cid of configIds) {
      for (let i = 0; i < 100; i++) {
        try {
          await docker.getConfig(cid).remove();
          break;
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 404) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  };
  let removed: Promise<void> | undefined;
  const dispose = () => (removed ??= removeAll().finally(() => exit({ code: null, signal: 'removed' })));

  const start = async (job: Buffer) => {
    for (let off = 0, i = 0; off < job.length || i === 0; off += CONFIG_PART_BYTES, i++) {
      const part = job.subarray(off, off + CONFIG_PART_BYTES);
      const c = await docker.createConfig({ Name: `${name}-${String(i).padStart(3, '0')}`, Labels: { [LABEL]: '1', [LABEL_OWNER_PID]: String(process.pid) }, Data: part.toString('base64') } as unknown as Record<string, unknown>);
      configIds.push((c as { id: string }).id);
      if (stopped) return;
    }
    const configs = configIds.map((cid, i) => ({ id: cid, name: `${name}-${String(i).padStart(3, '0')}` }));
    const service = await docker.createService(swarmServiceSpec(name, opts, configs) as Docker.CreateServiceOptions);
    serviceId = service.id;
    if (stopped) return void (await docker.getService(service.id).remove().catch(() => {}));
    void watchTask(service.id);
    void followLogs(service.id);
  };

  /** Follows the task's state: a task that ends without a container exit (rejected, orphaned: no image, node lost) is an infrastructure failure. */
  const watchTask = async (sid: string) => {
    let lastState = '';
    while (!stopped) {
      let tasks: Docker.Task[] = [];
      try {
        tasks = (await docker.listTasks({ filters: JSON.stringify({ service: [sid] }) })) as Docker.Task[];
      } catch {
        // the service may have just been removed
      }
      const task = tasks[0] as { Status?: { State?: string; Err?: string; ContainerStatus?: { ExitCode?: number } } } | undefined;
      const state = task?.Status?.State ?? '';
      lastState = state || lastState;
      if (TERMINAL.has(state)) {
        const code = task?.Status?.ContainerStatus?.ExitCode;
        const started = code !== undefined && (state === 'complete' || state === 'failed');
        // Let the log catch up before the job runner decides what the exit means.
        await new Promise((r) => setTimeout(r, 300));
        exit(started ? { code: code ?? null, ...(code === 137 ? { oomKilled: true } : {}) } : { code: null, signal: null, infra: `the Swarm task ${state}${task?.Status?.Err ? `: ${task.Status.Err}` : ''}` });
        return;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    void lastState;
  };

  /** The task log's stdout lines, base64 frames, decoded back into the frame stream. */
  const followLogs = async (sid: string) => {
    const service = docker.getService(sid);
    let stream: NodeJS.ReadableStream;
    // The log is readable once the task has a container; until then the call fails or returns nothing.
    for (;;) {
      if (stopped) return;
      try {
        stream = (await service.logs({ follow: true, stdout: true, stderr: true })) as unknown as NodeJS.ReadableStream;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    }
    const lines = new PassThrough();
    const errText = new PassThrough();
    docker.modem.demuxStream(stream, lines, errText);
    errText.on('data', (c: Buffer) => stderr.write(c));
    let partial = '';
    lines.setEncoding('utf8');
    lines.on('data', (text: string) => {
      partial += text;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        const line = partial.slice(0, nl).trim();
        partial = partial.slice(nl + 1);
        if (!line) continue;
        // Not base64 (or not a frame): passed on as bytes that fail the key check, so tampering is reported.
        stdout.write(/^[A-Za-z0-9+/]+=*$/.test(line) ? Buffer.from(line, 'base64') : Buffer.from(`not-a-frame:${line}`));
      }
    });
    stream.on('end', () => stdout.end());
    stream.on('error', () => stdout.end());
    void exited.then(() => (stream as unknown as { destroy?: () => void }).destroy?.());
  };

  const chunks: Buffer[] = [];
  let received = 0;
  let total: number | undefined;
  let started = false;
  // The host writes the job in its parts (protocol.ts writeJob): the task starts once the whole job is here.
  const take = (chunk: Buffer): void => {
    chunks.push(chunk);
    received += chunk.length;
    if (started) return;
    total ??= jobLength(Buffer.concat(chunks, received)); // only until the header is in: its first part
    if (total === undefined || received < total) return;
    started = true;
    start(Buffer.concat(chunks, received)).catch((err: Error) => {
      stderr.write(`could not start the Swarm task: ${err.message}\n`);
      exit({ code: null, signal: null, infra: `could not start the Swarm task: ${err.message}` });
    });
  };
  const stdin = new Writable({
    write(chunk: Buffer, _enc, cb) {
      take(chunk);
      cb();
    },
    writev(parts: { chunk: Buffer }[], cb) {
      for (const p of parts) take(p.chunk);
      cb();
    },
  });

  return {
    stdin,
    stdout,
    stderr,
    exited,
    ready: Promise.resolve(),
    get alive() {
      return alive;
    },
    kill: async () => {
      await dispose();
    },
    dispose,
    label: `swarm service ${name}`,
    memoryMb: opts.limits.memoryMb,
  };
}

/** Services and configs this process created that still exist (for tests and cleanup). */
export async function listSwarmLeftovers(docker: Docker, ownerPid = process.pid): Promise<string[]> {
  const filters = JSON.stringify({ label: [`${LABEL_OWNER_PID}=${ownerPid}`] });
  const services = await docker.listServices({ filters });
  const configs = await docker.listConfigs({ filters });
  return [...services.map((s) => `service ${s.Spec?.Name}`), ...configs.map((c) => `config ${c.Spec?.Name}`)];
}
