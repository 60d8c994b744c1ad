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
import { isSummaryRecord, type SummaryRecord } from '../sweep/score';
import type { BarSeries } from '../data/series';
import type { BacktestResult, EquityPoint } from '../engine/types';
import type { RunOverview } from '../engine/backtest';
import { align8, type BatchSpec } from './protocol';
import { readPlots } from '../engine/readPlots';
import { allEquityPoints, attachEquityColumns, drawdownColumn, equityColumnsOf } from '../engine/equityCurve';

const RESULT_MAGIC = 0x31524c53; // "SLR1" little-endian
const HEAD = 16;

// Captured when the runtime loads, before strategy code exists (it shares the worker's realm).
const stringify = JSON.stringify;
const textEncoder = new TextEncoder();
const encodeUtf8: (text: string) => Uint8Array = textEncoder.encode.bind(textEncoder);
const encodeUtf8Into: (text: string, into: Uint8Array) => { written: number } = textEncoder.encodeInto.bind(textEncoder);
const utf8Length: (text: string, encoding: 'utf8') => number = Buffer.byteLength;

/**
 * A result whose `equity` was decimated (`equity: 'drawable'`) carries its full columns too: magic "SLR2", a
 * 24-byte head (the four fields above, then the full length), and after the points' columns Float64 time[full]
 * and equity[full]. The drawdown column is the equity's (drawdownColumn), rebuilt by the host. Magic "SLR3" is the
 * same without time[full], when the full times are the run's one series' bar times (a one-symbol run: the engine's
 * time grid is that series' time column itself, engine/grid.ts), which the host has: it takes them from its bars.
 */
const RESULT_FULL_MAGIC = 0x32524c53; // "SLR2" little-endian
const RESULT_FULL_BARS_MAGIC = 0x33524c53; // "SLR3": the full times are the bars' (see above)
const HEAD_FULL = 24;

/**
 * A result that keeps every equity point but was built without them (`equity: 'columns'`, engine/backtest.ts): the
 * layout of "SLR2"/"SLR3" with no points (n = 0, no time text), magic "SLR4" (with time[full]) or "SLR5" (the bars'
 * times). The host builds the points from the columns with the engine's own allEquityPoints, so the result is the
 * one an 'all' run gives in process, byte for byte, while the sandbox never holds a million point objects and time
 * strings and the curve crosses as 8 bytes a bar instead of ~40.
 */
const RESULT_COLUMNS_MAGIC = 0x34524c53; // "SLR4"
const RESULT_COLUMNS_BARS_MAGIC = 0x35524c53; // "SLR5"
const FULL_MAGICS = [RESULT_FULL_MAGIC, RESULT_FULL_BARS_MAGIC, RESULT_COLUMNS_MAGIC, RESULT_COLUMNS_BARS_MAGIC];

/**
 * The payload of `result`. With `reserve`, that many bytes come first (zero) and the payload after them: a caller that
 * wraps the payload (encodeFullOutcome) writes it in place instead of copying it. `reserve` must be a multiple of 8.
 * `barTimes`: the run's bar times (a one-symbol run's series time column); full columns whose times are that very
 * column leave them out ("SLR3").
 */
export function encodeResult(result: BacktestResult, reserve = 0, barTimes?: Float64Array): Uint8Array {
  const points = result.equity;
  const n = points.length;
  const full = equityColumnsOf(result);
  const fullN = full ? full.time.length : 0;
  const fullTime = full !== undefined && full.time !== barTimes;
  const columnsOnly = full !== undefined && !result.run.equityDecimated;
  if (columnsOnly && n !== 0) throw new Error('a result with both every equity point and its columns');
  const head = full ? HEAD_FULL : HEAD;
  const times = new Array<string>(n);
  for (let i = 0; i < n; i++) times[i] = String(points[i].time);
  // Encoded straight into the payload: a long run's trades, orders and fills are megabytes of JSON.
  const json = stringify({ ...result, equity: null });
  const jsonLength = utf8Length(json, 'utf8');
  const timeText = times.join('\n');
  const timeLength = utf8Length(timeText, 'utf8');
  const columnsAt = reserve + align8(head + jsonLength + timeLength);
  const buffer = new ArrayBuffer(columnsAt + n * 16 + fullN * (fullTime ? 16 : 8));
  const view = new DataView(buffer, reserve);
  view.setUint32(0, !full ? RESULT_MAGIC : columnsOnly ? (fullTime ? RESULT_COLUMNS_MAGIC : RESULT_COLUMNS_BARS_MAGIC) : fullTime ? RESULT_FULL_MAGIC : RESULT_FULL_BARS_MAGIC, true);
  view.setUint32(4, jsonLength, true);
  view.setUint32(8, n, true);
  view.setUint32(12, timeLength, true);
  if (full) view.setUint32(16, fullN, true);
  const written = encodeUtf8Into(json, new Uint8Array(buffer, reserve + head, jsonLength)).written + encodeUtf8Into(timeText, new Uint8Array(buffer, reserve + head + jsonLength, timeLength)).written;
  if (written !== jsonLength + timeLength) throw new Error(`result encoding wrote ${written} bytes of text where it measured ${jsonLength + timeLength}`);
  const equity = new Float64Array(buffer, columnsAt, n);
  const drawdown = new Float64Array(buffer, columnsAt + n * 8, n);
  for (let i = 0; i < n; i++) {
    equity[i] = points[i].equity;
    drawdown[i] = points[i].drawdownPct;
  }
  if (full) {
    let at = columnsAt + n * 16;
    if (fullTime) {
      new Float64Array(buffer, at, fullN).set(full.time.subarray(0, fullN));
      at += fullN * 8;
    }
    new Float64Array(buffer, at, fullN).set(full.equity.subarray(0, fullN));
  }
  return new Uint8Array(buffer);
}

/**
 * Decodes and checks a result payload; throws an Error saying what is wrong with a malformed one. `barTimes` gives the
 * host's own bar times of the run (its one series' time column), for full columns sent without them; undefined
 * when the run has more than one series.
 */
export function decodeResult(payload: Buffer, barTimes?: () => Float64Array | undefined): BacktestResult {
  const magic = payload.length >= HEAD ? payload.readUInt32LE(0) : 0;
  const withFull = FULL_MAGICS.includes(magic);
  const columnsOnly = magic === RESULT_COLUMNS_MAGIC || magic === RESULT_COLUMNS_BARS_MAGIC;
  if (magic !== RESULT_MAGIC && (!withFull || payload.length < HEAD_FULL)) throw new Error('not a result payload');
  const head = withFull ? HEAD_FULL : HEAD;
  const jsonLength = payload.readUInt32LE(4);
  const n = payload.readUInt32LE(8);
  const timeLength = payload.readUInt32LE(12);
  const fullN = withFull ? payload.readUInt32LE(16) : 0;
  const fullTime = magic === RESULT_FULL_MAGIC || magic === RESULT_COLUMNS_MAGIC;
  if (columnsOnly && (n !== 0 || timeLength !== 0)) throw new Error('equity points beside columns that stand for all of them');
  const columnsAt = align8(head + jsonLength + timeLength);
  if (columnsAt + n * 16 + fullN * (fullTime ? 16 : 8) !== payload.length) throw new Error(`payload of ${payload.length} bytes does not match its header`);
  const value = JSON.parse(payload.toString('utf8', head, head + jsonLength)) as BacktestResult;
  if (!value || typeof value !== 'object' || typeof value.metrics !== 'object' || !value.metrics || !Array.isArray(value.trades) || value.equity !== null) {
    throw new Error('missing metrics, trades or equity');
  }
  const times = n === 0 ? [] : payload.toString('utf8', head + jsonLength, head + jsonLength + timeLength).split('\n');
  if (times.length !== n) throw new Error(`${times.length} equity times for ${n} points`);
  const columns = float64s(payload, columnsAt, 2 * n);
  const equity = new Array<EquityPoint>(n);
  for (let i = 0; i < n; i++) equity[i] = { time: times[i], equity: columns[i], drawdownPct: columns[n + i] };
  value.equity = equity; // the key keeps its place (the JSON holds `equity: null` where the engine had it)
  if (columnsOnly) {
    if (value.run?.equityDecimated !== undefined) throw new Error('a result of every equity point flagged as decimated');
    if (value.run?.bars !== fullN) throw new Error(`${fullN} equity values for a run of ${value.run?.bars} bars`);
  } else if (fullN > 0 && value.run?.equityDecimated?.from !== fullN) throw new Error('full equity columns on a result not flagged as decimated');
  if (fullN > 0 || columnsOnly) {
    const time = fullTime ? float64s(payload, columnsAt + n * 16, fullN) : hostBarTimes(barTimes, fullN);
    const fullEquity = float64s(payload, columnsAt + n * 16 + (fullTime ? fullN * 8 : 0), fullN);
    const columns = { time, equity: fullEquity, drawdownPct: drawdownColumn(fullEquity) };
    if (columnsOnly) value.equity = allEquityPoints(columns);
    else attachEquityColumns(value, columns);
  }
  if (value.plots !== undefined) {
    const plots = readPlots(value.plots, fullN > 0 ? fullN : n);
    if (plots) value.plots = plots;
    else delete value.plots; // malformed (a strategy that tampered with the realm): no lines, the run stands
  }
  return value;
}

/**
 * A text summary's payload (job detail 'overview', engine/backtest.ts RunOverview): "SLO1" | u32 JSON bytes | JSON.
 * A few hundred bytes whatever the run's length: no trade, order or equity records cross.
 */
const OVERVIEW_MAGIC = 0x314f4c53; // "SLO1" little-endian
const OVERVIEW_HEAD = 8;

export function encodeOverview(overview: RunOverview): Uint8Array {
  const json = encodeUtf8(stringify(overview));
  const out = new Uint8Array(OVERVIEW_HEAD + json.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, OVERVIEW_MAGIC, true);
  view.setUint32(4, json.length, true);
  out.set(json, OVERVIEW_HEAD);
  return out;
}

/**
 * Decodes and checks an overview payload; throws an Error saying what is wrong with a malformed one. `symbols` are
 * the host's own symbols of the run, in order: an overview of other bars is refused.
 */
export function decodeOverview(payload: Buffer, symbols: readonly string[]): RunOverview {
  if (payload.length < OVERVIEW_HEAD || payload.readUInt32LE(0) !== OVERVIEW_MAGIC) throw new Error('not an overview payload');
  if (OVERVIEW_HEAD + payload.readUInt32LE(4) !== payload.length) throw new Error(`overview of ${payload.length} bytes does not match its header`);
  const value = JSON.parse(payload.toString('utf8', OVERVIEW_HEAD)) as Partial<RunOverview> | null;
  const run = value?.run;
  if (!value || typeof value.metrics !== 'object' || !value.metrics || !Number.isSafeInteger(value.openTrades) || value.openTrades! < 0) {
    throw new Error('an overview without metrics or a count of open trades');
  }
  if (!run || typeof run.strategy !== 'string' || !Number.isSafeInteger(run.bars) || run.bars < 0 || typeof run.options !== 'object' || !run.options) {
    throw new Error("an overview without the run's strategy, bars or options");
  }
  if (!Array.isArray(run.symbols) || run.symbols.length !== symbols.length || run.symbols.some((s, i) => s !== symbols[i])) {
    throw new Error(`an overview of symbols ${JSON.stringify(run.symbols)} for a run of ${JSON.stringify(symbols)}`);
  }
  return { run: { strategy: run.strategy, symbols: run.symbols, bars: run.bars, options: run.options }, metrics: value.metrics, openTrades: value.openTrades! };
}

/**
 * The one rule for times a payload may leave out: a one-symbol run's bar times, its series' own time column, which
 * the engine uses as its time grid itself (engine/grid.ts). The sandbox passes its series (identity is what it
 * checks), the host its own bars in the same window. Undefined for several symbols.
 */
export function oneSeriesTimes(series: readonly BarSeries[]): Float64Array | undefined {
  if (series.length !== 1) return undefined;
  const [s] = series;
  return s.time.length === s.length ? s.time : s.time.subarray(0, s.length);
}

/** The host's bar times for columns sent without them, checked against the count the sandbox claims. */
function hostBarTimes(barTimes: (() => Float64Array | undefined) | undefined, n: number): Float64Array {
  const bars = barTimes?.();
  if (!bars) throw new Error('columns without their times for a run that has no single series of bars');
  if (bars.length !== n) throw new Error(`${n} points for ${bars.length} bars`);
  return bars;
}

/** `count` doubles at `offset`; a view when aligned, else a copy (received chunks start anywhere). */
function float64s(buf: Buffer, offset: number, count: number): Float64Array {
  const at = buf.byteOffset + offset;
  if (at % 8 === 0) return new Float64Array(buf.buffer, at, count);
  return new Float64Array(buf.buffer.slice(at, at + count * 8));
}

/**
 * Why a decoded result is not what was asked for (undefined when it is). Every point (`drawable` false): one per bar
 * of the run. Drawable: that, or a subset drawn from all the run's bars and flagged so (`run.equityDecimated`), with
 * the full equity columns of its bars beside it when `'with-columns'` (a single run's; a batch's re-runs leave them).
 */
export function resultMismatch(result: BacktestResult, drawable: false | 'drawn' | 'with-columns'): string | undefined {
  const { run, equity } = result;
  const drawn = run?.equityDecimated;
  if (!drawn) return equity.length === run?.bars ? undefined : `${equity.length} equity points for a run of ${run?.bars} bars`;
  if (!drawable || drawn.from !== run.bars || drawn.to !== equity.length) {
    return `a result flagged as drawn from ${drawn.from} bars (${drawn.to} points) where ${drawable ? 'a drawable' : 'every point of a'} run of ${run.bars} bars was asked for (${equity.length} points came)`;
  }
  if (drawable === 'with-columns' && equityColumnsOf(result)?.time.length !== run.bars) return `a drawn result without the equity columns of its ${run.bars} bars`;
  return undefined;
}

/**
 * Why a decoded outcome is not what a batch of `detail` asked for (undefined when it is): a result for 'full' or
 * 'drawable' as resultMismatch says, a summary or a record only for its own detail. A failed variant answers any.
 */
export function outcomeMismatch(outcome: DecodedOutcome, detail: BatchSpec['detail']): string | undefined {
  if (!outcome.ok) return undefined;
  const kind = 'result' in outcome ? 'result' : 'summary' in outcome ? 'summary' : 'record';
  const wanted = detail === 'full' || detail === 'drawable' ? 'result' : detail;
  if (kind !== wanted) return `a ${kind} where the batch asked for '${detail}'`;
  return 'result' in outcome ? resultMismatch(outcome.result, detail === 'drawable' ? 'drawn' : false) : undefined;
}

/**
 * A batch variant's outcome (the FRAME_OUTCOME payload after the supervisor's u32 index):
 *   u8 status | 7 zero bytes | body
 * The body starts 8 bytes in, so the Float64 columns it carries are 8-aligned where the outcome is: in the worker's
 * buffer, and on the host, whose frame decoder places a large outcome 8-aligned (protocol.ts alignedPayload), so
 * both sides write and read the columns in place.
 * status 1: body is encodeResult's payload (detail 'full');
 * status 2: a summary: "SLS1" | u32 JSON bytes | u32 points | JSON {metrics, trades, params} | zero padding
 *           to 8 (counted from the body's start) | Float64 time[n] | Float64 equity[n];
 *           or "SLS2", the same without the time column, when the run's times are its one series' bar times
 *           (a one-symbol run: the engine's time grid is that series' time column itself, engine/grid.ts). The
 *           host has those bars (it sent them), so it takes the times from its own copy: a 1 M-bar summary
 *           crosses as 8 MB instead of 16;
 * status 3: a record (detail 'record'): UTF-8 JSON of core/sweep/score.ts SummaryRecord;
 * status 0: a failed variant: UTF-8 JSON {name, message}.
 */
export const OUTCOME_FAILED = 0;
export const OUTCOME_FULL = 1;
export const OUTCOME_SUMMARY = 2;
export const OUTCOME_RECORD = 3;
const SUMMARY_MAGIC = 0x31534c53; // "SLS1" little-endian
const SUMMARY_BARS_MAGIC = 0x32534c53; // "SLS2": no time column, the times are the bars' (see above)
const SUMMARY_HEAD = 12;

/** What a summary carries (core/run/variants.ts's VariantSummary, named here so the codec needs no run types). */
export interface SummaryPayload {
  metrics: BacktestResult['metrics'];
  time: Float64Array;
  equity: Float64Array;
  trades: number;
  params: BacktestResult['run']['params'];
}

/** Bytes before an outcome's body: the status byte and zero padding to 8. */
const OUTCOME_BODY = 8;

/** `status` byte + padding + `body` in one buffer (transferable to the supervisor). */
function withStatus(status: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(OUTCOME_BODY + body.length);
  out[0] = status;
  out.set(body, OUTCOME_BODY);
  return out;
}

export function encodeFullOutcome(result: BacktestResult, barTimes?: Float64Array): Uint8Array {
  const out = encodeResult(result, OUTCOME_BODY, barTimes);
  out[0] = OUTCOME_FULL;
  return out;
}

export function encodeFailedOutcome(name: string, message: string): Uint8Array {
  return withStatus(OUTCOME_FAILED, encodeUtf8(stringify({ name, message })));
}

/**
 * A summary outcome. `barTimes`: the run's bar times (a one-symbol run's series time column, after any window); when
 * the summary's times are that very column, they are left out ("SLS2") and the host takes them from its bars.
 */
export function encodeSummaryOutcome(summary: SummaryPayload, barTimes?: Float64Array): Uint8Array {
  const n = summary.time.length;
  const withTime = summary.time !== barTimes;
  const json = encodeUtf8(stringify({ metrics: summary.metrics, trades: summary.trades, params: summary.params }));
  const columnsAt = OUTCOME_BODY + align8(SUMMARY_HEAD + json.length);
  const equityAt = columnsAt + (withTime ? n * 8 : 0);
  const buffer = new ArrayBuffer(equityAt + n * 8);
  const bytes = new Uint8Array(buffer);
  bytes[0] = OUTCOME_SUMMARY;
  const head = new DataView(buffer, OUTCOME_BODY);
  head.setUint32(0, withTime ? SUMMARY_MAGIC : SUMMARY_BARS_MAGIC, true);
  head.setUint32(4, json.length, true);
  head.setUint32(8, n, true);
  bytes.set(json, OUTCOME_BODY + SUMMARY_HEAD);
  if (withTime) new Float64Array(buffer, columnsAt, n).set(summary.time.subarray(0, n));
  new Float64Array(buffer, equityAt, n).set(summary.equity.subarray(0, n));
  return bytes;
}

/**
 * A record as JSON: the form it has in the journal too (non-finite numbers become null there). Every engine,
 * the in-process one included, passes its records through this encoding, so a record is the same whichever
 * engine ran the variant.
 */
export function encodeRecordOutcome(record: SummaryRecord): Uint8Array {
  return withStatus(OUTCOME_RECORD, encodeUtf8(stringify(record)));
}

/** A record as a sandbox would send it (through encodeRecordOutcome), for the engines that run in this process. */
export function recordAsSent(record: SummaryRecord): SummaryRecord {
  const decoded = decodeOutcome(Buffer.from(encodeRecordOutcome(record)));
  if (!('record' in decoded)) throw new Error('a record did not survive its encoding');
  return decoded.record;
}

export type DecodedOutcome =
  | { ok: true; result: BacktestResult }
  | { ok: true; summary: SummaryPayload }
  | { ok: true; record: SummaryRecord }
  | { ok: false; error: string };

/**
 * Decodes and checks an outcome payload; throws an Error saying what is wrong with a malformed one. `barTimes` gives
 * the host's own bar times of the variant (its one series' time column in the variant's window), for a summary sent
 * without them; undefined when the variant's run has more than one series.
 */
export function decodeOutcome(payload: Buffer, barTimes?: () => Float64Array | undefined): DecodedOutcome {
  if (payload.length < OUTCOME_BODY) throw new Error('an outcome shorter than its status');
  const status = payload[0];
  for (let i = 1; i < OUTCOME_BODY; i++) if (payload[i] !== 0) throw new Error('an outcome whose status padding is not zero');
  const body = payload.subarray(OUTCOME_BODY);
  if (status === OUTCOME_FULL) return { ok: true, result: decodeResult(body, barTimes) };
  if (status === OUTCOME_FAILED) {
    const value = JSON.parse(body.toString('utf8')) as { name?: unknown; message?: unknown };
    if (!value || typeof value.message !== 'string' || typeof value.name !== 'string') throw new Error('a failed outcome without a name and message');
    return { ok: false, error: value.message };
  }
  if (status === OUTCOME_RECORD) {
    const record: unknown = JSON.parse(body.toString('utf8'));
    if (!isSummaryRecord(record)) throw new Error('a record without its metrics, trades or params');
    return { ok: true, record };
  }
  if (status !== OUTCOME_SUMMARY) throw new Error(`an outcome of unknown status ${status}`);
  const magic = body.length < SUMMARY_HEAD ? 0 : body.readUInt32LE(0);
  if (magic !== SUMMARY_MAGIC && magic !== SUMMARY_BARS_MAGIC) throw new Error('not a summary payload');
  const withTime = magic === SUMMARY_MAGIC;
  const jsonLength = body.readUInt32LE(4);
  const n = body.readUInt32LE(8);
  const columnsAt = align8(SUMMARY_HEAD + jsonLength);
  if (columnsAt + n * (withTime ? 16 : 8) !== body.length) throw new Error(`summary of ${body.length} bytes does not match its header`);
  const value = JSON.parse(body.toString('utf8', SUMMARY_HEAD, SUMMARY_HEAD + jsonLength)) as Partial<SummaryPayload>;
  if (!value || typeof value.metrics !== 'object' || !value.metrics || typeof value.trades !== 'number' || typeof value.params !== 'object' || !value.params) {
    throw new Error('a summary without metrics, trades or params');
  }
  const time = withTime ? float64s(body, columnsAt, n) : hostBarTimes(barTimes, n);
  const equity = float64s(body, columnsAt + (withTime ? n * 8 : 0), n);
  return { ok: true, summary: { metrics: value.metrics, trades: value.trades, params: value.params, time, equity } };
}
