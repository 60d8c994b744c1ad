/**
 * One error type for everything that can go wrong while getting bars, so the CLI and
 * the UI can switch on `code` and show `message` (which always says what to do next).
 */
export type DataErrorCode =
  // CSV files
  | 'file-not-found'
  | 'unreadable-file'
  | 'file-too-large'
  | 'binary-file'
  | 'bad-encoding'
  | 'empty-file'
  | 'missing-columns'
  | 'bad-number'
  | 'bad-date'
  | 'bad-ohlc'
  | 'bad-price'
  | 'symbol-mismatch'
  | 'negative-value'
  | 'unsorted-dates'
  | 'duplicate-date'
  // Requests
  | 'bad-request'
  | 'bad-interval'
  | 'start-after-end'
  | 'weekend-range'
  | 'intraday-limit'
  // Providers
  | 'unknown-symbol'
  | 'delisted'
  | 'empty-range'
  | 'rate-limited'
  | 'malformed-response'
  | 'auth'
  | 'network'
  | 'timeout'
  | 'aborted';

export interface DataErrorDetails {
  /** File the problem is in (CSV). */
  file?: string;
  /** 1-based line number in `file`. */
  line?: number;
  symbol?: string;
  /** Provider id ('yahoo', 'alpaca', …). */
  provider?: string;
  /** Underlying error, kept for logs. */
  cause?: unknown;
}

export class DataError extends Error {
  override readonly name = 'DataError';
  readonly code: DataErrorCode;
  readonly file?: string;
  readonly line?: number;
  readonly symbol?: string;
  readonly provider?: string;

  constructor(code: DataErrorCode, message: string, details: DataErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.file = details.file;
    this.line = details.line;
    this.symbol = details.symbol;
    this.provider = details.provider;
  }
}

/** At most `max` characters of untrusted text for a message (a binary "line" can be 300 MB). */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

export function isDataError(error: unknown, code?: DataErrorCode): error is DataError {
  return error instanceof DataError && (code === undefined || error.code === code);
}
