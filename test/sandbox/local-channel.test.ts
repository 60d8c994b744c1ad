/**
 * The local channel (core/sandbox/localChannel.ts): the socket's gatekeeping on its own, then real containers
 * that talk over it, fall back to the attach stream, and leave nothing behind. Needs a running Docker engine.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { containerSpec, startContainer, startContainerWith, type ContainerChannel } from '../../core/sandbox/container';
import { runJob } from '../../core/sandbox/job';
import { resolveLimits } from '../../core/sandbox/limits';
import { canUseLocalChannel, CHANNEL_MOUNT, openLocalChannel, removeStaleChannelDirs } from '../../core/sandbox/localChannel';
import { CHANNEL_TOKEN_BYTES } from '../../core/sandbox/protocol';
import { runInProcess } from '../../core/sandbox/in-process';
import { runInThisProcess } from '../../core/run/runStrategy';
import { equityColumnsOf } from '../../core/engine/equityCurve';
import { bars, compiled, containerSuite, strategySource } from './helpers';

function connectTo(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(path);
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves when the host has closed `s`; rejects if it is still open after 2 s. */
function closed(s: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    if (s.destroyed) return resolve();
    const timer = setTimeout(() => reject(new Error('the host kept this connection open')), 2000);
    s.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function socketPathOf(channel: Awaited<ReturnType<typeof openLocalChannel>>): string {
  return join(channel.mount.Source!, 'channel.sock');
}

describe('the local channel socket', () => {
  test('only a connection that starts with the token becomes the channel; then the socket and its folder are gone', async () => {
    const channel = await openLocalChannel();
    const dir = channel.mount.Source!;
    try {
      assert.equal(statSync(dir).mode & 0o777, 0o711, 'others may pass through the folder, not list it');
      assert.equal(statSync(socketPathOf(channel)).mode & 0o777, 0o666, "the container's user can connect");
      assert.equal(channel.mount.ReadOnly, true);
      assert.equal(channel.mount.Target, CHANNEL_MOUNT);
      assert.equal(channel.token.length, CHANNEL_TOKEN_BYTES);

      const wrong = await connectTo(socketPathOf(channel));
      wrong.write(Buffer.alloc(CHANNEL_TOKEN_BYTES, 7));
      await closed(wrong);
      const extra = await connectTo(socketPathOf(channel));
      extra.write(Buffer.concat([channel.token, Buffer.from('forged frame')]));
      await closed(extra);
      assert.equal(await Promise.race([channel.connected.then(() => 'connected'), new Promise((r) => setTimeout(() => r('waiting'), 100))]), 'waiting', 'neither a wrong token nor the token with more bytes is accepted');

      const right = await connectTo(socketPathOf(channel));
      right.write(channel.token.subarray(0, 5)); // the token may arrive in pieces
      await new Promise((r) => setTimeout(r, 20));
      right.write(channel.token.subarray(5));
      const accepted = await channel.connected;
      accepted.write('job bytes');
      const got = await new Promise<string>((resolve) => right.once('data', (d) => resolve(d.toString())));
      assert.equal(got, 'job bytes', 'the accepted connection carries the job');
      assert.equal(existsSync(dir), false, 'the socket and its folder are removed once the runtime is connected');
      await assert.rejects(connectTo(socketPathOf(channel)), 'nobody can connect afterwards');
      accepted.destroy();
      right.destroy();
    } finally {
      channel.close();
    }
  });

  test('closing before the runtime connects rejects the wait and removes the folder', async () => {
    const channel = await openLocalChannel();
    channel.close();
    await assert.rejects(channel.connected, /closed before the runtime connected/);
    assert.equal(existsSync(channel.mount.Source!), false);
    channel.close(); // idempotent
  });

  test('folders of dead host processes are swept; live ones and foreign names stay', () => {
    const root = mkdtempSync(join(tmpdir(), 'sl-sweep-'));
    try {
      for (const name of ['strategy-lab-channel-999999-abc', 'strategy-lab-channel-12-def', `strategy-lab-channel-${process.pid}-ghi`, 'something-else']) mkdirSync(join(root, name));
      const removed = removeStaleChannelDirs(root, (pid) => pid === 12);
      assert.deepEqual(removed, ['strategy-lab-channel-999999-abc']);
      assert.deepEqual(readdirSync(root).sort(), ['something-else', `strategy-lab-channel-${process.pid}-ghi`, 'strategy-lab-channel-12-def'].sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test('only a Linux host with a Unix-socket engine uses it, and STRATEGY_LAB_SANDBOX_CHANNEL=attach turns it off', () => {
    const fake = (socketPath: unknown) => ({ modem: { socketPath } }) as unknown as Docker;
    const linux = process.platform === 'linux';
    assert.equal(canUseLocalChannel(fake('/var/run/docker.sock'), {}), linux);
    assert.equal(canUseLocalChannel(fake(() => '/var/run/docker.sock'), {}), linux, "docker-modem's default-socket search");
    assert.equal(canUseLocalChannel(fake(undefined), {}), false, 'tcp:// and ssh:// engines have no socket path');
    assert.equal(canUseLocalChannel(fake('//./pipe/docker_engine'), {}), false);
    assert.equal(canUseLocalChannel(fake('/var/run/docker.sock'), { STRATEGY_LAB_SANDBOX_CHANNEL: 'attach' }), false);
  });

  test('the container spec mounts the folder read-only and names the socket to the runtime', () => {
    const limits = resolveLimits();
    const mount = { Type: 'bind' as const, Source: '/tmp/x', Target: CHANNEL_MOUNT, ReadOnly: true };
    const spec = containerSpec('img', limits, 1, undefined, { containerPath: `${CHANNEL_MOUNT}/channel.sock`, mount });
    assert.deepEqual(spec.HostConfig!.Mounts, [mount]);
    assert.equal(spec.Cmd!.at(-1), `--channel=${CHANNEL_MOUNT}/channel.sock`);
    const plain = containerSpec('img', limits);
    assert.equal(plain.HostConfig!.Mounts, undefined, 'no mount without a channel');
    assert.equal(plain.Cmd!.some((a) => a.startsWith('--channel')), false);
  });
});

describe('containers over the local channel', () => {
  const suite = containerSuite();

  const source = strategySource(`
    this.log('bar ' + bar.close.toFixed(2));
    if (bar.close < 95 && !this.position(bar.symbol)) this.buy(bar.symbol);
    else if (bar.close > 105 && this.position(bar.symbol)) this.close(bar.symbol);
  `);

  async function runOn(channel: ContainerChannel, series = [bars(400)]) {
    const strategy = await compiled(source);
    const logs: string[] = [];
    try {
      await channel.ready;
      const result = await runJob(channel, { js: strategy.js, fileName: strategy.fileName, series, options: {}, limits: resolveLimits(), onLog: (l) => logs.push(l.message) });
      return { result, logs, transport: await channel.transport };
    } finally {
      await channel.dispose();
    }
  }

  test('a local engine runs the job over the socket, with the same result and logs as over the attach stream and in process', async () => {
    const limits = resolveLimits();
    const viaSocket = await runOn(await startContainer(suite.docker, suite.image, limits, undefined, { localChannel: true }));
    const viaAttach = await runOn(await startContainer(suite.docker, suite.image, limits, undefined, { localChannel: false }));
    assert.equal(viaSocket.transport, 'local-socket');
    assert.equal(viaAttach.transport, 'attach');
    const strategy = await compiled(source);
    const local = await runInProcess(strategy, [bars(400)], {});
    for (const run of [viaSocket, viaAttach]) {
      assert.deepEqual(run.result.metrics, local.metrics);
      assert.deepEqual(run.result.trades, local.trades);
      assert.equal(run.logs.length, 400);
    }
    assert.ok(local.trades.length > 0, 'the job trades, so the comparison means something');
  });

  test('a runtime that cannot reach the socket says so and the job goes through the attach stream', async () => {
    const local = await openLocalChannel();
    const unreachable = { ...local, containerPath: `${CHANNEL_MOUNT}/no-such.sock` };
    const channel = await startContainerWith(suite.docker, suite.image, resolveLimits(), undefined, unreachable);
    const run = await runOn(channel);
    assert.equal(run.transport, 'attach');
    assert.ok(run.result.trades.length > 0);
    assert.equal(existsSync(local.mount.Source!), false, 'the unused folder is removed');
  });

  test('an engine that refuses the mount gets the container without it, and is not asked again', async () => {
    const creates: boolean[] = [];
    // The real engine, except that it refuses any bind mount (as an engine in a VM that cannot see the host's /tmp).
    const refusing = Object.create(suite.docker) as Docker;
    refusing.createContainer = ((opts: Docker.ContainerCreateOptions) => {
      const mounted = !!opts.HostConfig?.Mounts?.length;
      creates.push(mounted);
      if (mounted) return Promise.reject(Object.assign(new Error('invalid mount config for type "bind": bind source path does not exist'), { statusCode: 400 }));
      return suite.docker.createContainer(opts);
    }) as Docker['createContainer'];
    const foldersBefore = readdirSync(tmpdir()).filter((n) => n.startsWith(`strategy-lab-channel-${process.pid}-`)).length;
    const first = await runOn(await startContainer(refusing, suite.image, resolveLimits(), undefined, { localChannel: true }));
    const second = await runOn(await startContainer(refusing, suite.image, resolveLimits(), undefined, { localChannel: true }));
    assert.equal(first.transport, 'attach');
    assert.equal(second.transport, 'attach');
    assert.ok(first.result.trades.length > 0);
    assert.deepEqual(creates, [true, false, false], 'one refused create with the mount, then none');
    assert.equal(readdirSync(tmpdir()).filter((n) => n.startsWith(`strategy-lab-channel-${process.pid}-`)).length, foldersBefore, 'the refused folder is removed');
  });

  test('a big job crosses the socket both ways intact (the equity columns of 200,000 bars)', async () => {
    const channel = await startContainer(suite.docker, suite.image, resolveLimits(), undefined, { localChannel: true });
    const strategy = await compiled(source.replace("this.log('bar ' + bar.close.toFixed(2));", ''));
    const series = [bars(200_000)];
    try {
      await channel.ready;
      assert.equal(await channel.transport, 'local-socket');
      const result = await runJob(channel, { js: strategy.js, fileName: strategy.fileName, series, options: {}, limits: resolveLimits() });
      const local = await runInProcess(strategy, series, {});
      assert.deepEqual(result.metrics, local.metrics);
      assert.equal(result.equity.length, local.equity.length);
      assert.deepEqual(result.equity.at(-1), local.equity.at(-1));
    } finally {
      await channel.dispose();
    }
  });

  test('a drawable 200,000-bar run comes back decimated with its full columns, the times taken from the host\'s own bars', async () => {
    const strategy = await compiled(source.replace("this.log('bar ' + bar.close.toFixed(2));", ''));
    const series = [bars(200_000)];
    const local = runInThisProcess({ compiled: strategy, series, options: {}, equity: 'drawable' });
    assert.ok(local.run.equityDecimated, 'the run is long enough to be decimated');
    for (const localChannel of [true, false]) {
      const channel = await startContainer(suite.docker, suite.image, resolveLimits(), undefined, { localChannel });
      try {
        await channel.ready;
        const result = await runJob(channel, { js: strategy.js, fileName: strategy.fileName, series, options: {}, limits: resolveLimits(), equity: 'drawable' });
        assert.equal(JSON.stringify(result), JSON.stringify(local), `${await channel.transport}: the result itself`);
        const [got, want] = [equityColumnsOf(result)!, equityColumnsOf(local)!];
        assert.equal(got.time.buffer, series[0].time.buffer, 'the full times are the host\'s bars, not sent back');
        assert.deepEqual([...got.time], [...want.time]);
        assert.deepEqual([...got.equity], [...want.equity]);
        assert.deepEqual([...got.drawdownPct], [...want.drawdownPct]);
      } finally {
        await channel.dispose();
      }
    }
  });

  test('a container discarded before its job leaves no folder and no container', async () => {
    const before = readdirSync(tmpdir()).filter((n) => n.startsWith(`strategy-lab-channel-${process.pid}-`));
    const channel = await startContainer(suite.docker, suite.image, resolveLimits(), undefined, { localChannel: true });
    await channel.dispose();
    await assert.rejects(channel.ready);
    const left = readdirSync(tmpdir()).filter((n) => n.startsWith(`strategy-lab-channel-${process.pid}-`) && !before.includes(n));
    assert.deepEqual(left, []);
  });
});
