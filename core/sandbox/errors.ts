import type { ErrorAt } from './protocol';

/** Why a sandboxed run ended without a result. The message always says what to do next. */
export type SandboxErrorKind =
  | 'docker-unavailable'
  | 'image'
  | 'timeout'
  | 'cancelled'
  | 'memory'
  | 'output-limit'
  | 'strategy'
  | 'protocol'
  | 'crashed';

export class SandboxError extends Error {
  constructor(
    readonly kind: SandboxErrorKind,
    message: string,
    /** For kind 'strategy': the engine's error name (StrategyRuntimeError, StrategyLoadError, RangeError…). */
    readonly causeName?: string,
    /** For kind 'strategy': phase, bar and raw stack as the sandbox reported them (untrusted; errorLocation.ts maps them). */
    readonly at?: ErrorAt,
  ) {
    super(message);
    this.name = 'SandboxError';
  }
}

export function isSandboxError(err: unknown, kind?: SandboxErrorKind): err is SandboxError {
  return err instanceof SandboxError && (kind === undefined || err.kind === kind);
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}
