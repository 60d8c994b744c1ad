/**
 * The registry path of the image build (sandbox/Dockerfile), for real, on a machine without a registry: the
 * Dockerfile's BASE is a local stand-in for node:20-slim with what its first stage uses (a shell and core
 * tools from Debian's static busybox, `ldd`, and this host's node with its libraries). The image that comes
 * out must hold no shell and pass every check `sandbox doctor` makes, and run a backtest like the offline one.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import type Docker from 'dockerode';
import { pack } from 'tar-stream';
import { dockerfileText, ensureImage, imageExists, imageTag, pruneOldImages } from '../../core/sandbox/image';
import { resolveLimits } from '../../core/sandbox/limits';
import { nodeLibraries } from '../../core/sandbox/offline-rootfs';
import { probeProblems, runProbe } from '../../core/sandbox/probe';
import { contentHash, defaultRuntimePath, readRuntime } from '../../core/sandbox/runtime-bundle';
import { runInSandbox } from '../../core/sandbox/runner';
import { runInThisProcess } from '../../core/run/runStrategy';
import { assertNoContainersLeft, bars, compiled, requireDocker, runtimeBundle, strategySource } from './helpers';

const BUSYBOX = '/bin/busybox';
const TOOLS = ['sh', 'cp', 'mkdir', 'grep', 'dirname', 'chmod', 'printf', 'cat', 'ls'];

/** Debian's static busybox (package busybox-static), installed with apt when missing; loud when it cannot be. */
function ensureBusybox(): string {
  if (existsSync(BUSYBOX)) return BUSYBOX;
  console.error('\n*** installing busybox-static with apt-get (the stand-in base image of the Dockerfile test needs a static shell) ***\n');
  const r = spawnSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends busybox-static'], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(BUSYBOX)) throw new Error(`${BUSYBOX} is missing and \`apt-get install busybox-static\` failed (exit ${r.status}): install it as root and run the tests again.`);
  return BUSYBOX;
}

/** Builds the stand-in base (FROM scratch: busybox tools, an ldd, node and its libraries) and returns its tag. */
async function buildStandInBase(docker: Docker): Promise<string> {
  const busybox = ensureBusybox();
  const libs = nodeLibraries();
  const loader = libs.find((l) => /\/ld-linux[^/]*\.so/.test(l) || /\/ld-[^/]*\.so/.test(l));
  assert.ok(loader, `the dynamic loader is among node's libraries: ${libs.join(', ')}`);
  const files = [
    { name: 'rootfs/bin/busybox', source: realpathSync(busybox) },
    { name: 'rootfs/usr/local/bin/node', source: realpathSync(process.execPath) },
    ...libs.map((lib) => ({ name: `rootfs${lib}`, source: realpathSync(lib) })),
  ];
  const tag = `strategy-lab-test-base:${contentHash(...files.map((f) => `${f.name}:${statSync(f.source).size}`))}`;
  const tar = pack();
  const add = (header: Parameters<typeof tar.entry>[0], body: string | Buffer = '') => new Promise<void>((res, rej) => tar.entry(header, body, (e) => (e ? rej(e) : res())));
  const writing = (async () => {
    await add({ name: 'Dockerfile', mode: 0o644 }, 'FROM scratch\nCOPY rootfs/ /\n');
    for (const tool of TOOLS) await add({ name: `rootfs/bin/${tool}`, type: 'symlink', linkname: '/bin/busybox' });
    // What Debian's ldd does, in one line: ask the dynamic loader to list the libraries.
    await add({ name: 'rootfs/usr/bin/ldd', mode: 0o755 }, `#!/bin/sh\nexec ${loader} --list "$@"\n`);
    for (const f of files) {
      await new Promise<void>((res, rej) => {
        const entry = tar.entry({ name: f.name, size: statSync(f.source).size, mode: 0o755 }, (e) => (e ? rej(e) : res()));
        createReadStream(f.source).on('error', rej).pipe(entry);
      });
    }
    tar.finalize();
  })();
  const stream = await docker.buildImage(tar as unknown as NodeJS.ReadableStream, { t: tag, rm: true, forcerm: true, labels: { 'strategy-lab.test': '1' } });
  await new Promise<void>((res, rej) => docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
    const failed = err?.message ?? events.find((e) => e.error)?.error;
    if (failed) rej(new Error(`building the stand-in base failed: ${failed}`));
    else res();
  }));
  await writing;
  return tag;
}

let docker: Docker;
let base: string;
let image: string | undefined;

before(async () => {
  docker = await requireDocker();
  await runtimeBundle();
  base = await buildStandInBase(docker);
});

after(async () => {
  if (!docker) return;
  await assertNoContainersLeft(docker);
  for (const tag of [image, base]) if (tag) await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
});

test('sandbox/Dockerfile builds in two stages into a shell-free image that passes every sandbox doctor check', async () => {
  const runtimePath = defaultRuntimePath();
  const progress: string[] = [];
  const dangling = async () => (await docker.listImages({ all: true, filters: JSON.stringify({ dangling: ['true'] }) })).map((i) => i.Id);
  const danglingBefore = new Set(await dangling());
  // Built twice (the second time from the build cache, forced): neither build leaves an untagged image.
  await ensureImage({ docker, runtimePath, methods: ['dockerfile'], dockerfileBase: base, force: true, prune: false });
  const info = await ensureImage({ docker, runtimePath, methods: ['dockerfile'], dockerfileBase: base, force: true, prune: false, onProgress: (l) => progress.push(l) });
  image = info.tag;
  assert.equal(info.method, 'dockerfile', progress.join('\n'));
  assert.ok(progress.some((l) => l.includes(`sandbox/Dockerfile, ${base} base`)), 'progress names the base');
  assert.notEqual(info.tag, imageTag(readRuntime(runtimePath), dockerfileText(runtimePath)), 'another base makes another tag: the default image is not replaced');
  const limits = resolveLimits();
  const report = await runProbe(docker, info.tag, limits);
  assert.deepEqual(probeProblems(report, limits), []);
  assert.equal(report.spawn, 'ENOENT', 'no /bin/sh in the final image');
  assert.equal(report.uid, 1000);
  const leftovers = (await dangling()).filter((id) => !danglingBefore.has(id));
  assert.deepEqual(leftovers, [], 'neither the first stage nor the replaced image is left behind untagged');
  const layers = (await docker.getImage(info.tag).history()) as { CreatedBy: string }[];
  assert.ok(!layers.some((l) => /busybox|apt-get/.test(l.CreatedBy)), 'nothing of the first stage but what was copied');
});

test('a backtest in the Dockerfile-built image gives the in-process result', async () => {
  assert.ok(image, 'the image was built by the test above');
  const code = await compiled(strategySource('if (bar.index % 5 === 0) this.buy(bar.symbol); else if (bar.index % 5 === 3) this.close(bar.symbol);'));
  const series = [bars(60)];
  const inContainer = await runInSandbox({ compiled: code, series, mode: 'docker', settings: { image, poolSize: 0 } });
  const here = await runInThisProcess({ compiled: code, series, mode: 'none' });
  assert.ok(here.trades.length >= 10);
  assert.equal(JSON.stringify(inContainer), JSON.stringify(here));
});

test('the Dockerfile keeps the final stage FROM scratch (a base image with a shell would fail the first test)', () => {
  const text = dockerfileText(defaultRuntimePath());
  assert.match(text, /^FROM scratch$/m);
  assert.match(text, /^ARG BASE=node:20-slim$/m);
});

test('after a build, old tags of the repository go (also one sharing the kept image id), the kept tag and other names stay', async () => {
  assert.ok(image, 'the image was built by the first test');
  // A repository of the test's own, so the engine's real sandbox images are not touched.
  const repo = `strategy-lab-sandbox-test-${process.pid}`;
  const keep = `${repo}:current`;
  const sameId = `${repo}:old-same-id`;
  const otherId = `${repo}:old-other-id`;
  await docker.getImage(image).tag({ repo, tag: 'current' });
  await docker.getImage(image).tag({ repo, tag: 'old-same-id' });
  await docker.getImage(base).tag({ repo, tag: 'old-other-id' });
  try {
    const removed: string[] = [];
    await pruneOldImages(docker, keep, (line) => removed.push(line));
    assert.equal(await imageExists(docker, sameId), false, 'the old tag on the same image id is gone');
    assert.equal(await imageExists(docker, otherId), false, 'the old tag on another image is gone');
    assert.equal(await imageExists(docker, keep), true, 'the kept tag stays');
    assert.equal(await imageExists(docker, image), true, 'the same image under another name keeps it');
    assert.equal(await imageExists(docker, base), true, 'an image with another name keeps that name');
    assert.deepEqual(removed.sort(), [`Removed the old sandbox image ${otherId}.`, `Removed the old sandbox image ${sameId}.`]);
  } finally {
    for (const t of [keep, sameId, otherId]) await docker.getImage(t).remove({ force: false }).catch(() => undefined);
  }
});
