/**
 * CSV → BarSeries, straight into typed arrays (no per-row objects), so 20 years of daily
 * bars load in about a millisecond.
 *
 * Format: a header row naming `Date, Open, High, Low, Close, Volume` and optionally
 * `Adj Close`, in any order and any letter case. Dates may be `YYYY-MM-DD`,
 * `YYYY-MM-DD HH:MM[:SS]`, ISO 8601 with `T` and `Z`/offset, or epoch seconds/ms.
 * Naive times (no `Z`/offset) are read as UTC: the file's clock is kept as-is.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { civilDayMs } from './dates';
import { DataError, clip } from './errors';
import { barProblem } from './rules';
import { createSeries, growSeries, truncateSeries, type BarSeries, type SeriesSource } from './series';

export interface CsvOptions {
  /** Symbol of the series; default: from the file name (`SPY_daily.csv` → `SPY`). */
  symbol?: string;
  /** File name used in error messages. */
  file?: string;
  /** Provenance label; default `{ provider: 'csv', label: 'CSV <file>' }`. */
  source?: SeriesSource;
  /** Largest file accepted (bytes); default MAX_CSV_BYTES. */
  maxBytes?: number;
  /** loadCsv reads files over twice this size in pieces of this size; default CHUNK_BYTES (tests make it small). */
  chunkBytes?: number;
}

type Column = 'date' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'adjClose' | 'symbol';
const REQUIRED: readonly Column[] = ['date', 'open', 'high', 'low', 'close', 'volume'];
const DISPLAY: Readonly<Record<Column, string>> = {
  date: 'Date', open: 'Open', high: 'High', low: 'Low', close: 'Close', volume: 'Volume', adjClose: 'Adj Close', symbol: 'Symbol',
};
const HEADER_NAMES: Readonly<Record<string, Column>> = {
  date: 'date', datetime: 'date', time: 'date', timestamp: 'date',
  open: 'open', high: 'high', low: 'low', close: 'close', volume: 'volume',
  symbol: 'symbol', ticker: 'symbol',
  'adj close': 'adjClose', adj_close: 'adjClose', adjclose: 'adjClose', 'adjusted close': 'adjClose', adjusted_close: 'adjClose',
};

/**
 * Largest CSV read: Node's `readFile` stops at 2 GiB. The bytes are parsed as bytes, never decoded into one string,
 * so V8's ~512 MiB string limit does not apply (a 20 M-row minute file is ~1.1 GB). Byte offsets fit an Int32.
 */
export const MAX_CSV_BYTES = 2 * 1024 * 1024 * 1024 - 1;

/**
 * Reads and parses a CSV file, bytes straight to columns. A large file is read in CHUNK_BYTES pieces into one
 * reused buffer instead of whole: a 54 MB file's bytes would be 54 MB of fresh memory, and on this project's VMs
 * fresh memory costs ~4 ms of CPU per MB to map — more than parsing it.
 */
export async function loadCsv(path: string, options: CsvOptions = {}): Promise<BarSeries> {
  const size = await csvFileSize(path, options.maxBytes);
  const chunkBytes = Math.max(1, options.chunkBytes ?? CHUNK_BYTES);
  if (size <= 2 * chunkBytes) {
    const bytes = await readCsvBytes(path, options.maxBytes);
    checkCsvBytes(bytes, path);
    return parseCsvBytes(bytes, { file: path, ...options });
  }
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    const chunks = new FileChunks(fd, path, chunkBytes);
    const first = chunks.start();
    checkCsvBytes(first, path);
    // The header must end inside the first piece; a file that starts otherwise (one giant line, pages of blank
    // lines) takes the whole-file path, which words it.
    let head = first[0] === 0xef && first[1] === 0xbb && first[2] === 0xbf ? 3 : 0;
    while (head < first.length && (first[head] === 10 || first[head] === 13)) head++;
    if (first.indexOf(10, head) < 0) return parseCsvBytes(await readCsvBytes(path, options.maxBytes), { file: path, ...options }); // one giant line: the whole-file path words it
    return parseRows(first, { file: path, ...options }, chunks);
  } finally {
    closeSync(fd);
  }
}

/** Pieces of a large CSV file are read this size at a time (a row longer than that grows the buffer). */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** A CSV file read piece by piece into one buffer; parseRows asks for more when a row runs past what is read. */
class FileChunks {
  private backing: Buffer;
  private filePos = 0;
  /** The file's size when opened: bytes appended while it is parsed are not read. */
  private readonly end: number;
  constructor(private readonly fd: number, private readonly path: string, chunkBytes: number) {
    this.end = fstatSync(fd).size;
    this.backing = Buffer.allocUnsafe(chunkBytes);
  }

  /** The file's first piece. */
  start(): Buffer {
    this.filePos = 0;
    return this.more(0, 0);
  }

  /** Bytes of the file from `pos` of `current` (the piece last returned) to the file's end. */
  bytesFrom(current: Buffer, pos: number): number {
    return current.length - pos + (this.end - this.filePos);
  }

  /**
   * The bytes from `keepFrom` of `current` (a row not finished yet) followed by the next piece of the file, or
   * null at the end of the file. Earlier views of the buffer are invalid afterwards.
   */
  refill(current: Buffer, keepFrom: number): Buffer | null {
    if (this.filePos >= this.end) return null; // nothing moved: `current` stays valid
    const keep = current.length - keepFrom;
    if (keep >= this.backing.length) {
      const grown = Buffer.allocUnsafe(this.backing.length * 2);
      current.copy(grown, 0, keepFrom);
      this.backing = grown;
    } else this.backing.copy(this.backing, 0, keepFrom, current.length);
    const next = this.more(keep, this.filePos);
    return next.length > keep ? next : null;
  }

  private more(keep: number, position: number): Buffer {
    const read = this.readAt(position, keep);
    this.filePos = position + read;
    return this.backing.subarray(0, keep + read);
  }

  private readAt(position: number, into = 0): number {
    try {
      return readSync(this.fd, this.backing, into, Math.max(0, Math.min(this.backing.length - into, this.end - position)), position);
    } catch (error) {
      throw unreadable(this.path, error);
    }
  }
}

function unreadable(path: string, error: unknown): DataError {
  return new DataError('unreadable-file', `Cannot read CSV file ${path}: ${(error as Error).message}. Check that it is a file you may read.`, { file: path, cause: error });
}

/** The size of a CSV file, or the DataError saying why it cannot be read (missing, a folder, too large). */
async function csvFileSize(path: string, maxBytes = MAX_CSV_BYTES): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw Object.assign(new Error('it is a folder'), { code: 'EISDIR' });
    if (info.size > maxBytes) {
      throw new DataError('file-too-large', `CSV file ${path} is ${formatSize(info.size)}; the limit is ${formatSize(maxBytes)}. Split it by date range (or resample it to a coarser interval) and load the part you need.`, { file: path });
    }
    return info.size;
  } catch (error) {
    if (error instanceof DataError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError('file-not-found', `CSV file not found: ${path}. Check the path (relative paths are resolved from the current folder).`, { file: path, cause: error });
    throw unreadable(path, error);
  }
}

/** The bytes of a CSV file, or the DataError saying why it cannot be read (missing, a folder, too large). */
export async function readCsvBytes(path: string, maxBytes = MAX_CSV_BYTES): Promise<Buffer> {
  await csvFileSize(path, maxBytes);
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError('file-not-found', `CSV file not found: ${path}. Check the path (relative paths are resolved from the current folder).`, { file: path, cause: error });
    throw unreadable(path, error);
  }
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : `${bytes} bytes`; // 2 GiB − 1 shows as 2048 MiB
}

/**
 * A DataError for bytes that are clearly not a UTF-8 CSV: UTF-16 (a BOM, or every other byte NUL), compressed or
 * binary data (NUL bytes, gzip/zip magic).
 */
export function checkCsvBytes(buf: Uint8Array, file: string): void {
  const utf16 = (buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff) || (buf.length >= 4 && buf[1] === 0 && buf[3] === 0 && buf[0] !== 0);
  if (utf16) throw new DataError('bad-encoding', `${file}: the file is UTF-16 text; save it as UTF-8 (e.g. "CSV UTF-8" in Excel) and load it again.`, { file });
  if ((buf[0] === 0x1f && buf[1] === 0x8b) || (buf[0] === 0x50 && buf[1] === 0x4b && buf[2] === 3 && buf[3] === 4)) {
    throw new DataError('binary-file', `${file}: the file is compressed (${buf[0] === 0x1f ? 'gzip' : 'zip'}), not a CSV; unpack it first.`, { file });
  }
  const nul = buf.subarray(0, 8192).indexOf(0);
  if (nul >= 0) throw new DataError('binary-file', `${file}: byte ${nul + 1} is a NUL byte, so this is a binary file, not CSV text; check that you picked the right file.`, { file });
}

/** UTF-8 text of a CSV file, after the checks of checkCsvBytes. */
export function decodeText(buf: Buffer, file: string): string {
  checkCsvBytes(buf, file);
  try {
    return buf.toString('utf8');
  } catch (error) {
    throw new DataError('file-too-large', `${file}: the text is too long to load (${(error as Error).message}); V8 strings stop near 512 MiB; load it with loadCsv, which parses bytes, or split it by date range.`, { file, cause: error });
  }
}

/** `SPY_daily_1998.csv` → `SPY`; `aapl.csv` → `AAPL`. */
export function symbolFromFileName(path: string): string {
  const name = basename(path).replace(/\.[^.]*$/, '');
  const head = name.split('_')[0].trim();
  return (head || name || 'DATA').toUpperCase();
}

/** Parses CSV text (see parseCsvBytes, which this calls on the text's UTF-8 bytes). */
export function parseCsv(text: string, options: CsvOptions = {}): BarSeries {
  return parseCsvBytes(Buffer.from(text, 'utf8'), options);
}

/**
 * Parses the bytes of a CSV file (checkCsvBytes first, for a file of unknown origin). Every delimiter, digit and date character is ASCII, so the parser reads bytes
 * and decodes only what it shows (the header, a field named in an error, a number it cannot read fast): field
 * boundaries in bytes are the same as in the decoded text, and so are the values and the errors.
 */
export function parseCsvBytes(input: Uint8Array, options: CsvOptions = {}): BarSeries {
  return parseRows(Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength), options);
}

/** `chunks`: the rest of a file read in pieces (loadCsv); without it `buf` is the whole file. */
function parseRows(buf: Buffer, options: CsvOptions, chunks?: FileChunks): BarSeries {
  const file = options.file ?? '<csv>';
  const symbol = options.symbol ?? (options.file ? symbolFromFileName(options.file) : 'DATA');
  let size = buf.length;
  epochTo = Date.now() + 366 * DAY;
  const fail = (code: DataError['code'], line: number, reason: string): never => {
    throw new DataError(code, `${file}:${line}: ${reason}`, { file, line, symbol });
  };

  let pos = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0; // UTF-8 byte order mark
  // Skip leading blank lines before the header.
  let lineNo = 1;
  while (pos < size && (buf[pos] === 10 || buf[pos] === 13)) {
    if (buf[pos] === 10) lineNo++;
    pos++;
  }
  if (pos >= size || isWhitespaceOnly(buf, pos)) {
    throw new DataError('empty-file', `${file}: the file is empty; expected a header row "Date,Open,High,Low,Close,Volume" followed by one row per bar.`, { file, symbol });
  }

  let eol = buf.indexOf(10, pos);
  if (eol < 0) eol = size;
  const headerLine = buf.toString('utf8', pos, Math.min(eol, pos + 4 * (MAX_HEADER_CHARS + 1)));
  if (headerLine.length > MAX_HEADER_CHARS) {
    fail('missing-columns', lineNo, `the first line is ${eol - pos > 4 * MAX_HEADER_CHARS ? buf.toString('utf8', pos, eol).length : headerLine.length} characters long, so it is not a header row (it starts "${clip(headerLine.slice(0, 200), 200)}"). Expected a header Date,Open,High,Low,Close,Volume[,Adj Close].`);
  }
  const headerFields = splitLine(headerLine).map((f) => unquote(f).trim());
  const index = new Map<Column, number>();
  headerFields.forEach((name, i) => {
    const column = HEADER_NAMES[name.toLowerCase().replace(/\s+/g, ' ')];
    if (column && !index.has(column)) index.set(column, i);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length) {
    fail('missing-columns', lineNo, `missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => DISPLAY[c]).join(', ')}; the header has: ${clip(headerFields.map((f) => f || '(empty)').join(', '))}. Expected Date,Open,High,Low,Close,Volume[,Adj Close] (any order, any case).`);
  }
  const hasAdj = index.has('adjClose');
  const dateField = index.get('date')!;
  const fieldCount = headerFields.length;
  const slots = new Int32Array(fieldCount).fill(-1); // field position → column slot
  const columnsInOrder: Column[] = ['date', 'open', 'high', 'low', 'close', 'volume', 'adjClose', 'symbol'];
  const SYMBOL_SLOT = 7;
  let fileSymbol: string | undefined = options.symbol?.toUpperCase();
  let firstKind = 0;
  columnsInOrder.forEach((c, slot) => {
    const at = index.get(c);
    if (at !== undefined) slots[at] = slot;
  });

  // Rows: exactly one per newline when the whole file is here; for a file read in pieces, an estimate from the
  // first piece's rows (reading the file twice to count them cost more), grown when the rows turn out shorter.
  let newlines = 0;
  for (let i = buf.indexOf(10, eol + 1); i >= 0; i = buf.indexOf(10, i + 1)) newlines++;
  let capacity = chunks ? rowsIn(chunks.bytesFrom(buf, eol + 1), size - eol - 1, newlines) : newlines + 1;
  let series = createSeries(symbol, capacity, hasAdj, options.source ?? { provider: 'csv', label: `CSV ${basename(file)}`, synthetic: false });
  let { time, open, high, low, close, volume, adjClose: adj } = series;
  let bytesRead = 0; // of the rows before this piece (chunked files)
  const values = new Float64Array(8);
  const fieldStart = new Int32Array(fieldCount + 1);

  let n = 0;
  pos = eol + 1;
  const dataStart = pos;
  // No closure may capture buf, size or pos: the loop below keeps them in registers.
  for (;;) {
    if (pos >= size) {
      // Read on (chunked files): the next piece, or the end of the file.
      const next = chunks?.refill(buf, size);
      if (!next) break;
      bytesRead += size;
      buf = next;
      size = next.length;
      pos = 0;
    }
    // Most rows are plain (digits, one date form): read in one pass that also finds the row's end. Any other row
    // (and one that runs past the bytes read so far) takes the general path, which also words every error.
    let end = fastRow(buf, pos, size, fieldCount, slots, fieldStart, values, firstKind);
    let stop: number;
    if (end >= 0) {
      lineNo++;
      stop = buf[end - 1] === 13 ? end - 1 : end;
      if (firstKind === 0) firstKind = dateKind;
    } else {
      end = buf.indexOf(10, pos);
      if (end < 0 && chunks) {
        const next = chunks.refill(buf, pos); // the row goes on in the next piece
        if (next) {
          bytesRead += pos;
          buf = next;
          size = next.length;
          pos = 0;
          continue;
        }
      }
      lineNo++;
      if (end < 0) end = size;
      stop = end;
      if (stop > pos && buf[stop - 1] === 13) stop--; // \r\n
      if (stop === pos || isBlank(buf, pos, stop)) { pos = end + 1; continue; }

      // Find field boundaries.
      let f = 0;
      fieldStart[0] = pos;
      for (let i = pos; i < stop && f < fieldCount; i++) {
        if (buf[i] === 44) fieldStart[++f] = i + 1;
      }
      if (f + 1 < fieldCount) fail('bad-number', lineNo, `expected ${fieldCount} fields like the header, found ${f + 1}.`);

      for (let k = 0; k < fieldCount; k++) {
        const slot = slots[k];
        if (slot < 0) continue;
        const a = fieldStart[k];
        const b = k + 1 < fieldCount ? fieldStart[k + 1] - 1 : stop;
        if (slot === 0) {
          const t = parseDate(buf, a, b);
          if (Number.isNaN(t)) fail('bad-date', lineNo, `Date '${clip(buf.toString('utf8', a, b).trim())}' is not a date. Accepted: ${DATE_FORMATS}.`);
          if (firstKind === 0) firstKind = dateKind;
          else if (dateKind !== firstKind) fail('bad-date', lineNo, `Date '${clip(buf.toString('utf8', a, b).trim())}' is written as ${KIND_NAMES[dateKind]} but the first row's as ${KIND_NAMES[firstKind]}; use one date format for the whole file.`);
          values[0] = t;
        } else if (slot === SYMBOL_SLOT) {
          const sym = unquote(buf.toString('utf8', a, b)).trim().toUpperCase();
          fileSymbol ??= sym;
          if (sym !== fileSymbol) fail('symbol-mismatch', lineNo, `Symbol '${clip(sym)}' differs from ${options.symbol ? 'the requested symbol' : 'the first row\'s'} '${fileSymbol}': one CSV file holds one symbol; split it per symbol (${fileSymbol}.csv, …).`);
        } else {
          const v = parseNumber(buf, a, b);
          if (Number.isNaN(v)) fail('bad-number', lineNo, `${DISPLAY[columnsInOrder[slot]]} '${clip(buf.toString('utf8', a, b).trim())}' is not a number.`);
          values[slot] = v;
        }
      }
    }

    const t = values[0], o = values[1], h = values[2], l = values[3], c = values[4];
    const problem = barProblem(o, h, l, c, values[5]);
    if (problem) fail(problem.code, lineNo, problem.reason);
    if (n > 0) {
      const prev = time[n - 1];
      if (firstKind >= EPOCH_S && t - prev < 1000) {
        fail('bad-date', lineNo, `epoch time ${clip(fieldText(buf, fieldStart, dateField, fieldCount, stop))} is ${t - prev} ms after the previous row's: these numbers are not bar times. Accepted: ${DATE_FORMATS}.`);
      }
      if (t === prev) fail('duplicate-date', lineNo, `duplicate date ${clip(fieldText(buf, fieldStart, dateField, fieldCount, stop))} (same as the previous row); remove one of the two rows.`);
      if (t < prev) fail('unsorted-dates', lineNo, `date ${clip(fieldText(buf, fieldStart, dateField, fieldCount, stop))} comes before the previous row's; sort the file by date, oldest first.`);
    }
    if (n === capacity) {
      // Shorter rows than the first piece's (chunked files only): room for the rest at this file's rows so far.
      capacity = n + rowsIn(chunks!.bytesFrom(buf, pos), bytesRead + pos - dataStart, n);
      series = growSeries(series, n, capacity);
      ({ time, open, high, low, close, volume, adjClose: adj } = series);
    }
    time[n] = t;
    open[n] = o;
    high[n] = h;
    low[n] = l;
    close[n] = c;
    volume[n] = values[5];
    if (adj) adj[n] = values[6];
    n++;
    pos = end + 1;
  }
  if (n === 0) {
    throw new DataError('empty-file', `${file}: the header is there but no rows follow; add one row per bar.`, { file, symbol });
  }
  return truncateSeries(series, n);
}

/**
 * One plain row from `pos`: numbers `digits[.digits]` (at most 15 digits), the date in the first row's kind, and
 * the row's end found on the way (no search for it first: one pass over the bytes). Its values into `values`, its
 * field starts into `fieldStart`; returns the index of the row's `\n`. -1 for anything else, and for a row that runs
 * past `size` (its end is in the next piece, or it is the file's last row without a newline): the caller then reads
 * the row the general way, which accepts the rest and words the errors.
 */
function fastRow(buf: Buffer, pos: number, size: number, fieldCount: number, slots: Int32Array, fieldStart: Int32Array, values: Float64Array, firstKind: number): number {
  let p = pos;
  for (let k = 0; k < fieldCount; k++) {
    fieldStart[k] = p;
    const slot = slots[k];
    if (slot > 0 && slot < 7) {
      const v = scanDecimal(buf, p, size);
      p = scanEnd;
      if (scanDigits === 0 || scanDigits > 15) return -1;
      values[slot] = v;
    } else if (slot === 0) {
      let t = firstKind === CALENDAR || firstKind === 0 ? plainDate(buf, p, size) : NaN;
      if (t === t) p = plainDateEnd;
      else {
        const a = p;
        p = fieldEndFrom(buf, p, size);
        t = parseDate(buf, a, p);
        if (t !== t) return -1;
      }
      if (firstKind !== 0 && dateKind !== firstKind) return -1;
      values[0] = t;
    } else if (slot === 7) return -1; // a Symbol column: compared per row by the general path
    else p = fieldEndFrom(buf, p, size); // a column nobody reads
    if (p >= size) return -1;
    const c = buf[p];
    if (k + 1 < fieldCount) {
      if (c !== 44) return -1;
      p++;
    } else if (c === 10) return p;
    else return c === 13 && p + 1 < size && buf[p + 1] === 10 ? p + 1 : -1;
  }
  return -1;
}

/** The previous plainDate's day, by its YYYYMMDD number: minute bars repeat one day ~400 times, its calendar math need not. */
let lastDayKey = -1;
let lastDayMs = NaN;
/** Where the last plainDate's date ended. */
let plainDateEnd = 0;

/**
 * `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS]` (space or T) from `a`, followed by a comma or the line's end: the forms of
 * nearly every file, read at fixed offsets (plainDateEnd: where it ended). NaN for anything else, which the caller
 * gives to parseDate.
 */
function plainDate(buf: Buffer, a: number, size: number): number {
  if (a + 11 > size || buf[a + 4] !== 45 || buf[a + 7] !== 45) return NaN;
  const y = digitsAt(buf, a, 4), mo = digitsAt(buf, a + 5, 2), d = digitsAt(buf, a + 8, 2);
  const key = y * 10_000 + mo * 100 + d; // NaN when a digit is not one
  let day: number;
  if (key === lastDayKey) day = lastDayMs;
  else {
    day = civilDayMs(y, mo, d);
    if (day !== day) return NaN;
    lastDayKey = key;
    lastDayMs = day;
  }
  const sep = buf[a + 10];
  let end = a + 10;
  let time = 0;
  if (sep === 32 || sep === 84) {
    if (a + 17 > size || buf[a + 13] !== 58) return NaN;
    const hh = digitsAt(buf, a + 11, 2), mi = digitsAt(buf, a + 14, 2);
    let ss = 0;
    end = a + 16;
    if (buf[end] === 58) {
      if (a + 20 > size) return NaN;
      ss = digitsAt(buf, a + 17, 2);
      end = a + 19;
    }
    if (!(hh <= 23 && mi <= 59 && ss <= 59)) return NaN;
    time = hh * 3_600_000 + mi * 60_000 + ss * 1000;
  }
  const after = buf[end];
  if (after !== 44 && after !== 10 && after !== 13) return NaN;
  dateKind = CALENDAR;
  plainDateEnd = end;
  return day + time;
}

/**
 * Room for the rows in `bytes` of a file whose `sampleRows` rows took `sampleBytes`: a quarter more than their
 * average length predicts (columns are zero-filled lazily, so room never written costs no memory). Rows are taken
 * to be at least 16 bytes long: a sample without a whole row (a header that ends its piece) must not ask for a
 * row per byte.
 */
function rowsIn(bytes: number, sampleBytes: number, sampleRows: number): number {
  const rowBytes = Math.max(sampleBytes / Math.max(sampleRows, 1), MIN_ROW_BYTES);
  return Math.ceil((bytes / rowBytes) * 1.25) + 16;
}

const MIN_ROW_BYTES = 16;

/** Where the field from `p` ends: its comma, the line's end, or `size`. */
function fieldEndFrom(buf: Buffer, p: number, size: number): number {
  while (p < size && buf[p] !== 44 && buf[p] !== 10 && buf[p] !== 13) p++;
  return p;
}

/** Field `k`'s text, trimmed (for messages). */
function fieldText(buf: Buffer, starts: Int32Array, k: number, count: number, stop: number): string {
  return buf.toString('utf8', starts[k], k + 1 < count ? starts[k + 1] - 1 : stop).trim();
}

function isBlank(buf: Buffer, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = buf[i];
    if (c !== 32 && c !== 9 && c !== 44) return false;
  }
  return true;
}

function splitLine(line: string): string[] {
  if (line.endsWith('\r')) line = line.slice(0, -1);
  return line.split(',');
}

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1) : t;
}

/** A longer first line is not a header (a binary or one-line file): refuse before splitting it. */
const MAX_HEADER_CHARS = 4096;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Decimal `[-]digits[.digits]` without allocating. An integer below 2^53 divided by an
 * exact power of ten is correctly rounded, so this equals `Number(text)`; anything
 * else (exponents, long mantissas, quotes) falls back to `Number`.
 */
function parseNumber(buf: Buffer, a: number, b: number): number {
  while (a < b && buf[a] === 32) a++;
  while (b > a && buf[b - 1] === 32) b--;
  if (a === b) return NaN;
  const negative = buf[a] === 45;
  const v = scanDecimal(buf, negative ? a + 1 : a, b);
  if (scanEnd < b || scanDigits > 15) return scanDigits === 0 && scanEnd === b ? NaN : slowNumber(buf.toString('utf8', a, b));
  if (scanDigits === 0) return NaN;
  return negative ? -v : v;
}

/** Where the last scanDecimal stopped, and how many digits it read. */
let scanEnd = 0;
let scanDigits = 0;

/**
 * `digits[.digits]` from `i`, stopping at the first other byte or at `b` (scanEnd, scanDigits); its value,
 * exact when at most 15 digits (an integer below 2^53 over an exact power of ten is correctly rounded).
 */
function scanDecimal(buf: Buffer, i: number, b: number): number {
  const start = i;
  let mantissa = 0;
  let point = -1;
  for (; i < b; i++) {
    const d = buf[i] - 48;
    if (d >= 0 && d <= 9) mantissa = mantissa * 10 + d;
    else if (d === -2 && point < 0) point = i; // '.'
    else break;
  }
  scanEnd = i;
  scanDigits = i - start - (point < 0 ? 0 : 1);
  return point < 0 ? mantissa : mantissa / POW10[i - point - 1];
}

function slowNumber(s: string): number {
  const t = unquote(s);
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return NaN;
  return Number(t);
}

const DAY = 86_400_000;

function digitsAt(buf: Buffer, at: number, count: number): number {
  let v = 0;
  for (let i = 0; i < count; i++) {
    const c = buf[at + i] - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** What the last parseDate call read (one file must stick to one kind; epochs must be spaced like bars). */
const CALENDAR = 1, EPOCH_S = 2, EPOCH_MS = 3;
const KIND_NAMES = ['', 'a calendar date', 'epoch seconds', 'epoch milliseconds'];
let dateKind = 0;
/** Epoch numbers are accepted from 1971 until a year from now: 2020010209 read as seconds (2034) is refused. */
const EPOCH_FROM = Date.UTC(1971, 0, 1);
let epochTo = Date.now() + 366 * DAY;

export const DATE_FORMATS = 'YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS[.fff]], ISO 8601 with T and Z/offset, compact YYYYMMDD, YYYYMMDDhhmm or YYYYMMDDhhmmss, epoch seconds (9–10 digits) or milliseconds (12–13 digits) from 1971 to a year from now';

/** Parses one date field; NaN when it is not one of the accepted forms. Sets `dateKind`. */
function parseDate(buf: Buffer, a: number, b: number): number {
  while (a < b && (buf[a] === 32 || buf[a] === 34)) a++;
  while (b > a && (buf[b - 1] === 32 || buf[b - 1] === 34)) b--;
  const len = b - a;
  if (len >= 10 && buf[a + 4] === 45 && buf[a + 7] === 45) {
    dateKind = CALENDAR;
    const day = civilDayMs(digitsAt(buf, a, 4), digitsAt(buf, a + 5, 2), digitsAt(buf, a + 8, 2));
    if (len === 10) return day;
    const sep = buf[a + 10];
    if ((sep !== 32 && sep !== 84) || len < 16 || buf[a + 13] !== 58) return NaN;
    const hh = digitsAt(buf, a + 11, 2);
    const mi = digitsAt(buf, a + 14, 2);
    let i = a + 16;
    let ss = 0;
    let ms = 0;
    if (i < b && buf[i] === 58) {
      ss = digitsAt(buf, i + 1, 2);
      i += 3;
      if (i < b && buf[i] === 46) {
        let scale = 100;
        i++;
        const fracStart = i;
        while (i < b && buf[i] >= 48 && buf[i] <= 57) {
          ms += (buf[i] - 48) * scale;
          scale /= 10;
          i++;
        }
        if (i === fracStart) return NaN;
        ms = Math.floor(ms);
      }
    }
    if (!(hh <= 23 && mi <= 59 && ss <= 59)) return NaN;
    let offset = 0;
    if (i < b) {
      const z = buf[i];
      if (z === 90 && i + 1 === b) offset = 0;
      else if (z === 43 || z === 45) {
        const rest = b - i - 1; // HH:MM, HHMM or HH
        const oh = digitsAt(buf, i + 1, 2);
        const om = rest === 5 && buf[i + 3] === 58 ? digitsAt(buf, i + 4, 2) : rest === 4 ? digitsAt(buf, i + 3, 2) : rest === 2 ? 0 : NaN;
        if (!(oh <= 23 && om <= 59)) return NaN;
        offset = (z === 43 ? 1 : -1) * (oh * 60 + om) * 60_000;
      } else return NaN;
    }
    return day + hh * 3_600_000 + mi * 60_000 + ss * 1000 + ms - offset;
  }
  const v = digitsAt(buf, a, len);
  if (Number.isNaN(v) || len < 8 || len > 14) return NaN;
  // Compact calendar dates first: 202001020930 is 2020-01-02 09:30, not 1976 in epoch ms.
  if (len === 8 || len === 12 || len === 14) {
    const compact = compactDate(buf, a, len);
    if (!Number.isNaN(compact)) { dateKind = CALENDAR; return compact; }
  }
  // Epoch seconds (9–10 digits) or milliseconds (12–13 digits), only inside plausible years.
  const ms = len === 9 || len === 10 ? v * 1000 : len === 12 || len === 13 ? v : NaN;
  if (!(ms >= EPOCH_FROM && ms <= epochTo)) return NaN;
  dateKind = len <= 10 ? EPOCH_S : EPOCH_MS;
  return ms;
}

/** `YYYYMMDD`, `YYYYMMDDhhmm` or `YYYYMMDDhhmmss` with a year in 1900…2100; NaN otherwise. */
function compactDate(buf: Buffer, a: number, len: number): number {
  const y = digitsAt(buf, a, 4);
  if (!(y >= 1900 && y <= 2100)) return NaN;
  const day = civilDayMs(y, digitsAt(buf, a + 4, 2), digitsAt(buf, a + 6, 2));
  if (len === 8) return day;
  const hh = digitsAt(buf, a + 8, 2), mi = digitsAt(buf, a + 10, 2), ss = len === 14 ? digitsAt(buf, a + 12, 2) : 0;
  return hh <= 23 && mi <= 59 && ss <= 59 ? day + hh * 3_600_000 + mi * 60_000 + ss * 1000 : NaN;
}

/** Whether the bytes from `pos` on are only whitespace (as String.prototype.trim sees it: non-ASCII is decoded). */
function isWhitespaceOnly(buf: Buffer, pos: number): boolean {
  for (let i = pos; i < buf.length; i++) {
    const c = buf[i];
    if (c === 32 || (c >= 9 && c <= 13)) continue;
    return c >= 0x80 ? buf.toString('utf8', i).trim() === '' : false;
  }
  return true;
}
