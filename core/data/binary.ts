/**
 * The cache's file format: compact, fast to load, and self-checking.
 *
 *   bytes 0–7    magic "SLBARS\0\x01"
 *   bytes 8–11   header length H (uint32 little-endian)
 *   H bytes      JSON header (UTF-8), space-padded so the body starts at a multiple of 8
 *   body         Float64 little-endian columns, one after another, `length` values each:
 *                time, open, high, low, close, volume[, adjClose]
 *
 * The header holds the key, the covered time range and a checksum of the body: its CRC-32 (`crc32`), or on a Node
 * without zlib.crc32 (before 20.15) its SHA-256 (`sha256`); a reader checks whichever the header names. The
 * checksum is there to catch a torn or damaged file, not a forged one (the cache is the user's own folder), and
 * CRC-32 reads a million bars' 48 MB in ~8 ms where SHA-256 takes ~28 ms. Any mismatch (magic, sizes,
 * checksum, JSON) is reported as corrupt, never as data.
 */
import { createHash } from 'node:crypto';
import * as zlib from 'node:zlib';
import { endianness } from 'node:os';
import type { BarSeries, SeriesSource } from './series';

const MAGIC = Buffer.from('SLBARS\0\x01', 'latin1');
export const FORMAT_VERSION = 1;

export interface BarFileHeader {
  format: number;
  provider: string;
  symbol: string;
  interval: string;
  adjusted: boolean;
  /** raw | split | all (files written before this field: from `adjusted`). */
  adjustment?: 'raw' | 'split' | 'all';
  length: number;
  columns: string[];
  /** Time range (ms, `[coveredFrom, coveredTo)`) the provider was asked for: no bar in it is missing. */
  coveredFrom: number;
  coveredTo: number;
  source?: SeriesSource;
  /** CRC-32 of the body (zlib's), when the writer's Node has zlib.crc32. */
  crc32?: number;
  /** hex SHA-256 of the body, otherwise. */
  sha256?: string;
  writtenAt: string;
}

export class CorruptFileError extends Error {
  override readonly name = 'CorruptFileError';
}

const LITTLE_ENDIAN = endianness() === 'LE';

function columnsOf(series: BarSeries): Float64Array[] {
  const cols = [series.time, series.open, series.high, series.low, series.close, series.volume];
  if (series.adjClose) cols.push(series.adjClose);
  return cols;
}

/**
 * The file's bytes as parts, in order: the prefix, the header, then each column's bytes viewed in place (no copy
 * of the columns: a 20 M-bar series is ~1 GB of them). Write them part by part (`writeFile` takes the array), or join them (`encodeBars`).
 */
export function encodeBarParts(series: BarSeries, header: Omit<BarFileHeader, 'format' | 'length' | 'columns' | 'sha256' | 'crc32'>): Buffer[] {
  if (!LITTLE_ENDIAN) throw new Error('The bar cache format is little-endian; this machine is big-endian.');
  const n = series.length;
  const body = columnsOf(series).map((col) => Buffer.from(col.buffer, col.byteOffset, n * 8));
  const full: BarFileHeader = {
    format: FORMAT_VERSION,
    ...header,
    length: n,
    columns: ['time', 'open', 'high', 'low', 'close', 'volume', ...(series.adjClose ? ['adjClose'] : [])],
    ...checksumOf(body),
  };
  let json = JSON.stringify(full);
  const pad = (8 - ((12 + Buffer.byteLength(json)) % 8)) % 8;
  json += ' '.repeat(pad);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(12);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32LE(headerBytes.length, 8);
  return [prefix, headerBytes, ...body];
}

type Crc32 = (data: Uint8Array, value?: number) => number;
/** zlib.crc32 where this Node has it (20.15+, 22.2+). */
const crc32 = (zlib as { crc32?: Crc32 }).crc32;

/** The checksum of the body the parts make, one after another (the same as of the joined body). */
function checksumOf(parts: readonly Uint8Array[]): Pick<BarFileHeader, 'crc32' | 'sha256'> {
  if (crc32) {
    let value = 0;
    for (const part of parts) value = crc32(part, value);
    return { crc32: value };
  }
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return { sha256: hash.digest('hex') };
}

/** Whether `body` has the checksum its header names; a CRC-32 this Node cannot compute counts as a mismatch (a miss). */
export function checksumMatches(header: Pick<BarFileHeader, 'crc32' | 'sha256'>, body: Uint8Array, withCrc: Crc32 | null = crc32 ?? null): boolean {
  if (typeof header.crc32 === 'number') return withCrc !== null && withCrc(body, 0) === header.crc32;
  if (typeof header.sha256 === 'string') return createHash('sha256').update(body).digest('hex') === header.sha256;
  return false;
}

/** The whole file as one buffer (small series, tests); large ones are written from `encodeBarParts`. */
export function encodeBars(series: BarSeries, header: Omit<BarFileHeader, 'format' | 'length' | 'columns' | 'sha256' | 'crc32'>): Buffer {
  return Buffer.concat(encodeBarParts(series, header));
}

/** Reads only the header (for listings); throws CorruptFileError. */
export function decodeHeader(buf: Buffer): { header: BarFileHeader; bodyStart: number } {
  if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) throw new CorruptFileError('not a bar cache file (bad magic)');
  const headerLength = buf.readUInt32LE(8);
  if (12 + headerLength > buf.length) throw new CorruptFileError('truncated header');
  let header: BarFileHeader;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + headerLength)) as BarFileHeader;
  } catch {
    throw new CorruptFileError('unreadable header');
  }
  if (header.format !== FORMAT_VERSION || !Array.isArray(header.columns) || !Number.isInteger(header.length) || header.length < 0) {
    throw new CorruptFileError(`unsupported or damaged header (format ${String(header.format)})`);
  }
  return { header, bodyStart: 12 + headerLength };
}

/** Full decode with checksum verification; throws CorruptFileError. */
export function decodeBars(buf: Buffer): { header: BarFileHeader; series: BarSeries } {
  if (!LITTLE_ENDIAN) throw new CorruptFileError('big-endian machine: cache not usable');
  const { header, bodyStart } = decodeHeader(buf);
  const n = header.length;
  const bodyLength = header.columns.length * n * 8;
  if (buf.length !== bodyStart + bodyLength) throw new CorruptFileError(`size mismatch: expected ${bodyStart + bodyLength} bytes, found ${buf.length}`);
  const body = buf.subarray(bodyStart);
  if (!checksumMatches(header, body)) throw new CorruptFileError('checksum mismatch');
  // Float64Array needs 8-byte alignment: view in place when possible, copy otherwise.
  const aligned = body.byteOffset % 8 === 0 ? body : Buffer.from(body);
  const col = (name: string): Float64Array | undefined => {
    const c = header.columns.indexOf(name);
    return c < 0 ? undefined : new Float64Array(aligned.buffer, aligned.byteOffset + c * n * 8, n);
  };
  const time = col('time');
  const open = col('open');
  const high = col('high');
  const low = col('low');
  const close = col('close');
  const volume = col('volume');
  if (!time || !open || !high || !low || !close || !volume) throw new CorruptFileError('missing columns');
  for (let i = 1; i < n; i++) if (!(time[i] > time[i - 1])) throw new CorruptFileError('times not increasing');
  return {
    header,
    series: { symbol: header.symbol, source: header.source, time, open, high, low, close, volume, adjClose: col('adjClose'), length: n },
  };
}
