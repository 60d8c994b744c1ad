/**
 * The sandbox image: named after the runtime's content hash so a changed
 * runtime gets a new image, built through the Docker API from sandbox/Dockerfile
 * when the engine can pull the base image, otherwise offline (FROM scratch with
 * this host's Node). Progress lines go to `onProgress`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type Docker from 'dockerode';
import { SandboxError } from './errors';
import { dockerfileContext, offlineContext, OFFLINE_DOCKERFILE } from './offline-rootfs';
import { contentHash, packageRoot, readRuntime } from './runtime-bundle';

export const IMAGE_REPOSITORY = 'strategy-lab-sandbox';

/** Bump when the image layout changes in a way the runtime hash does not capture. */
const LAYOUT_VERSION = '1';

export type BuildMethod = 'dockerfile' | 'offline';

export interface ImageOptions {
  docker: Docker;
  runtimePath: string;
  /** A user-chosen image (setting): used as is, never built. */
  image?: string;
  /** Which builds to try, in order. Default: Dockerfile first, then offline. */
  methods?: BuildMethod[];
  /** Give up on the Dockerfile build (base image pull) after this long. */
  dockerfileTimeoutMs?: number;
  /** The Dockerfile's base image (its `BASE` build argument; default node:20-slim), e.g. a registry mirror. */
  dockerfileBase?: string;
  onProgress?: (line: string) => void;
  /** Rebuild even when the tag exists. */
  force?: boolean;
  /** After a build, remove the images of earlier runtimes (default true; tests building side images say false). The build's own leftovers always go. */
  prune?: boolean;
}

export interface ImageInfo {
  tag: string;
  /** How it was built now, or 'existing' when the tag was already there. */
  method: BuildMethod | 'existing' | 'configured';
}

/** sandbox/Dockerfile, found next to the runtime bundle's package (dist/sandbox/runtime.js → sandbox/Dockerfile); '' when not shipped. */
export function dockerfileText(runtimePath: string): string {
  const candidates = [join(dirname(runtimePath), '..', '..', 'sandbox', 'Dockerfile'), join(packageRoot(), 'sandbox', 'Dockerfile')];
  const path = candidates.find((p) => existsSync(p));
  return path ? readFileSync(path, 'utf8') : '';
}

/** The tag of the image for this runtime and Dockerfile (and a non-default base: another base is another image). */
export function imageTag(runtime: Buffer, dockerfile: string, dockerfileBase?: string): string {
  return `${IMAGE_REPOSITORY}:${contentHash(runtime, dockerfile, OFFLINE_DOCKERFILE, LAYOUT_VERSION, ...(dockerfileBase ? [dockerfileBase] : []))}`;
}

export async function imageExists(docker: Docker, tag: string): Promise<boolean> {
  try {
    await docker.getImage(tag).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

/** Makes sure the sandbox image exists and returns its tag. */
export async function ensureImage(opts: ImageOptions): Promise<ImageInfo> {
  const { docker, onProgress = () => {} } = opts;
  if (opts.image) {
    if (!(await imageExists(docker, opts.image))) {
      throw new SandboxError('image', `The configured sandbox image '${opts.image}' is not on the Docker engine. Pull or build it there, or clear the image setting to let Strategy Lab build its own.`);
    }
    return { tag: opts.image, method: 'configured' };
  }
  const runtime = readRuntime(opts.runtimePath);
  const dockerfile = dockerfileText(opts.runtimePath);
  const tag = imageTag(runtime, dockerfile, opts.dockerfileBase);
  if (!opts.force && (await imageExists(docker, tag))) return { tag, method: 'existing' };
  // A forced rebuild untags the image it replaces: that one goes too once the new one is built.
  const replaced = opts.force ? (await docker.getImage(tag).inspect().catch(() => undefined))?.Id : undefined;

  const failures: string[] = [];
  for (const method of opts.methods ?? ['dockerfile', 'offline']) {
    if (method === 'dockerfile' && !dockerfile) {
      failures.push('dockerfile: sandbox/Dockerfile is not installed next to the runtime');
      onProgress('sandbox/Dockerfile is not installed next to the runtime; skipping the Dockerfile build.');
      continue;
    }
    onProgress(`Building ${tag} (${method === 'dockerfile' ? `sandbox/Dockerfile, ${opts.dockerfileBase ?? 'node:20-slim'} base` : "offline: FROM scratch with this machine's Node"})…`);
    try {
      const context = (method === 'dockerfile' ? dockerfileContext(dockerfile, runtime) : offlineContext(runtime)) as unknown as NodeJS.ReadableStream;
      const buildargs = method === 'dockerfile' && opts.dockerfileBase ? { BASE: opts.dockerfileBase } : undefined;
      const produced = await runBuild(docker, context, tag, onProgress, method === 'dockerfile' ? (opts.dockerfileTimeoutMs ?? 120_000) : 600_000, buildargs);
      await removeUntagged(docker, replaced ? [...produced, replaced] : produced);
      onProgress(`Built ${tag}.`);
      if (opts.prune !== false) await pruneOldImages(docker, tag, onProgress);
      return { tag, method };
    } catch (err) {
      const message = (err as Error).message;
      failures.push(`${method}: ${message}`);
      onProgress(`The ${method} build failed: ${message}`);
    }
  }
  throw new SandboxError('image', `Could not build the sandbox image ${tag}. ${failures.join(' | ')}. Check that the Docker engine can pull node:20-slim, or that this is a Linux machine with ldd for the offline build.`);
}

/**
 * Runs one build through the API, streaming progress, and fails on the first build error. Returns the ids of
 * the images the build's steps produced (the Dockerfile's first stage among them).
 */
async function runBuild(docker: Docker, context: NodeJS.ReadableStream, tag: string, onProgress: (line: string) => void, timeoutMs: number, buildargs?: Record<string, string>): Promise<string[]> {
  const produced: string[] = [];
  const stream = await docker.buildImage(context, { t: tag, rm: true, forcerm: true, labels: { 'strategy-lab.image': '1' }, ...(buildargs ? { buildargs } : {}) });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      (stream as unknown as { destroy?: () => void }).destroy?.();
      reject(new Error(`gave up after ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    docker.modem.followProgress(
      stream,
      (err: Error | null, events: { error?: string }[]) => {
        clearTimeout(timer);
        const failed = err?.message ?? events.find((e) => e.error)?.error;
        if (failed) reject(new Error(failed.trim()));
        else resolve();
      },
      (event: { stream?: string; status?: string; error?: string }) => {
        const text = (event.stream ?? event.status ?? '').trim();
        const id = /^---> ([0-9a-f]{12,64})$/.exec(text)?.[1];
        if (id) produced.push(id);
        if (text) onProgress(`  ${text}`);
      },
    );
  });
  return produced;
}

/** Of the images one build produced or replaced, those left without a tag (the Dockerfile's first stage, the old image): removed. */
async function removeUntagged(docker: Docker, ids: string[]): Promise<void> {
  // Newest first: a step's image is the parent of the next one, and only a childless image can go.
  for (const id of [...new Set(ids)].reverse()) {
    const info = await docker.getImage(id).inspect().catch(() => undefined);
    if (!info || (info.RepoTags ?? []).length > 0) continue;
    // Not forced: an image that is the parent of another (a step of the final stage) or in use stays.
    await docker.getImage(id).remove({ force: false, noprune: true }).catch(() => {});
  }
}

/**
 * A build's result is untagged until the build ends: an untagged image younger than this may be another
 * process's build in progress (two windows or test processes building the same new runtime), not a leftover.
 */
const LEFTOVER_MIN_AGE_S = 600;

/** Our old untagged images: replaced by a rebuilt tag, or the first stage of a build that did not finish. */
async function removeLeftovers(docker: Docker, nowS = Date.now() / 1000): Promise<void> {
  const dangling = await docker.listImages({ filters: JSON.stringify({ dangling: ['true'], label: ['strategy-lab.image=1'] }) }).catch(() => []);
  for (const image of dangling) {
    if (nowS - image.Created < LEFTOVER_MIN_AGE_S) continue;
    await docker.getImage(image.Id).remove({ force: false }).catch(() => {});
  }
}

/**
 * Removes images of earlier runtimes (the other tags of `keep`'s repository) and our untagged leftovers of
 * rebuilt tags and of the Dockerfile's first stage (dangling, labelled strategy-lab.image). Images still used
 * by a container stay.
 */
export async function pruneOldImages(docker: Docker, keep: string, onProgress: (line: string) => void = () => {}): Promise<void> {
  const repository = keep.slice(0, keep.lastIndexOf(':'));
  await removeLeftovers(docker);
  const images = await docker.listImages({ filters: JSON.stringify({ reference: [repository] }) }).catch(() => []);
  for (const image of images) {
    // By tag, not by id: an identical rebuild shares its id with the tag we keep, and removing the old tag
    // then only untags it.
    for (const tag of (image.RepoTags ?? []).filter((t) => t.startsWith(`${repository}:`) && t !== keep)) {
      try {
        await docker.getImage(tag).remove({ force: false });
        onProgress(`Removed the old sandbox image ${tag}.`);
      } catch {
        // In use by a running container, or already gone: leave it.
      }
    }
  }
}
