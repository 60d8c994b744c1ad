/**
 * The container boundary on its own: scripts with FULL Node access (as if a
 * strategy had escaped every JavaScript-level restriction) run in a sandbox
 * container with the real restrictions. Needs a running Docker engine.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { containerSpec, CPU_PERIOD_US, startContainer } from '../../core/sandbox/container';
import { HUGE_PAGES_TUNABLE } from '../../core/sandbox/hugePages';
import { resolveLimits, type SandboxLimits } from '../../core/sandbox/limits';
import { probeProblems, runProbe, type ProbeReport } from '../../core/sandbox/probe';
import { containerSuite } from './helpers';

const suite = containerSuite();

async function runScript(script: string, limits: SandboxLimits): Promise<{ stdout: string; code: number | null }> {
  const channel = await startContainer(suite.docker, suite.image, limits, ['-e', script]);
  try {
    let stdout = '';
    channel.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    const exit = await channel.exited;
    await new Promise((r) => setTimeout(r, 50));
    return { stdout, code: exit.code };
  } finally {
    await channel.dispose();
  }
}

describe('the sandbox container', () => {
  test('the spec carries every restriction', () => {
    const spec = containerSpec('img', resolveLimits());
    const hc = spec.HostConfig!;
    assert.equal(spec.NetworkDisabled, true);
    assert.deepEqual(spec.Env, [`GLIBC_TUNABLES=${HUGE_PAGES_TUNABLE}`], 'nothing of the host\'s environment, only the huge-page tunable');
    assert.deepEqual(spec.Cmd!.slice(0, 2), ['--disallow-code-generation-from-strings', '--no-concurrent-recompilation'], 'no eval; V8 optimises on the thread that runs the code');
    assert.equal(spec.Cmd![3], '/app/runtime.js');
    assert.equal(hc.NetworkMode, 'none');
    assert.equal(hc.ReadonlyRootfs, true);
    assert.deepEqual(hc.CapDrop, ['ALL']);
    assert.deepEqual(hc.SecurityOpt, ['no-new-privileges']);
    assert.equal(hc.Memory, 512 * 1024 * 1024);
    assert.equal(hc.MemorySwap, hc.Memory);
    assert.equal(hc.CpuQuota! / hc.CpuPeriod!, 1, 'one CPU');
    assert.equal(hc.CpuPeriod, CPU_PERIOD_US, 'counted per second: a short job\'s GC helpers do not stall it');
    assert.equal(hc.PidsLimit, 64);
    assert.match(hc.Tmpfs!['/tmp'], /size=16m/);
    assert.notEqual(spec.User, '0');
    assert.equal(spec.Labels!['strategy-lab.sandbox'], '1');
    assert.equal(spec.Labels!['strategy-lab.owner-pid'], String(process.pid));
  });

  test('from the inside: non-root, read-only root, small /tmp, no capabilities, no network, no shell, limits applied', async () => {
    const limits = resolveLimits({ memoryMb: 256, pids: 48, tmpfsMb: 4, cpus: 0.5 });
    const report = await runProbe(suite.docker, suite.image, limits);
    assert.deepEqual(probeProblems(report, limits), []);
    assert.equal(report.rootfsWrite, 'EROFS');
    assert.equal(report.memoryLimitBytes, 256 * 1024 * 1024);
    assert.equal(report.pidsLimit, 48);
    assert.equal(report.cpuQuota, 0.5);
    assert.equal(report.tmpBytes, 4 * 1024 * 1024);
    assert.notEqual(report.tcp, 'connected');
    assert.notEqual(report.dns, 'resolved');
    assert.equal(report.hostFile, 'ENOENT', 'a file that exists on the host is not visible inside');
  });

  test('the probe check reports a broken restriction (it can fail)', () => {
    const limits = resolveLimits();
    const bad: ProbeReport = { uid: 0, gid: 0, rootfsWrite: true, tmpWrite: true, tmpBytes: 1, capEff: '00000000a80425fb', noNewPrivs: '0', interfaces: ['lo', 'eth0'], tcp: 'connected', dns: 'resolved', spawn: 'ran: uid=0', memoryLimitBytes: null, pidsLimit: null, cpuQuota: null, hostFile: true };
    assert.equal(probeProblems(bad, limits).length, 12);
  });

  test('the CPU quota holds over seconds: threads that want two CPUs for 3.5 s get about half of one', async () => {
    // Two busy threads (the main thread and a worker) for 3.5 s of wall time under cpus 0.5, counted per second:
    // at most 0.5 s of CPU in each of the (at most 5) periods the run touches, and ~0.5 CPU on average.
    const script = `const { Worker } = require('worker_threads');
      const spin = 'const end = Date.now() + 3500; while (Date.now() < end);';
      const w = new Worker(spin, { eval: true });
      const t0 = Date.now(); const c0 = process.cpuUsage();
      eval(spin);
      w.on('exit', () => { const c = process.cpuUsage(c0); console.log(JSON.stringify({ cpu: (c.user + c.system) / 1e6, wall: (Date.now() - t0) / 1e3 })); });`;
    const { stdout } = await runScript(script, resolveLimits({ cpus: 0.5 }));
    const { cpu, wall } = JSON.parse(stdout) as { cpu: number; wall: number };
    assert.ok(wall >= 3.4, `the run lasted its 3.5 s (${wall} s)`);
    assert.ok(cpu <= 0.5 * Math.ceil(wall + 1) + 0.05, `${cpu.toFixed(2)} s of CPU in ${wall.toFixed(2)} s: within half a CPU per second`);
    assert.ok(cpu >= 0.25 * wall, `${cpu.toFixed(2)} s of CPU: it ran`);
  });

  test('filling /tmp stops at the tmpfs size', async () => {
    const { stdout } = await runScript(
      `const fs = require('fs'); let n = 0; try { for (;;) { fs.appendFileSync('/tmp/fill', Buffer.alloc(1 << 20)); n++; } } catch (e) { console.log(e.code, n); }`,
      resolveLimits({ tmpfsMb: 2 }),
    );
    assert.match(stdout, /^ENOSPC [0-2]\n/);
  });

  test('pid exhaustion (a fork bomb of node processes) hits the pids limit', async () => {
    const { stdout } = await runScript(
      `const cp = require('child_process'); const kids = []; let err = 'none';
       for (let i = 0; i < 200; i++) { try { const k = cp.spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)'], { stdio: 'ignore' }); k.on('error', (e) => { err = e.code; }); kids.push(k); } catch (e) { err = e.code; break; } }
       setTimeout(() => { console.log('result', err); for (const k of kids) k.kill('SIGKILL'); process.exit(0); }, 1500);`,
      resolveLimits({ pids: 32, memoryMb: 512 }),
    );
    assert.match(stdout, /result (EAGAIN|ENOMEM)/);
  });

  test('large buffers get transparent huge pages from the container\'s one environment entry (and not without it)', async () => {
    const policy = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'))?.[1];
    assert.equal(policy, 'madvise', `this test needs the kernel's THP policy 'madvise' (the usual one), found '${policy}': with 'always' the control cannot fail, with 'never' there are no huge pages`);
    // 64 MB touched, then the process's AnonHugePages (kB); the control runs the same in a child without the tunable.
    const probe = `const b = Buffer.alloc(64 << 20); b.fill(1); console.log(/AnonHugePages:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/smaps_rollup', 'utf8'))[1]);`;
    const { stdout } = await runScript(
      `const cp = require('child_process');
       const here = cp.execFileSync(process.execPath, ['-e', ${JSON.stringify('PROBE')}], { env: process.env }).toString().trim();
       const control = cp.execFileSync(process.execPath, ['-e', ${JSON.stringify('PROBE')}], { env: {} }).toString().trim();
       console.log(JSON.stringify({ env: Object.keys(process.env).sort(), tunables: process.env.GLIBC_TUNABLES, here: Number(here), control: Number(control) }));`.replaceAll('"PROBE"', JSON.stringify(probe)),
      resolveLimits(),
    );
    const r = JSON.parse(stdout) as { env: string[]; tunables: string; here: number; control: number };
    assert.equal(r.tunables, HUGE_PAGES_TUNABLE);
    assert.ok(r.here >= 32 * 1024, `with the tunable at least half of 64 MB in huge pages, found ${r.here} kB`);
    assert.ok(r.control < r.here / 4, `without it (control) few or none, found ${r.control} kB against ${r.here} kB`);
  });

  test('allocating memory until killed: the kernel kills the container at its limit', async () => {
    const { code } = await runScript(`const a = []; for (;;) a.push(Buffer.alloc(8 << 20, 1));`, resolveLimits({ memoryMb: 128 }));
    assert.equal(code, 137);
  });
});
