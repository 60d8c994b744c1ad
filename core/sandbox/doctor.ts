/**
 * `strategy-lab sandbox doctor`: checks the Docker engine, the runtime, the
 * image, the container restrictions (from the inside), a real run, leftovers,
 * and the process-mode fallback. Each check says what is wrong and what to do.
 */
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { removeStaleContainers } from './cleanup';
import { listSandboxContainers, startContainer } from './container';
import { canUseLocalChannel } from './localChannel';
import { CHANNEL_FALLBACK_MARKER } from './protocol';
import { assertDockerReachable, createDockerClient, describeHost, type DockerHostSettings } from './docker-client';
import { dockerfileText, imageExists, imageTag } from './image';
import { resolveLimits, type SandboxLimits } from './limits';
import { probeProblems, runProbe } from './probe';
import { readRuntime } from './runtime-bundle';
import { SandboxRunner } from './runner';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when not ok. */
  fix?: string;
}

export interface DoctorOptions {
  docker?: DockerHostSettings;
  image?: string;
  limits?: Partial<SandboxLimits>;
  runtimePath: string;
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const limits = resolveLimits(opts.limits);
  const runtimeOk = existsSync(opts.runtimePath);
  checks.push(runtimeOk
    ? { name: 'runtime bundle', ok: true, detail: opts.runtimePath }
    : { name: 'runtime bundle', ok: false, detail: `missing at ${opts.runtimePath}`, fix: 'Run `npm run build`.' });
  checks.push(processModeCheck());

  const docker: Docker = createDockerClient(opts.docker);
  try {
    await assertDockerReachable(docker, opts.docker);
    const v = await docker.version();
    checks.push({ name: 'Docker engine', ok: true, detail: `${describeHost(opts.docker)} — Docker ${v.Version} (API ${v.ApiVersion}, ${v.Os}/${v.Arch})` });
  } catch (err) {
    checks.push({ name: 'Docker engine', ok: false, detail: (err as Error).message, fix: 'Start Docker, or use `--sandbox process` (weaker isolation).' });
    return checks;
  }

  let tag = opts.image;
  if (!tag && runtimeOk) tag = imageTag(readRuntime(opts.runtimePath), dockerfileText(opts.runtimePath));
  if (!tag || !(await imageExists(docker, tag))) {
    checks.push({ name: 'sandbox image', ok: false, detail: `${tag ?? '(unknown: no runtime)'} is not built`, fix: opts.image ? `Pull or build ${opts.image} on that engine, or clear the image setting.` : 'Run `strategy-lab sandbox build`.' });
    return checks;
  }
  checks.push({ name: 'sandbox image', ok: true, detail: tag });

  try {
    const report = await runProbe(docker, tag, limits);
    const problems = probeProblems(report, limits);
    checks.push(problems.length
      ? { name: 'container restrictions', ok: false, detail: problems.join('; '), fix: 'Use a Docker engine that supports these HostConfig settings (Linux cgroups with memory and pids controllers).' }
      : { name: 'container restrictions', ok: true, detail: `uid ${report.uid}, read-only root, ${limits.tmpfsMb} MB /tmp, no capabilities, no-new-privileges, network none (TCP ${report.tcp}, DNS ${report.dns}), ${limits.memoryMb} MB, ${limits.pids} pids, ${report.cpuQuota} CPU` });
  } catch (err) {
    checks.push({ name: 'container restrictions', ok: false, detail: (err as Error).message, fix: 'See the Docker engine log; the image may not run on this engine.' });
  }

  checks.push(await trialRun(opts, tag));
  checks.push(await localChannelCheck(docker, tag, limits));

  const removed = await removeStaleContainers(docker);
  const ours = await listSandboxContainers(docker);
  checks.push({ name: 'leftover containers', ok: true, detail: `${removed.length} stale removed, ${ours.length} in use by running Strategy Lab processes` });
  return checks;
}

async function trialRun(opts: DoctorOptions, image: string): Promise<DoctorCheck> {
  const runner = new SandboxRunner({ mode: 'docker', docker: opts.docker, image, poolSize: 0, runtimePath: opts.runtimePath, limits: opts.limits });
  const js = `"use strict";var s=require("strategy-lab");class Doctor extends s.BaseStrategy{onBar(b){if(b.index===0)this.log("ok")}}Doctor.config={symbols:["T"],timeframe:"1d"};exports.default=Doctor;`;
  const n = 3;
  const col = () => Float64Array.from({ length: n }, (_, i) => 100 + i);
  const series = [{ symbol: 'T', length: n, time: Float64Array.from({ length: n }, (_, i) => i * 86_400_000), open: col(), high: col(), low: col(), close: col(), volume: col() }];
  const started = Date.now();
  try {
    const logs: string[] = [];
    await runner.run({ compiled: { js, fileName: 'doctor.js' }, series, onLog: (l) => logs.push(l.message) });
    if (logs[0] !== 'ok') throw new Error(`expected one log line 'ok', got ${JSON.stringify(logs)}`);
    return { name: 'trial run', ok: true, detail: `a cold container ran a strategy in ${Date.now() - started} ms` };
  } catch (err) {
    return { name: 'trial run', ok: false, detail: (err as Error).message, fix: 'Rebuild the image with `strategy-lab sandbox build --force`.' };
  } finally {
    await runner.dispose();
  }
}

/** Which way a job and its result travel (localChannel.ts): the attach stream works everywhere, the socket is faster. */
async function localChannelCheck(docker: Docker, image: string, limits: SandboxLimits): Promise<DoctorCheck> {
  const name = 'local channel';
  if (!canUseLocalChannel(docker)) {
    const why = process.env.STRATEGY_LAB_SANDBOX_CHANNEL === 'attach' ? 'STRATEGY_LAB_SANDBOX_CHANNEL=attach' : process.platform !== 'linux' ? `not on Linux (${process.platform})` : 'the engine is not on a local Unix socket';
    return { name, ok: true, detail: `not used (${why}): jobs go through Docker's attach stream` };
  }
  let channel;
  try {
    channel = await startContainer(docker, image, limits, undefined, { localChannel: true });
    let stderr = '';
    channel.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    if ((await channel.transport) === 'local-socket') return { name, ok: true, detail: 'jobs and results go through a Unix socket (the fast way for large jobs)' };
    const reason = stderr.split('\n').find((l) => l.startsWith(CHANNEL_FALLBACK_MARKER)) ?? CHANNEL_FALLBACK_MARKER;
    return { name, ok: true, detail: `unavailable, jobs go through Docker's attach stream (slower for large jobs): ${reason}` };
  } catch (err) {
    return { name, ok: false, detail: (err as Error).message, fix: 'Set STRATEGY_LAB_SANDBOX_CHANNEL=attach to use the attach stream only, and report this.' };
  } finally {
    await channel?.dispose();
  }
}

function processModeCheck(): DoctorCheck {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 20
    ? { name: 'process mode (fallback)', ok: true, detail: `available with Node ${process.versions.node} permission flags — weaker isolation, only with --sandbox process` }
    : { name: 'process mode (fallback)', ok: false, detail: `Node ${process.versions.node} has no permission model`, fix: 'Use Node 20 or newer.' };
}

export function formatDoctor(checks: DoctorCheck[]): string {
  return checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}${!c.ok && c.fix ? `\n    → ${c.fix}` : ''}`).join('\n') + '\n';
}
