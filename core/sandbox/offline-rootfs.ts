/**
 * The offline image: FROM scratch with this host's Node binary, the shared
 * libraries it links (as `ldd` lists them, plus the dynamic loader), a minimal
 * /etc/passwd and /etc/group with an unprivileged user, and the runtime.
 * Needs no registry, so it works on air-gapped machines and in CI. Linux only.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { Pack } from 'tar-stream';
import { SandboxError } from './errors';
import { SANDBOX_UID } from './user';

export { SANDBOX_UID };

/** Loaded when an image is built, not when a run merely checks for it (tar-stream and its dependencies). */
function tarStream(): typeof import('tar-stream') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('tar-stream') as typeof import('tar-stream');
}

export const OFFLINE_DOCKERFILE = `FROM scratch
COPY rootfs/ /
USER ${SANDBOX_UID}:${SANDBOX_UID}
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/node"]
`;

const PASSWD = `root:x:0:0:root:/root:/sbin/nologin\nsandbox:x:${SANDBOX_UID}:${SANDBOX_UID}:sandbox:/tmp:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n`;
const GROUP = `root:x:0:\nsandbox:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`;

/** Absolute paths of the libraries and loader in `ldd` output (pure; exported for tests). */
export function parseLdd(output: string): string[] {
  const paths = new Set<string>();
  for (const line of output.split('\n')) {
    const arrow = line.match(/=>\s+(\/\S+)/);
    const bare = line.match(/^\s*(\/\S+)\s+\(/);
    const path = arrow?.[1] ?? bare?.[1];
    if (path) paths.add(path);
  }
  return [...paths];
}

export function nodeLibraries(nodePath = process.execPath): string[] {
  if (process.platform !== 'linux') {
    throw new SandboxError('image', `The offline sandbox image copies this machine's Node binary and only works on Linux (this is ${process.platform}). Let Docker pull the base image: check the engine can reach Docker Hub, then run \`strategy-lab sandbox build\` again.`);
  }
  let out: string;
  try {
    out = execFileSync('ldd', [nodePath], { encoding: 'utf8' });
  } catch (err) {
    throw new SandboxError('image', `Cannot list the libraries of ${nodePath} with ldd (${(err as Error).message}). Install ldd (package libc-bin), or let Docker pull the base image.`);
  }
  const libs = parseLdd(out);
  if (libs.length === 0) throw new SandboxError('image', `ldd listed no libraries for ${nodePath}; cannot assemble an offline image.`);
  return libs;
}

/** The build context of the offline image as a tar stream. */
export function offlineContext(runtime: Buffer, nodePath = process.execPath): Pack {
  const libs = nodeLibraries(nodePath);
  const tar = tarStream().pack();
  const files: { name: string; source: string; mode: number }[] = [
    { name: 'rootfs/usr/local/bin/node', source: realpathSync(nodePath), mode: 0o755 },
    ...libs.map((lib) => ({ name: `rootfs${lib}`, source: realpathSync(lib), mode: 0o755 })),
  ];
  (async () => {
    const add = (header: Parameters<Pack['entry']>[0], body?: string | Buffer) =>
      new Promise<void>((resolve, reject) => tar.entry(header, body ?? '', (err) => (err ? reject(err) : resolve())));
    await add({ name: 'Dockerfile', mode: 0o644 }, OFFLINE_DOCKERFILE);
    for (const dir of ['rootfs/tmp']) await add({ name: dir, type: 'directory', mode: 0o1777 });
    for (const dir of ['rootfs/app', 'rootfs/etc', 'rootfs/usr/local/bin']) await add({ name: dir, type: 'directory', mode: 0o755 });
    await add({ name: 'rootfs/etc/passwd', mode: 0o644 }, PASSWD);
    await add({ name: 'rootfs/etc/group', mode: 0o644 }, GROUP);
    await add({ name: 'rootfs/app/runtime.js', mode: 0o644 }, runtime);
    for (const f of files) {
      const size = statSync(f.source).size;
      await new Promise<void>((resolve, reject) => {
        const entry = tar.entry({ name: f.name, size, mode: f.mode }, (err) => (err ? reject(err) : resolve()));
        createReadStream(f.source).on('error', reject).pipe(entry);
      });
    }
    tar.finalize();
  })().catch((err) => tar.destroy(err));
  return tar;
}

/** The build context for sandbox/Dockerfile: the Dockerfile and the runtime. */
export function dockerfileContext(dockerfile: string, runtime: Buffer): Pack {
  const tar = tarStream().pack();
  tar.entry({ name: 'Dockerfile', mode: 0o644 }, dockerfile);
  tar.entry({ name: 'runtime.js', mode: 0o644 }, runtime);
  tar.finalize();
  return tar;
}
