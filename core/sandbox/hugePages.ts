/**
 * Transparent huge pages for the Node processes that hold a run's bars (docs/performance.md, "Fresh memory and
 * huge pages").
 *
 * Fresh memory is what a large run pays for most on a VM: every 4 KB page the process touches for the first time
 * is a fault (~4 ms of CPU per MB measured here, more than parsing or looping over the bars). Linux's transparent
 * huge pages map 2 MB at a time, but with the usual `madvise` policy only memory that asks for it. glibc asks for
 * it on every large allocation (Node's array buffers: the bar columns, the equity curve, the job's bytes) when
 * its `glibc.malloc.hugetlb=1` tunable is set, and tunables are read only from the environment at process start.
 *
 * Setting it is harmless where it does nothing: glibc < 2.35 and other C libraries ignore it, THP `never`
 * disables it, and other systems never read it.
 */

/** The glibc tunable (name=value), as `GLIBC_TUNABLES` takes it. */
export const HUGE_PAGES_TUNABLE = 'glibc.malloc.hugetlb=1';

/**
 * `GLIBC_TUNABLES` with huge pages added to what the environment already sets (a colon-separated list), or the
 * value unchanged when it already names `glibc.malloc.hugetlb` (a user's own choice, `=0` included, wins).
 */
export function tunablesWithHugePages(current: string | undefined): string {
  if (!current) return HUGE_PAGES_TUNABLE;
  if (namesHugePages(current)) return current;
  return `${current}:${HUGE_PAGES_TUNABLE}`;
}

/** Whether a `GLIBC_TUNABLES` value already says something about huge pages (on or off). */
export function namesHugePages(tunables: string | undefined): boolean {
  return !!tunables && tunables.split(':').some((t) => t.split('=')[0] === 'glibc.malloc.hugetlb');
}

/** A copy of `env` with huge pages asked for (see tunablesWithHugePages). */
export function withHugePages(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, GLIBC_TUNABLES: tunablesWithHugePages(env.GLIBC_TUNABLES) };
}

/** The `NAME=value` entry for a container's environment (Docker `Env`, Swarm `ContainerSpec.Env`). */
export const HUGE_PAGES_ENV_ENTRY = `GLIBC_TUNABLES=${HUGE_PAGES_TUNABLE}`;
