/**
 * The fast way in and out of a container on a local engine: a Unix socket the host listens on, in a per-container
 * folder mounted read-only into the container. A job's bytes then go straight between two processes instead of
 * through Docker's attach relay (the runtime's pipe to containerd's shim, dockerd, the HTTP stream), which moves a
 * 1 M-bar job's 48 MB of bars and 16 MB of equity columns several times slower (docs/sandbox.md, "The local
 * channel"; docs/performance.md).
 *
 * What crosses it is exactly what would cross the attach stream, read the same way: the job in, keyed frames out,
 * as untrusted output. The folder holds the socket and nothing else, and the container cannot write to it. The
 * socket's path is not a secret (a local user can see it), so the first thing on it must be a token the host sent
 * down the attach stream's stdin; any other connection is closed. Once the container's runtime has connected, the
 * socket file and its folder are removed.
 *
 * When the runtime cannot connect (an engine in a VM, a security module that refuses the socket), it says so and
 * keeps stdin and stdout: the attach stream stays the way for everything, as it is for a remote engine.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { isProcessAlive } from './cleanup';
import { CHANNEL_TOKEN_BYTES } from './protocol';

/** Where the folder appears in the container; the runtime gets the socket's path as `--channel=`. */
export const CHANNEL_MOUNT = '/run/strategy-lab';
const SOCKET_NAME = 'channel.sock';
const DIR_PREFIX = 'strategy-lab-channel-';
/** A connection that has not sent the token by then is closed. */
const TOKEN_WAIT_MS = 5000;

export interface LocalChannel {
  /** The socket's path inside the container (the runtime's `--channel=`). */
  readonly containerPath: string;
  /** The mount that puts the folder into the container, read-only. */
  readonly mount: Docker.MountSettings;
  /** Written first on the container's stdin: the runtime sends it back on the socket to prove who it is. */
  readonly token: Buffer;
  /** The runtime's connection, once it has sent the token. Rejects when `close` is called first. */
  readonly connected: Promise<Socket>;
  /** Stops listening and removes the folder; the accepted connection, if any, stays open. Idempotent. */
  close(): void;
}

/**
 * Whether containers of this engine can use a local channel: a Linux host talking to its engine over a Unix
 * socket (the engine sees the host's files). Anything else keeps the attach stream.
 */
export function canUseLocalChannel(docker: Docker, env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return false;
  if (env.STRATEGY_LAB_SANDBOX_CHANNEL === 'attach') return false;
  // A path, or docker-modem's search for the default Unix socket when no host is configured; absent for tcp/ssh.
  const socketPath = (docker.modem as unknown as { socketPath?: unknown }).socketPath;
  return typeof socketPath === 'function' || (typeof socketPath === 'string' && socketPath.length > 0 && !socketPath.startsWith('//./pipe/'));
}

/** Creates the folder and the listening socket for one container. */
export async function openLocalChannel(): Promise<LocalChannel> {
  const dir = mkdtempSync(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  // Others may pass through (the container's user is not ours) but not list it.
  chmodSync(dir, 0o711);
  const path = join(dir, SOCKET_NAME);
  const token = randomBytes(CHANNEL_TOKEN_BYTES);
  const server = createServer();
  let closed = false;
  let giveUp: (err: Error) => void = () => {};
  const connected = new Promise<Socket>((resolve, reject) => {
    giveUp = reject;
    server.on('connection', (socket) => {
      socket.on('error', () => {});
      const timer = setTimeout(() => socket.destroy(), TOKEN_WAIT_MS);
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        head = Buffer.concat([head, chunk]);
        if (head.length < CHANNEL_TOKEN_BYTES) return;
        clearTimeout(timer);
        socket.off('data', onData);
        socket.pause();
        if (closed || !timingSafeEqual(head.subarray(0, CHANNEL_TOKEN_BYTES), token) || head.length > CHANNEL_TOKEN_BYTES) {
          // The runtime sends the token and then waits for the job: more is not the runtime.
          socket.destroy();
          return;
        }
        resolve(socket);
        close();
      };
      socket.on('data', onData);
    });
  });
  connected.catch(() => {});
  const close = () => {
    if (closed) return;
    closed = true;
    giveUp(new Error('the local channel was closed before the runtime connected'));
    server.close(); // libuv unlinks the socket file
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // The container's user must be able to connect; the token, not the mode, keeps others out.
    chmodSync(path, 0o666);
  } catch (err) {
    close();
    throw err;
  }
  server.unref();
  return {
    containerPath: `${CHANNEL_MOUNT}/${SOCKET_NAME}`,
    mount: { Type: 'bind', Source: dir, Target: CHANNEL_MOUNT, ReadOnly: true },
    token,
    connected,
    close,
  };
}

/** Removes channel folders left by host processes that died (their containers are removed by cleanup.ts). */
export function removeStaleChannelDirs(dir = tmpdir(), alive: (pid: number) => boolean = isProcessAlive): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(DIR_PREFIX)) continue;
    const pid = Number(name.slice(DIR_PREFIX.length).split('-')[0]);
    if (pid === process.pid || alive(pid)) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Another user's folder, or gone meanwhile: not ours to worry about.
    }
  }
  return removed;
}
