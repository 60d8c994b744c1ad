/** The size limit of a strategy file, checked by the host before compiling and sending, and by the loader. */

/** A strategy file over MAX_STRATEGY_SOURCE_BYTES. */
export class StrategySizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategySizeError';
  }
}

/** Largest strategy file (source or compiled JavaScript, UTF-8 bytes) that is compiled, sent or loaded. */
export const MAX_STRATEGY_SOURCE_BYTES = 1024 * 1024;
// Captured at load, before any strategy code exists in this realm.
const utf8Length = Buffer.byteLength;

/**
 * Refuses a strategy file over MAX_STRATEGY_SOURCE_BYTES with a clear error. The host calls it before compiling
 * and before sending a job (a 64 MB file took minutes to cross the sandbox boundary), the loader again.
 */
export function checkStrategySize(code: string, fileName: string): void {
  // Cheap first: UTF-8 needs at most 3 bytes per UTF-16 unit, and at least one.
  if (code.length * 3 <= MAX_STRATEGY_SOURCE_BYTES) return;
  const bytes = utf8Length(code, 'utf8');
  if (bytes <= MAX_STRATEGY_SOURCE_BYTES) return;
  throw new StrategySizeError(
    `${fileName.slice(0, 200)}: the strategy is ${(bytes / (1024 * 1024)).toFixed(1)} MB; the limit is ${MAX_STRATEGY_SOURCE_BYTES / (1024 * 1024)} MB. A strategy is code, not data: load data through the data options instead of embedding it.`,
  );
}
