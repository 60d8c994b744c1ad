/**
 * The result payload of a sandbox run (shared by the runtime, which encodes,
 * and the host, which decodes).
 *
 * The equity curve is nearly all of a long run's result (20 years of daily bars:
 * 384 of 409 KB as JSON), so it travels as columns and everything else as JSON:
 *
 *   "SLR1" | u32 JSON bytes | u32 equity points | u32 time bytes
 *   | JSON (the result with `equity: null`) | equity times (UTF-8, '\n'-separated)
 *   | zero padding to 8 | Float64 equity[n] | Float64 drawdownPct[n]
 *
 * Doubles cross as their exact bits. The result is the same object the engine
 * returned, with the keys in the same order, so its JSON is byte-identical to
 * the in-process run's.
 */
import type { BacktestResult, EquityPoint } from '../engine/types';
import { align8 } from './protocol';

const RESULT_MAGIC = 0x31524c53; // "SLR1" little-endian
const HEAD = 16;

// Captured when the runtime loads, before strategy code exists (it shares the worker's realm).
const stringify = JSON.stringify;
const textEncoder = new TextEncoder();
const encodeUtf8: (text: string) => Uint8Array = textEncoder.encode.bind(textEncoder);

export function encodeResult(result: BacktestResult): Uint8Array {
  const points = result.equity;
  const n = points.length;
  const times = new Array<string>(n);
  for (let i = 0; i < n; i++) times[i] = String(points[i].time);
  const json = encodeUtf8(stringify({ ...result, equity: null }));
  const timeBytes = encodeUtf8(times.join('\n'));
  const columnsAt = align8(HEAD + json.length + timeBytes.length);
  const buffer = new ArrayBuffer(columnsAt + n * 16);
  const head = new DataView(buffer);
  head.setUint32(0, RESULT_MAGIC, true);
  head.setUint32(4, json.length, true);
  head.setUint32(8, n, true);
  head.setUint32(12, timeBytes.length, true);
  const bytes = new Uint8Array(buffer);
  bytes.set(json, HEAD);
  bytes.set(timeBytes, HEAD + json.length);
  const equity = new Float64Array(buffer, columnsAt, n);
  const drawdown = new Float64Array(buffer, columnsAt + n * 8, n);
  for (let i = 0; i < n; i++) {
    equity[i] = points[i].equity;
    drawdown[i] = points[i].drawdownPct;
  }
  return bytes;
}

/** Decodes and checks a result payload; throws an Error saying what is wrong with a malformed one. */
export function decodeResult(payload: Buffer): BacktestResult {
  if (payload.length < HEAD || payload.readUInt32LE(0) !== RESULT_MAGIC) throw new Error('not a result payload');
  const jsonLength = payload.readUInt32LE(4);
  const n = payload.readUInt32LE(8);
  const timeLength = payload.readUInt32LE(12);
  const columnsAt = align8(HEAD + jsonLength + timeLength);
  if (columnsAt + n * 16 !== payload.length) throw new Error(`payload of ${payload.length} bytes does not match its header`);
  const value = JSON.parse(payload.toString('utf8', HEAD, HEAD + jsonLength)) as BacktestResult;
  if (!value || typeof value !== 'object' || typeof value.metrics !== 'object' || !value.metrics || !Array.isArray(value.trades) || value.equity !== null) {
    throw new Error('missing metrics, trades or equity');
  }
  const times = n === 0 ? [] : payload.toString('utf8', HEAD + jsonLength, HEAD + jsonLength + timeLength).split('\n');
  if (times.length !== n) throw new Error(`${times.length} equity times for ${n} points`);
  const columns = float64s(payload, columnsAt, 2 * n);
  const equity = new Array<EquityPoint>(n);
  for (let i = 0; i < n; i++) equity[i] = { time: times[i], equity: columns[i], drawdownPct: columns[n + i] };
  value.equity = equity; // the key keeps its place (the JSON holds `equity: null` where the engine had it)
  return value;
}

/** `count` doubles at `offset`; a view when aligned, else a copy (received chunks start anywhere). */
function float64s(buf: Buffer, offset: number, count: number): Float64Array {
  const at = buf.byteOffset + offset;
  if (at % 8 === 0) return new Float64Array(buf.buffer, at, count);
  return new Float64Array(buf.buffer.slice(at, at + count * 8));
}
