/**
 * Checks a live sandbox container from the inside, with full Node access (as
 * if strategy code had escaped every JavaScript-level restriction): user,
 * file system, capabilities, network, processes, limits. Used by
 * `strategy-lab sandbox doctor` and by the container-boundary tests.
 */
import { join } from 'node:path';
import type Docker from 'dockerode';
import { startContainer } from './container';
import type { SandboxLimits } from './limits';
import { packageRoot } from './runtime-bundle';

export interface ProbeReport {
  uid: number;
  gid: number;
  /** true, or the error code of writing /app/probe. */
  rootfsWrite: true | string;
  tmpWrite: true | string;
  tmpBytes: number | null;
  capEff: string;
  noNewPrivs: string;
  interfaces: string[];
  tcp: string;
  dns: string;
  spawn: string;
  memoryLimitBytes: number | null;
  pidsLimit: number | null;
  /** CPU cores the quota allows, or null when unlimited. */
  cpuQuota: number | null;
  /** true, or the error code of reading a file that exists on the host (this package's package.json). */
  hostFile: true | string;
}

/** Runs inside the container as `node -e`. Prints one JSON line. */
export const PROBE_SCRIPT = String.raw`
const fs = require('fs'), net = require('net'), dns = require('dns'), cp = require('child_process'), os = require('os');
const code = (f) => { try { f(); return true; } catch (e) { return e.code || e.message; } };
const read = (...paths) => { for (const p of paths) { try { const v = fs.readFileSync(p, 'utf8').trim(); if (v && v !== 'max') return Number(v); if (v === 'max') return null; } catch {} } return null; };
const status = fs.readFileSync('/proc/self/status', 'utf8');
const out = {
  uid: process.getuid(), gid: process.getgid(),
  rootfsWrite: code(() => fs.writeFileSync('/app/probe', 'x')),
  tmpWrite: code(() => fs.writeFileSync('/tmp/probe', 'x')),
  tmpBytes: (() => { try { const s = fs.statfsSync('/tmp'); return s.bsize * s.blocks; } catch { return null; } })(),
  capEff: (/CapEff:\s*(\w+)/.exec(status) || [])[1],
  noNewPrivs: (/NoNewPrivs:\s*(\d)/.exec(status) || [])[1],
  interfaces: Object.keys(os.networkInterfaces()),
  memoryLimitBytes: read('/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'),
  pidsLimit: read('/sys/fs/cgroup/pids.max', '/sys/fs/cgroup/pids/pids.max'),
  cpuQuota: (() => { try { const [q, p] = fs.readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(' '); return q === 'max' ? null : Number(q) / Number(p); } catch {} const q = read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'), p = read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'); return q && q > 0 && p ? q / p : null; })(),
  spawn: (() => { const r = cp.spawnSync('/bin/sh', ['-c', 'id']); return r.error ? r.error.code : 'ran: ' + r.stdout; })(),
  hostFile: code(() => fs.readFileSync(process.argv[1])),
};
const tcp = new Promise((done) => { const s = net.connect({ host: '1.1.1.1', port: 53, timeout: 1500 }); s.on('connect', () => { s.destroy(); done('connected'); }); s.on('error', (e) => done(e.code)); s.on('timeout', () => { s.destroy(); done('timeout'); }); });
const lookup = new Promise((done) => dns.lookup('registry.npmjs.org', (e) => done(e ? e.code : 'resolved')));
Promise.all([tcp, lookup]).then(([t, d]) => { out.tcp = t; out.dns = d; process.stdout.write(JSON.stringify(out) + '\n'); });
`;

export async function runProbe(docker: Docker, image: string, limits: SandboxLimits, hostFile = join(packageRoot(), 'package.json')): Promise<ProbeReport> {
  const channel = await startContainer(docker, image, limits, ['-e', PROBE_SCRIPT, hostFile]);
  try {
    let text = '';
    channel.stdout.on('data', (c: Buffer) => (text += c.toString('utf8')));
    let err = '';
    channel.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const exit = await Promise.race([channel.exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    await new Promise((r) => setTimeout(r, 50));
    const line = text.trim().split('\n').pop();
    if (!exit || !line) throw new Error(`the probe container gave no report (exit ${exit?.code ?? 'timeout'}): ${err.trim().slice(-300)}`);
    return JSON.parse(line) as ProbeReport;
  } finally {
    await channel.dispose();
  }
}

/** What is wrong with a probe report, as sentences (empty when every restriction holds). Pure. */
export function probeProblems(r: ProbeReport, limits: SandboxLimits): string[] {
  const problems: string[] = [];
  if (r.uid === 0 || r.gid === 0) problems.push(`the sandbox runs as root (uid ${r.uid}, gid ${r.gid})`);
  if (r.rootfsWrite === true) problems.push('the root file system is writable');
  if (r.tmpWrite !== true) problems.push(`/tmp is not writable (${r.tmpWrite})`);
  if (r.tmpBytes !== null && r.tmpBytes > limits.tmpfsMb * 1024 * 1024 * 1.05) problems.push(`/tmp is larger than ${limits.tmpfsMb} MB`);
  if (!/^0+$/.test(r.capEff ?? '')) problems.push(`the process keeps Linux capabilities (CapEff ${r.capEff})`);
  if (r.noNewPrivs !== '1') problems.push('no-new-privileges is not set');
  if (r.interfaces.some((i) => i !== 'lo')) problems.push(`network interfaces besides loopback: ${r.interfaces.join(', ')}`);
  if (r.tcp === 'connected') problems.push('an outbound TCP connection succeeded');
  if (r.dns === 'resolved') problems.push('DNS lookups work');
  if (r.spawn.startsWith('ran')) problems.push('a shell could be started');
  if (r.hostFile === true) problems.push('a host file was readable');
  if (r.memoryLimitBytes === null || r.memoryLimitBytes > limits.memoryMb * 1024 * 1024) problems.push(`no memory limit of ${limits.memoryMb} MB (saw ${r.memoryLimitBytes ?? 'none'})`);
  if (r.pidsLimit === null || r.pidsLimit > limits.pids) problems.push(`no process limit of ${limits.pids} (saw ${r.pidsLimit ?? 'none'})`);
  if (r.cpuQuota === null || r.cpuQuota > limits.cpus * 1.001) problems.push(`no CPU limit of ${limits.cpus} (saw ${r.cpuQuota ?? 'none'})`);
  return problems;
}
