/**
 * `--sandbox none` runs strategy code in this process, with the user's permissions (files, network, environment
 * and API keys). That is allowed only for code the user explicitly marked as trusted: the CLI's `--trust`, the
 * refine loop's `trustGeneratedCode`. The extension offers no in-process mode at all (docker | process only).
 */
import type { SandboxMode } from '../sandbox/runner';

/** Whose code would run: the user's own file, or code a model or the generator wrote. */
export type CodeOrigin = 'file' | 'generated';

export class UntrustedInProcessError extends Error {
  constructor(readonly origin: CodeOrigin) {
    super(
      origin === 'generated'
        ? 'Refusing to run generated (model-written) code in this process: --sandbox none gives it your files, network and API keys. Use --sandbox docker (the default) or --sandbox process; add --trust only if you accept running code nobody reviewed with your permissions.'
        : 'Refusing to run the strategy in this process: --sandbox none gives its code your files, network and API keys. Use --sandbox docker (the default) or --sandbox process, or add --trust if you wrote or reviewed this file and trust it.',
    );
    this.name = 'UntrustedInProcessError';
  }
}

/** The warning printed whenever trusted code runs without a sandbox. */
export function inProcessWarning(origin: CodeOrigin): string {
  return origin === 'generated'
    ? 'warning: --sandbox none --trust: code written by the generator/model runs in this process with your permissions (files, network, environment, API keys). Nothing isolates it.'
    : 'warning: --sandbox none --trust: the strategy runs in this process with your permissions (files, network, environment, API keys). Nothing isolates it.';
}

/** Throws unless `mode` isolates the code or the user marked it trusted. */
export function assertMayRunInProcess(mode: SandboxMode, trusted: boolean | undefined, origin: CodeOrigin): void {
  if (mode === 'none' && trusted !== true) throw new UntrustedInProcessError(origin);
}
