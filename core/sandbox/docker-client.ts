/**
 * Connecting to a Docker engine: the local socket by default, `DOCKER_HOST`
 * when set, or an explicit host setting (unix://, tcp://, ssh://) — a remote
 * engine works by configuration alone. Every connection failure becomes a
 * SandboxError that says what to do.
 */
import { readFileSync } from 'node:fs';
import type Docker from 'dockerode';
import { SandboxError } from './errors';

export interface DockerHostSettings {
  /** e.g. `unix:///var/run/docker.sock`, `tcp://build-box:2376`, `ssh://me@build-box`. Empty: `DOCKER_HOST`, else the local socket. */
  host?: string;
  /** Folder with ca.pem/cert.pem/key.pem for a TLS tcp:// engine (like DOCKER_CERT_PATH). */
  certPath?: string;
}

/** dockerode constructor options for a host URL (pure; exported for tests and `sandbox doctor`). */
export function dockerOptionsFromHost(host: string, certPath?: string): Docker.DockerOptions {
  const text = host.includes('://') ? host : `tcp://${host}`;
  if (text.startsWith('unix://')) return { socketPath: text.slice('unix://'.length) || '/var/run/docker.sock' };
  if (text.startsWith('npipe://')) return { socketPath: text.slice('npipe://'.length) || '//./pipe/docker_engine' };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SandboxError('docker-unavailable', `The Docker host setting '${host}' is not a valid address. Use unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST.`);
  }
  if (url.protocol === 'ssh:') {
    return { protocol: 'ssh', host: url.hostname, port: url.port ? Number(url.port) : 22, username: url.username || undefined, sshOptions: { agent: process.env.SSH_AUTH_SOCK } } as Docker.DockerOptions;
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SandboxError('docker-unavailable', `The Docker host '${host}' uses an unsupported scheme '${url.protocol}'. Use unix://, tcp:// or ssh://.`);
  }
  const tls = url.protocol === 'https:' || url.port === '2376' || !!certPath;
  const options: Docker.DockerOptions = { protocol: tls ? 'https' : 'http', host: url.hostname, port: url.port ? Number(url.port) : tls ? 2376 : 2375 };
  if (certPath) Object.assign(options, readCerts(certPath));
  return options;
}

function readCerts(dir: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  const read = (name: string) => {
    try {
      return readFileSync(`${dir}/${name}`);
    } catch {
      throw new SandboxError('docker-unavailable', `TLS file ${dir}/${name} is missing: point the certificate folder setting at the folder holding ca.pem, cert.pem and key.pem.`);
    }
  };
  return { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
}

/** Human name of the engine a client talks to, for messages. */
export function describeHost(settings: DockerHostSettings = {}): string {
  return settings.host || process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

export function createDockerClient(settings: DockerHostSettings = {}): Docker {
  // Required here, not imported at the top: dockerode brings ssh2 and protobufjs (~50 ms to load), which a run
  // in process mode or without a sandbox never needs.
  const Docker = require('dockerode') as typeof import('dockerode');
  // Without an explicit host, docker-modem applies DOCKER_HOST / DOCKER_TLS_VERIFY / DOCKER_CERT_PATH itself.
  return settings.host ? new Docker(dockerOptionsFromHost(settings.host, settings.certPath)) : new Docker();
}

export const SETUP_HINT =
  'Install Docker (https://docs.docker.com/engine/install/) and start it (Linux: `sudo systemctl start docker`, or `scripts/setup-docker.sh`; macOS/Windows: open Docker Desktop), ' +
  'point the Docker host setting / DOCKER_HOST at a running engine, or run with `--sandbox process` (weaker isolation: a separate Node process, not a container).';

/** Turns a connection-level failure into the error users see. */
export function dockerUnavailable(err: unknown, settings: DockerHostSettings = {}): SandboxError {
  const e = err as NodeJS.ErrnoException & { statusCode?: number };
  const where = describeHost(settings);
  let why: string;
  switch (e?.code) {
    case 'ENOENT':
      why = `no Docker engine socket at ${where} (Docker is not installed or not running)`;
      break;
    case 'ECONNREFUSED':
      why = `the Docker engine at ${where} refused the connection (it is not running)`;
      break;
    case 'EACCES':
    case 'EPERM':
      why = `no permission to use ${where} (on Linux add your user to the \`docker\` group, then log in again)`;
      break;
    case 'ETIMEDOUT':
    case 'ESOCKETTIMEDOUT':
      why = `the Docker engine at ${where} did not answer in time`;
      break;
    default:
      why = `cannot reach the Docker engine at ${where}: ${e?.message ?? String(err)}`;
  }
  return new SandboxError('docker-unavailable', `Docker is not available: ${why}. ${SETUP_HINT}`);
}

/** Pings the engine (bounded wait); throws the actionable SandboxError when it is not there. */
export async function assertDockerReachable(docker: Docker, settings: DockerHostSettings = {}, timeoutMs = 3000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), timeoutMs);
      }),
    ]);
  } catch (err) {
    throw dockerUnavailable(err, settings);
  } finally {
    clearTimeout(timer);
  }
}

/** True for "already gone / already stopped" answers that cleanup code may ignore. */
export function isGoneError(err: unknown): boolean {
  const status = (err as { statusCode?: number })?.statusCode;
  return status === 404 || status === 304 || status === 409;
}
