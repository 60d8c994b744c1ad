/**
 * Issue 13.8: process mode's OS-level isolation, proven with FULL Node access inside it (as if a strategy had
 * escaped every JavaScript closure): no network (not even the host's loopback), no DNS, no signals to processes
 * outside, and a resident-memory cap that also counts memory outside V8's heap. Strategy-level attempts through the
 * real process sandbox end with clear, correctly named errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { resolveLimits } from '../../core/sandbox/limits';
import { SandboxRunner } from '../../core/sandbox/runner';
import { readdirSync, readFileSync } from 'node:fs';
import { HUGE_PAGES_ENV_ENTRY } from '../../core/sandbox/hugePages';
import { isolatedNodeCommand, namespacesAvailable, processModeArgs, startProcessSandbox } from '../../core/sandbox/process-mode';
import { defaultRuntimePath } from '../../core/sandbox/runtime-bundle';
import { bars, compiled, runtimeBundle, strategySource } from './helpers';

/** Runs `code` under process mode's isolation and permission flags (a `-e` script stands in for the runtime). */
function runIsolated(code: string, ...argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const args = processModeArgs(__filename, resolveLimits());
  const flags = args.slice(0, args.indexOf(__filename)).filter((f) => f !== '--disallow-code-generation-from-strings');
  const { command, args: full } = isolatedNodeCommand([...flags, '-e', code, ...argv]);
  const r = spawnSync(command, full, { encoding: 'utf8', timeout: 20_000, env: {} });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('process mode: OS-level isolation with full Node access', () => {
  let tcp: Server;
  let tcpPort = 0;
  let tcpConnections = 0;
  let udp: Socket;
  let udpPort = 0;
  let udpPackets = 0;
  let signals = 0;
  const onSignal = () => signals++;

  before(async () => {
    assert.ok(namespacesAvailable(), 'unshare cannot create user/net/pid namespaces here: process mode runs without them (docs/sandbox.md); these tests need them');
    tcp = createServer((s) => {
      tcpConnections++;
      s.destroy();
    });
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    tcpPort = (tcp.address() as { port: number }).port;
    udp = createSocket('udp4');
    udp.on('message', () => udpPackets++);
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    udpPort = udp.address().port;
    process.on('SIGUSR2', onSignal);
  });
  after(() => {
    tcp.close();
    udp.close();
    process.off('SIGUSR2', onSignal);
  });

  test('the same script outside the isolation does reach the loopback server (the probe works)', async () => {
    const r = spawnSync(process.execPath, ['-e', `require('net').connect(${tcpPort}, '127.0.0.1').on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (e) => { console.log(e.code); process.exit(1); })`], { encoding: 'utf8' });
    assert.match(r.stdout, /connected/);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(tcpConnections >= 1);
  });

  test('no network: a TCP connection to a loopback server of the host fails', async () => {
    const before = tcpConnections;
    const r = runIsolated(`require('net').connect(Number(process.argv[1]), '127.0.0.1').on('connect', () => console.log('connected')).on('error', (e) => console.log('error', e.code))`, String(tcpPort));
    assert.match(r.stdout, /error (ENETUNREACH|ECONNREFUSED|EACCES)/, r.stdout + r.stderr);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(tcpConnections, before, 'the host server saw a connection');
  });

  test('no DNS: a lookup through a resolver on the host loopback gets no answer and sends nothing out', async () => {
    const r = runIsolated(
      `const { Resolver } = require('dns'); const res = new Resolver({ timeout: 500, tries: 1 }); res.setServers(['127.0.0.1:' + process.argv[1]]);
       res.resolve4('strategy-lab.test', (err, a) => console.log(err ? 'error ' + err.code : 'resolved ' + a));
       require('dns').lookup('localhost', (err, a) => console.log(err ? 'lookup-error ' + err.code : 'lookup ' + a));`,
      String(udpPort),
    );
    assert.match(r.stdout, /error E[A-Z]+/, r.stdout + r.stderr);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(udpPackets, 0, 'a DNS query reached the host');
  });

  test('no signals out: its parent pid reads 0 and signalling a host process fails with ESRCH', async () => {
    const r = runIsolated(`console.log('ppid', process.ppid); try { process.kill(Number(process.argv[1]), 'SIGUSR2'); console.log('sent'); } catch (e) { console.log('kill', e.code); }`, String(process.pid));
    assert.match(r.stdout, /ppid 0/, r.stdout + r.stderr);
    assert.match(r.stdout, /kill ESRCH/);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(signals, 0, 'the test process received the signal');
  });

  test('the permission model still denies writes and child processes inside the namespaces', () => {
    assert.match(runIsolated(`require('fs').writeFileSync('/tmp/strategy-lab-ns-' + process.pid, 'x')`).stderr, /ERR_ACCESS_DENIED/);
    assert.match(runIsolated(`require('child_process').spawnSync('id')`).stderr, /ERR_ACCESS_DENIED/);
  });
});

describe('process mode: strategies through the real sandbox', () => {
  const runner = new SandboxRunner({ mode: 'process', limits: { memoryMb: 192, timeMs: 20_000 } });
  after(() => runner.dispose());

  test('allocating past the memory cap outside the V8 heap (typed arrays) ends as memory, not crashed', async () => {
    const source = strategySource('const a = new Float64Array(8_000_000); a.fill(bar.index + 1); this.keep.push(a);', { members: 'private keep: Float64Array[] = [];' });
    const started = Date.now();
    const error = await runner.run({ compiled: await compiled(source), series: [bars(200)] }).then(() => undefined, (e) => e);
    assert.ok(error, 'a 12.8 GB allocation finished inside a 192 MB sandbox');
    assert.equal(error.kind, 'memory', error.message);
    assert.match(error.message, /192 MB memory limit/);
    assert.ok(Date.now() - started < 15_000);
  });

  test('an honest strategy well under the cap is not stopped by the watchdog', async () => {
    const source = strategySource('const a = new Float64Array(1_000_000); a.fill(1); if (bar.index === 99) this.log(a.length);');
    const result = await runner.run({ compiled: await compiled(source), series: [bars(100)] });
    assert.equal(result.run.bars, 100);
  });

  test('worker threads, sockets and process signals are out of reach of strategy code', async () => {
    const attempts = [
      `import { Worker } from 'worker_threads';\n${strategySource("new Worker('1', { eval: true });")}`,
      `import net from 'net';\n${strategySource("net.connect(1, '127.0.0.1');")}`,
      strategySource("(this.log as any).constructor('return process')().kill(0);"),
      strategySource('(globalThis as any).process.kill((globalThis as any).process.ppid);'),
    ];
    for (const source of attempts) {
      const error = await runner.run({ compiled: await compiled(source), series: [bars(5)] }).then(() => undefined, (e) => e);
      assert.ok(error, `ran without error: ${source}`);
      assert.equal(error.kind, 'strategy', `${error.kind}: ${error.message}`);
    }
  });
});

/** The pids of this process's descendants (Linux /proc). */
function descendants(root: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      parentOf.set(Number(name), Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1].split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of parentOf) if (parent === p) (out.push(child), walk(child));
  };
  walk(root);
  return out;
}

test('process mode: the sandbox\'s environment is the huge-page tunable and nothing of the host\'s', async () => {
  await runtimeBundle();
  const before = new Set(descendants(process.pid));
  const channel = startProcessSandbox(defaultRuntimePath(), resolveLimits());
  try {
    await channel.ready;
    const runtimes = descendants(process.pid).filter((p) => !before.has(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(defaultRuntimePath());
      } catch {
        return false;
      }
    });
    assert.ok(runtimes.length >= 1, 'the sandbox runtime\'s process was found');
    for (const pid of runtimes) {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
      assert.deepEqual(env, [HUGE_PAGES_ENV_ENTRY], `process ${pid}`);
    }
  } finally {
    await channel.dispose();
  }
});
