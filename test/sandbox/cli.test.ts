import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { runSandboxCommand } from '../../core/cli/commands/sandbox';
import { requireDocker, runtimeBundle } from './helpers';

function capture() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

before(async () => {
  await requireDocker();
  await runtimeBundle();
});

test('sandbox build prints the content-hash tag and is idempotent', async () => {
  const first = capture();
  assert.equal(await runSandboxCommand(['build'], first.io), 0);
  assert.match(first.out.stdout, /^strategy-lab-sandbox:[0-9a-f]{16} /);
  const second = capture();
  assert.equal(await runSandboxCommand(['build'], second.io), 0);
  assert.match(second.out.stdout, /already built/);
});

test('sandbox build --force tries sandbox/Dockerfile first and, when the base cannot be pulled, falls back to the offline build quickly', async () => {
  const stamps: [number, string][] = [];
  const io = { stdout: (t: string) => void stamps.push([Date.now(), `OUT ${t}`]), stderr: (t: string) => void stamps.push([Date.now(), t]) };
  assert.equal(await runSandboxCommand(['build', '--force'], io), 0);
  const lines = stamps.map(([, t]) => t);
  const tried = stamps.find(([, t]) => t.includes('sandbox/Dockerfile, node:20-slim base'));
  assert.ok(tried, 'the Dockerfile build is tried first');
  const failed = stamps.find(([, t]) => t.startsWith('The dockerfile build failed'));
  if (failed) {
    assert.ok(failed[0] - tried[0] < 15_000, `the failed pull gave up after ${failed[0] - tried[0]} ms`);
    assert.ok(lines.some((t) => t.includes("offline: FROM scratch with this machine's Node")));
    assert.match(lines[lines.length - 1], /^OUT strategy-lab-sandbox:[0-9a-f]{16} \(built: offline\)/);
  } else {
    assert.match(lines[lines.length - 1], /^OUT strategy-lab-sandbox:[0-9a-f]{16} \(built: dockerfile\)/);
  }
});

test('sandbox doctor passes every check on a working engine', async () => {
  const { out, io } = capture();
  const code = await runSandboxCommand(['doctor', '--memory-mb', '128'], io);
  assert.equal(code, 0, out.stdout);
  for (const name of ['Docker engine', 'sandbox image', 'container restrictions', 'trial run', 'local channel', 'leftover containers']) assert.match(out.stdout, new RegExp(`✓ ${name}`));
  assert.match(out.stdout, /✓ local channel: jobs and results go through a Unix socket/, 'this machine\'s engine is local: the socket is used');
});

test('sandbox doctor names the problem and the fix when the engine is not there', async () => {
  const { out, io } = capture();
  assert.equal(await runSandboxCommand(['doctor', '--docker-host', 'unix:///nonexistent.sock'], io), 1);
  assert.match(out.stdout, /✗ Docker engine: .*not installed or not running/);
  assert.match(out.stdout, /--sandbox process/);
});

test('unknown sub-commands and conflicting flags are usage errors', async () => {
  await assert.rejects(runSandboxCommand(['frobnicate'], capture().io), /Unknown sandbox command/);
  await assert.rejects(runSandboxCommand(['build', '--offline', '--dockerfile'], capture().io), /at most one/);
});

test('scripts/setup-docker.sh is idempotent: with the engine up it only checks the socket', () => {
  const script = resolve(__dirname, '..', '..', 'scripts', 'setup-docker.sh');
  const r = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, DOCKER_SETUP_LOG: '/tmp/strategy-lab-docker-setup-test.log' } });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /already answering/);
});
