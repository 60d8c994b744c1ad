/**
 * The wire format between the host and the sandbox runtime, shared by both
 * sides (the runtime bundles this file).
 *
 * Host → sandbox (stdin): one job message
 *   "SLJ1" | u32 header length | header JSON | zero padding to 8 | Float64 columns
 * Bars travel as raw little-endian Float64 columns (time, open, high, low,
 * close, volume[, adjClose] per symbol), never as JSON objects.
 *
 * Sandbox → host (stdout): frames
 *   u32 payload length | u8 type | 16-byte job key | payload
 * Log and error payloads are UTF-8 JSON; the result payload is result-codec.ts's.
 * A batch job (header `batch`: N variants of the one strategy) answers with one
 * FRAME_OUTCOME per variant, in order (u32 variant index | result-codec.ts's
 * outcome), then FRAME_END; the index is the supervisor's own count.
 * Only the supervisor writes frames; the key comes with the job and lives only
 * in the supervisor's heap, so bytes that did not come from it are detected
 * (see docs/sandbox.md, "The result channel").
 *
 * Session jobs (paper trading, docs/paper.md): the header carries `session`, no
 * bars, and the sandbox stays up. The host then writes FEED frames (same layout,
 * same key) on stdin, one per step; the supervisor answers each with one
 * DECISION frame, after a SESSION_READY frame once the strategy is constructed.
 */
import type { BarSeries } from '../data/series';
import type { BacktestOptions, LogLine } from '../engine/types';
import type { SessionInit } from '../paper/types';

/** The run options that cross into the sandbox (callbacks stay on the host). */
export type SandboxBacktestOptions = Omit<BacktestOptions, 'onLog' | 'isCancelled'>;

export interface JobHeader {
  /** Hex of the 16-byte frame key. */
  key: string;
  js: string;
  fileName: string;
  options: SandboxBacktestOptions;
  /** Wall-clock limit enforced by the supervisor (the host enforces it too). */
  timeMs: number;
  maxLogBytes: number;
  series: { symbol: string; length: number; adjClose: boolean }[];
  /** Present for a long-lived paper session instead of a backtest (core/paper/types.ts). */
  session?: SessionInit;
  /** Present for a batch job: the variants to run, one after another, in one worker. `timeMs` is then per variant. */
  batch?: BatchSpec;
  /**
   * 'drawable': a run past EQUITY_FULL_MAX bars returns a decimated `equity` plus the full time and equity columns
   * (core/engine/equityCurve.ts; result-codec.ts carries them), instead of one point object per bar.
   */
  equity?: 'drawable';
  /**
   * 'overview': only what a text summary shows (engine/backtest.ts RunOverview: the run's facts, its metrics, the
   * count of open trades), no trade, order or equity records; the result payload is result-codec.ts's "SLO1".
   */
  detail?: 'overview';
}

/** A variant as it crosses into the sandbox (core/run/variants.ts's Variant without its id, which stays on the host). */
export interface BatchVariant {
  params?: SandboxBacktestOptions['params'];
  options?: Pick<SandboxBacktestOptions, 'commission' | 'commissionFixed' | 'slippageBps'>;
  window?: { fromTime?: number; toTime?: number };
}

export interface BatchSpec {
  /** core/run/variants.ts VariantDetail. */
  detail: 'full' | 'drawable' | 'summary' | 'record';
  variants: BatchVariant[];
  /** CSCV blocks per record (detail 'record'). */
  splits?: number;
}

export interface Job extends Omit<JobHeader, 'series' | 'key'> {
  key: Uint8Array;
  series: BarSeries[];
}

export const FRAME_LOG = 1;
export const FRAME_RESULT = 2;
export const FRAME_ERROR = 3;
/** One variant's outcome in a batch job. */
export const FRAME_OUTCOME = 4;
/** A batch job's last frame: JSON `{ outcomes }` (fewer than the variants when the realm could not be reset: the host runs the rest in a fresh sandbox). */
export const FRAME_END = 5;
/** Session: the strategy's decision for one step (core/paper/decision.ts checks it). Sandbox → host. */
export const FRAME_DECISION = 6;
/** Session: the strategy is constructed and waits for its first step. Sandbox → host. */
export const FRAME_SESSION_READY = 7;
/** Session: one step's bars and account (core/paper/types.ts Feed). Host → sandbox. */
export const FRAME_FEED = 8;
export type FrameType =
  | typeof FRAME_LOG | typeof FRAME_RESULT | typeof FRAME_ERROR | typeof FRAME_OUTCOME | typeof FRAME_END
  | typeof FRAME_DECISION | typeof FRAME_SESSION_READY | typeof FRAME_FEED;
/** What a backtest's host accepts from the sandbox (a batch of variants is a backtest job too). */
export const BACKTEST_FRAMES: readonly FrameType[] = [FRAME_LOG, FRAME_RESULT, FRAME_ERROR, FRAME_OUTCOME, FRAME_END];
/** What a session's host accepts from the sandbox. */
export const SESSION_FRAMES: readonly FrameType[] = [FRAME_LOG, FRAME_ERROR, FRAME_DECISION, FRAME_SESSION_READY];

export const KEY_BYTES = 16;
/** Written once to stderr when the engine is loaded and the sandbox waits for its job (warm pool readiness). */
export const READY_MARKER = 'strategy-lab-sandbox-ready\n';
/** The local channel (localChannel.ts): the token the host writes first on stdin, which the runtime sends back on the socket. */
export const CHANNEL_TOKEN_BYTES = 32;
/** Written to stderr, before the ready marker, by a runtime that could not connect to the local channel. */
export const CHANNEL_FALLBACK_MARKER = 'strategy-lab-sandbox-channel-unavailable';
/** Bytes a frame adds before its payload. */
export const FRAME_HEADER = 4 + 1 + KEY_BYTES;
const JOB_MAGIC = 0x314a4c53; // "SLJ1" little-endian

/** What the runtime reports when a run fails; `kind` maps onto SandboxErrorKind. */
export interface ErrorPayload {
  /** 'protocol': the worker (the strategy's realm) sent the supervisor a message it never sends. */
  kind: 'timeout' | 'memory' | 'output-limit' | 'strategy' | 'crashed' | 'protocol';
  name: string;
  message: string;
  /** Where a strategy error happened, as the sandbox saw it (checked and bounded by caps.ts readErrorPayload). */
  at?: ErrorAt;
}

/**
 * The strategy-side facts of a runtime error: the phase, the bar, and the raw stack. Untrusted (the strategy
 * shares the realm that wrote them): the host only maps stack positions inside the strategy's own file.
 */
export interface ErrorAt {
  phase?: 'constructor' | 'onStart' | 'onBar' | 'onEnd' | 'onFill';
  time?: string | null;
  symbol?: string | null;
  bar?: number | null;
  stack?: string;
}

export type { LogLine };

const COLUMNS = ['time', 'open', 'high', 'low', 'close', 'volume'] as const;

/**
 * A job as the pieces it is written in: the header (magic, JSON, padding to 8) and then each series' columns as
 * views of the series' own memory, so a large job is not copied into one buffer first (fresh memory costs ~4 ms
 * per MB on this VM: a 48 MB buffer for 1 M bars was ~0.2 s). Write them in order (writeJob).
 */
export function encodeJobParts(job: Job): Buffer[] {
  const header: JobHeader = {
    key: Buffer.from(job.key).toString('hex'),
    js: job.js,
    fileName: job.fileName,
    options: job.options,
    timeMs: job.timeMs,
    maxLogBytes: job.maxLogBytes,
    series: job.series.map((s) => ({ symbol: s.symbol, length: s.length, adjClose: !!s.adjClose })),
    ...(job.batch ? { batch: job.batch } : {}),
    ...(job.session ? { session: job.session } : {}),
    ...(job.equity ? { equity: job.equity } : {}),
    ...(job.detail ? { detail: job.detail } : {}),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const head = Buffer.alloc(align8(8 + json.length));
  head.writeUInt32LE(JOB_MAGIC, 0);
  head.writeUInt32LE(json.length, 4);
  json.copy(head, 8);
  const parts: Buffer[] = [head];
  for (const s of job.series) {
    // A view through bytes: the source may be a subarray of a larger buffer.
    for (const column of columnsOf(s)) parts.push(Buffer.from(column.buffer, column.byteOffset, s.length * 8));
  }
  return parts;
}

/** The whole job in one buffer (tests, and callers that need it whole). */
export function encodeJob(job: Job): Buffer {
  return Buffer.concat(encodeJobParts(job));
}

/** Writes a job to a sandbox's input in its parts (encodeJobParts), corked into one writev; `done` after the last. */
export function writeJob(stream: NodeJS.WritableStream & { cork?: () => void; uncork?: () => void }, job: Job, done: (err?: Error | null) => void): void {
  const parts = encodeJobParts(job);
  stream.cork?.();
  parts.forEach((part, i) => stream.write(part, i === parts.length - 1 ? done : undefined));
  stream.uncork?.();
}

/** Bytes from the start of a job to the end of its JSON header, from the job's first 8 bytes. */
export function jobHeaderEnd(buf: Buffer): number {
  if (buf.length < 8) throw new RangeError('sandbox protocol: a job header needs its first 8 bytes');
  if (buf.readUInt32LE(0) !== JOB_MAGIC) throw new Error('sandbox protocol: input does not start with a job message');
  return 8 + buf.readUInt32LE(4);
}

/** Total byte length of the job at the start of `buf`, or undefined while the header is incomplete. */
export function jobLength(buf: Buffer): number | undefined {
  if (buf.length < 8) return undefined;
  const headerLength = jobHeaderEnd(buf) - 8;
  if (buf.length < 8 + headerLength) return undefined;
  const header = JSON.parse(buf.toString('utf8', 8, 8 + headerLength)) as JobHeader;
  return align8(8 + headerLength) + columnBytes(header.series);
}

/** Bytes of the bars' columns of a job with these series. */
function columnBytes(shapes: JobHeader['series']): number {
  let doubles = 0;
  for (const s of shapes) doubles += s.length * (COLUMNS.length + (s.adjClose ? 1 : 0));
  return doubles * 8;
}

/** Decodes a complete job. The columns are copied into one fresh ArrayBuffer (transferable to a worker). */
export function decodeJob(buf: Buffer): Job {
  const read = new JobReader().push(buf);
  if (!read) throw new RangeError('sandbox protocol: an incomplete job');
  return read.job;
}

/**
 * Reads one job from its input in any chunking (the supervisor's stdin). The columns are copied once, from each
 * chunk straight into the one buffer the series view, instead of joining the chunks and copying the result again
 * (two more copies of a 48 MB job for 1 M bars). `push` returns the job when its last byte arrives, with the bytes
 * that came after it (a paper session's first feeds); it throws on input that is not a job.
 *
 * A reader that can choose where its input lands (a socket with `onread`) skips even that copy: once the header is
 * read, `direct()` is the part of the columns still to come; bytes read there are accounted with `advance(n)`.
 */
export class JobReader {
  private head: Buffer[] = [];
  private headBytes = 0;
  private headerEnd: number | undefined;
  private header: JobHeader | undefined;
  private data: Uint8Array | undefined;
  private filled = 0;
  /** Padding bytes between the header and the columns still to skip. */
  private skip = 0;

  push(chunk: Buffer): { job: Job; rest: Buffer } | undefined {
    if (!this.header) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headerEnd === undefined) {
        if (this.headBytes < 8) return undefined;
        this.head = [Buffer.concat(this.head, this.headBytes)];
        this.headerEnd = jobHeaderEnd(this.head[0]);
      }
      if (this.headBytes < this.headerEnd) return undefined;
      const all = this.head.length === 1 ? this.head[0] : Buffer.concat(this.head, this.headBytes);
      this.head = [];
      const header = JSON.parse(all.toString('utf8', 8, this.headerEnd)) as JobHeader;
      this.header = header;
      this.data = new Uint8Array(new ArrayBuffer(columnBytes(header.series)));
      const dataStart = align8(this.headerEnd);
      this.skip = Math.max(0, dataStart - all.length);
      chunk = all.subarray(Math.min(dataStart, all.length));
    }
    const data = this.data!;
    if (this.skip > 0) {
      const k = Math.min(this.skip, chunk.length);
      this.skip -= k;
      chunk = chunk.subarray(k);
    }
    const take = Math.min(data.length - this.filled, chunk.length);
    data.set(chunk.subarray(0, take), this.filled);
    this.filled += take;
    return this.complete(chunk.subarray(take));
  }

  /** The columns' bytes still to come, to read into in place; undefined before the header (and its padding) is read or once they are all in. */
  direct(): Uint8Array | undefined {
    if (!this.header || this.skip > 0 || this.filled === this.data!.length) return undefined;
    return this.data!.subarray(this.filled);
  }

  /** `n` bytes were read into the start of `direct()`'s region: the job once its last byte is in. */
  advance(n: number): { job: Job; rest: Buffer } | undefined {
    const region = this.direct();
    if (!region || !(n >= 0 && n <= region.length)) throw new RangeError(`sandbox protocol: ${n} bytes read into the columns out of turn`);
    this.filled += n;
    return this.complete(Buffer.alloc(0));
  }

  private complete(rest: Buffer): { job: Job; rest: Buffer } | undefined {
    if (this.skip > 0 || this.filled < this.data!.length) return undefined;
    const header = this.header!;
    return { job: { ...header, key: Buffer.from(header.key, 'hex'), series: seriesFromColumns(header.series, this.data!.buffer as ArrayBuffer) }, rest };
  }
}

/** Rebuilds BarSeries views over one buffer laid out as encodeJob writes it. */
export function seriesFromColumns(shapes: JobHeader['series'], data: ArrayBuffer): BarSeries[] {
  let offset = 0;
  const next = (n: number): Float64Array => {
    const a = new Float64Array(data, offset, n);
    offset += n * 8;
    return a;
  };
  return shapes.map(({ symbol, length, adjClose }) => {
    const time = next(length), open = next(length), high = next(length), low = next(length), close = next(length), volume = next(length);
    return { symbol, length, time, open, high, low, close, volume, adjClose: adjClose ? next(length) : undefined };
  });
}

function columnsOf(s: BarSeries): Float64Array[] {
  const cols = COLUMNS.map((c) => s[c]);
  if (s.adjClose) cols.push(s.adjClose);
  for (const c of cols) if (c.length < s.length) throw new RangeError(`Series ${s.symbol}: a column is shorter than length ${s.length}.`);
  return cols;
}

/** `n` rounded up to a multiple of 8 (Float64 columns start 8-aligned). */
export function align8(n: number): number {
  return (n + 7) & ~7;
}

export function encodeFrame(type: FrameType, key: Uint8Array, payload: string | Uint8Array, prefixU32?: number): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = encodeFrameHead(type, key, body.length, prefixU32, body.length);
  head.set(body, head.length - body.length);
  return head;
}

/**
 * A frame's header (and the u32 an outcome frame carries before its payload) for a body of `bodyLength` bytes, in
 * a buffer with `room` bytes left after it: 0 when the body is written separately (a large result need not be
 * copied into its frame), the body's length when encodeFrame copies it in.
 */
export function encodeFrameHead(type: FrameType, key: Uint8Array, bodyLength: number, prefixU32?: number, room = 0): Buffer {
  const extra = prefixU32 === undefined ? 0 : 4;
  const out = Buffer.allocUnsafe(FRAME_HEADER + extra + room);
  out.writeUInt32LE(bodyLength + extra, 0);
  out.writeUInt8(type, 4);
  out.set(key, 5);
  if (prefixU32 !== undefined) out.writeUInt32LE(prefixU32, FRAME_HEADER);
  return out;
}

export interface Frame {
  type: FrameType;
  payload: Buffer;
}

/**
 * Incremental frame parser for the host. Throws on anything that is not a
 * well-formed frame carrying this job's key: raw bytes on the channel mean
 * something other than the supervisor wrote there.
 */
export class FrameDecoder {
  // Chunks are kept as a list and joined once per frame, so a large result costs one copy, not one per chunk.
  private chunks: Buffer[] = [];
  private length = 0;
  /** A large frame whose payload is being copied into its own buffer as its bytes arrive. */
  private large: { frame: Frame; filled: number } | undefined;

  constructor(
    private readonly key: Uint8Array,
    private readonly maxPayload: number,
    /** Frame types this side accepts; any other is a violation. */
    private readonly accepted: readonly FrameType[] = BACKTEST_FRAMES,
  ) {}

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    if (this.large) {
      const { frame } = this.large;
      const take = Math.min(frame.payload.length - this.large.filled, chunk.length);
      chunk.copy(frame.payload, this.large.filled, 0, take);
      this.large.filled += take;
      if (this.large.filled < frame.payload.length) return frames;
      this.large = undefined;
      frames.push(frame);
      chunk = chunk.subarray(take);
    }
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.length += chunk.length;
    }
    while (this.length >= FRAME_HEADER) {
      const head = this.peek(FRAME_HEADER);
      const payloadLength = head.readUInt32LE(0);
      const type = head.readUInt8(4) as FrameType;
      if (!this.accepted.includes(type)) throw new ProtocolViolation(`unknown frame type ${type}`);
      if (!Buffer.from(this.key).equals(head.subarray(5, FRAME_HEADER))) throw new ProtocolViolation('a frame without the job key');
      if (payloadLength > this.maxPayload) throw new ProtocolViolation(`a frame of ${payloadLength} bytes, over the ${this.maxPayload}-byte cap`, true);
      if (payloadLength >= LARGE_PAYLOAD) {
        const all = this.peek(this.length);
        // Its own buffer, filled as the bytes come: one copy, and its columns land 8-aligned so they are read in place.
        const payload = alignedPayload(type, payloadLength);
        const have = Math.min(payloadLength, all.length - FRAME_HEADER);
        all.copy(payload, 0, FRAME_HEADER, FRAME_HEADER + have);
        this.keep(all.subarray(FRAME_HEADER + have));
        if (have < payloadLength) {
          this.large = { frame: { type, payload }, filled: have };
          break;
        }
        frames.push({ type, payload });
        continue;
      }
      const total = FRAME_HEADER + payloadLength;
      if (this.length < total) break;
      const all = this.peek(this.length);
      frames.push({ type, payload: all.subarray(FRAME_HEADER, total) });
      this.keep(all.subarray(total));
    }
    return frames;
  }

  private keep(rest: Buffer): void {
    this.chunks = rest.length ? [rest] : [];
    this.length = rest.length;
  }

  /** The first `n` buffered bytes as one buffer (joins chunks as needed). */
  private peek(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks, this.length)];
    return this.chunks[0];
  }

  /** Bytes received that do not form a complete frame yet. */
  get buffered(): number {
    return this.length + (this.large ? FRAME_HEADER + this.large.filled : 0);
  }
}

/** Payloads from this size on get a buffer of their own (alignedPayload) instead of a slice of the joined chunks. */
const LARGE_PAYLOAD = 64 * 1024;

/**
 * A fresh buffer for a payload of `length` bytes, placed so that what the payload carries starts 8-aligned: an
 * outcome frame's payload is the supervisor's u32 index and then the outcome, so it starts 4 bytes in. The result
 * codec lays out its Float64 columns 8-aligned from there (result-codec.ts), so the host views them in place.
 * The size is bounded by the cap, checked first; the memory is not filled, so pages are committed as bytes arrive.
 */
function alignedPayload(type: FrameType, length: number): Buffer {
  const lead = type === FRAME_OUTCOME ? 4 : 0;
  return Buffer.allocUnsafeSlow(lead + length).subarray(lead);
}

export class ProtocolViolation extends Error {
  constructor(
    detail: string,
    readonly oversize = false,
  ) {
    super(`sandbox output channel: ${detail}`);
    this.name = 'ProtocolViolation';
  }
}
