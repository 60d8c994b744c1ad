/** `strategyLab.sandbox.*`: package.json, the code's schema and the runner settings agree; bad values are named. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_LIMITS } from '../../core/sandbox/limits';
import { SANDBOX_SETTING_KEYS, SANDBOX_SETTINGS_SCHEMA, sandboxSettingsFrom } from '../../core/sandbox/settings';
import { createDockerClient } from '../../core/sandbox/docker-client';
import { repoRoot } from '../helpers/paths';
import { readFileSync } from 'node:fs';

const contributed = (JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, unknown> } } }).contributes.configuration.properties;

test('package.json contributes exactly the sandbox settings of the code, entry for entry', () => {
  const inPackage = Object.keys(contributed).filter((k) => k.startsWith('strategyLab.sandbox.'));
  assert.deepEqual(inPackage, Object.keys(SANDBOX_SETTINGS_SCHEMA));
  assert.deepEqual(Object.keys(SANDBOX_SETTINGS_SCHEMA), SANDBOX_SETTING_KEYS.map((k) => `strategyLab.sandbox.${k}`));
  for (const key of inPackage) assert.deepEqual(contributed[key], SANDBOX_SETTINGS_SCHEMA[key as keyof typeof SANDBOX_SETTINGS_SCHEMA], key);
});

test('the defaults are the issue\'s: Docker, one warm container, 512 MB, 1 CPU, 300 s', () => {
  const s = sandboxSettingsFrom({}, {});
  assert.deepEqual(s, { mode: 'docker', docker: {}, poolSize: 1, limits: { memoryMb: 512, cpus: 1, timeMs: 300_000 } });
  assert.equal(s.limits.memoryMb, DEFAULT_LIMITS.memoryMb);
  assert.equal(s.limits.cpus, DEFAULT_LIMITS.cpus);
  assert.equal(s.limits.timeMs, DEFAULT_LIMITS.timeMs);
});

test('values map onto the runner settings; a TLS engine gets its certificate folder', () => {
  const s = sandboxSettingsFrom({ mode: 'process', dockerHost: ' tcp://build-box:2376 ', dockerCertPath: '/certs', image: 'mine:1', poolSize: 0, memoryMb: 1024, cpus: 2, timeLimitSeconds: 30 }, {});
  assert.deepEqual(s, { mode: 'process', docker: { host: 'tcp://build-box:2376', certPath: '/certs' }, image: 'mine:1', poolSize: 0, limits: { memoryMb: 1024, cpus: 2, timeMs: 30_000 } });
  // A host set here bypasses docker-modem's environment handling, so DOCKER_CERT_PATH is carried over.
  assert.deepEqual(sandboxSettingsFrom({ dockerHost: 'tcp://box:2376' }, { DOCKER_CERT_PATH: '/env/certs' }).docker, { host: 'tcp://box:2376', certPath: '/env/certs' });
  assert.deepEqual(sandboxSettingsFrom({}, { DOCKER_CERT_PATH: '/env/certs' }).docker, {}, 'without a host the environment is docker-modem\'s to read');
});

test('the certificate folder is used for the TLS connection (a missing file is named)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-certs-'));
  for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), `-----BEGIN ${f}-----\n`);
  const client = createDockerClient(sandboxSettingsFrom({ dockerHost: 'tcp://box:2376', dockerCertPath: dir }, {}).docker);
  const modem = (client as unknown as { modem: { protocol: string; ca?: unknown; cert?: unknown; key?: unknown } }).modem;
  assert.equal(modem.protocol, 'https');
  assert.ok(modem.ca && modem.cert && modem.key, 'ca, cert and key were read');
  assert.throws(() => createDockerClient(sandboxSettingsFrom({ dockerHost: 'tcp://box:2376', dockerCertPath: join(dir, 'nope') }, {}).docker), /nope/);
});

test('every bad value is named with what it accepts, all at once', () => {
  assert.throws(
    () => sandboxSettingsFrom({ mode: 'none', poolSize: 1.5, memoryMb: 50, cpus: 'two', timeLimitSeconds: 0, image: 7 }, {}),
    (e: unknown) => {
      const m = (e as Error).message;
      return e instanceof RangeError
        && /strategyLab\.sandbox\.mode must be 'docker' \(recommended\) or 'process' \(weaker isolation\), got "none"/.test(m)
        && /strategyLab\.sandbox\.poolSize must be a whole number from 0 to 8, got 1\.5/.test(m)
        && /strategyLab\.sandbox\.memoryMb must be a whole number at least 96, got 50/.test(m)
        && /strategyLab\.sandbox\.cpus must be a number at least 0\.1, got "two"/.test(m)
        && /strategyLab\.sandbox\.timeLimitSeconds must be a whole number at least 1, got 0/.test(m)
        && /strategyLab\.sandbox\.image must be text, got 7/.test(m)
        && /Fix them in Settings/.test(m);
    },
  );
});
