import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runBacktest, runBacktestSummary } from '../../core/engine/backtest';
import type { BacktestResult } from '../../core/engine/types';
import type { StrategyClass } from '../../core/strategy/load';
import { encodeFrame, FRAME_LOG, FRAME_OUTCOME, FRAME_RESULT, FrameDecoder, type Frame } from '../../core/sandbox/protocol';
import { decodeOutcome, decodeResult, encodeFailedOutcome, encodeFullOutcome, encodeRecordOutcome, encodeResult, encodeSummaryOutcome, OUTCOME_FAILED, OUTCOME_RECORD, outcomeMismatch, recordAsSent, resultMismatch } from '../../core/sandbox/result-codec';
import { summarize } from '../../core/run/variants';
import { summaryRecord } from '../../core/sweep/score';
import { bars, Crossing, CROSSING } from './helpers';
import type { BarSeries } from '../../core/data/series';
import { equityColumnsOf, EQUITY_FULL_MAX, withoutFullColumns } from '../../core/engine/equityCurve';


function engineResult(n = 400): BacktestResult {
  return runBacktest(CROSSING, [bars(n)], {});
}

const roundTrip = (r: BacktestResult) => decodeResult(Buffer.from(encodeResult(r)));

test('an engine result round-trips: same object, same key order, byte-identical JSON', () => {
  const result = engineResult();
  assert.ok(result.trades.length > 3, 'the strategy trades');
  const back = roundTrip(result);
  assert.deepEqual(back, result);
  assert.deepEqual(Object.keys(back), Object.keys(result));
  assert.deepEqual(Object.keys(back.equity[7]), Object.keys(result.equity[7]));
  assert.equal(JSON.stringify(back), JSON.stringify(result));
});

test('the equity curve travels as columns: the payload is a fraction of the JSON', () => {
  const result = engineResult(5000);
  const bytes = encodeResult(result);
  const equityBytes = bytes.length - Buffer.byteLength(JSON.stringify({ ...result, equity: null }));
  const equityJson = Buffer.byteLength(JSON.stringify(result.equity));
  assert.ok(equityBytes < equityJson * 0.4, `the equity curve takes ${equityBytes} bytes, ${equityJson} as JSON`);
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.byteLength, bytes.buffer.byteLength, 'the payload owns its whole buffer (it is transferred, not copied)');
});

test('doubles cross as their exact bits, including values JSON cannot carry', () => {
  const result = engineResult(50);
  const special = [0.1 + 0.2, 1e-300, -0, Number.MAX_VALUE, NaN, -Infinity];
  result.equity = special.map((v, i) => ({ time: `2020-01-0${i + 1}T09:3${i}`, equity: v, drawdownPct: -v }));
  const back = roundTrip(result);
  back.equity.forEach((p, i) => {
    assert.ok(Object.is(p.equity, special[i]), `equity[${i}] ${p.equity} vs ${special[i]}`);
    assert.ok(Object.is(p.drawdownPct, -special[i]), `drawdownPct[${i}]`);
    assert.equal(p.time, result.equity[i].time);
  });
});

test('a run without equity points, and a payload decoded from an unaligned frame split into odd chunks', () => {
  const empty = engineResult(50);
  empty.equity = [];
  assert.deepEqual(roundTrip(empty).equity, []);

  const key = new Uint8Array(16).fill(3);
  const result = engineResult(300);
  const stream = Buffer.concat([Buffer.from('x'), encodeFrame(FRAME_RESULT, key, encodeResult(result))]).subarray(1); // payload starts at an odd address
  const decoder = new FrameDecoder(key, 1 << 24);
  const frames = [];
  for (let i = 0; i < stream.length; i += 777) frames.push(...decoder.push(stream.subarray(i, i + 777)));
  assert.equal(frames.length, 1);
  assert.deepEqual(decodeResult(frames[0].payload), result);
});

test('malformed payloads are refused with the reason', () => {
  const good = Buffer.from(encodeResult(engineResult(60)));
  assert.throws(() => decodeResult(Buffer.from('{"metrics":{}}')), /not a result payload/);
  assert.throws(() => decodeResult(good.subarray(0, good.length - 8)), /does not match its header/);
  assert.throws(() => decodeResult(Buffer.concat([good, Buffer.alloc(8)])), /does not match its header/);
  const moreTimes = Buffer.from(good);
  moreTimes.writeUInt32LE(moreTimes.readUInt32LE(8) - 1, 8); // one point fewer: the sizes no longer add up
  assert.throws(() => decodeResult(moreTimes), /does not match its header/);

  const forged = (json: string, times: string[], n = times.length) => {
    const j = Buffer.from(json), t = Buffer.from(times.join('\n'));
    const at = (16 + j.length + t.length + 7) & ~7;
    const b = Buffer.alloc(at + n * 16);
    b.writeUInt32LE(0x31524c53, 0); b.writeUInt32LE(j.length, 4); b.writeUInt32LE(n, 8); b.writeUInt32LE(t.length, 12);
    j.copy(b, 16); t.copy(b, 16 + j.length);
    return b;
  };
  assert.throws(() => decodeResult(forged('{"metrics":{},"trades":[],"equity":null}', ['a\nb', 'c'])), /3 equity times for 2 points/);
  assert.throws(() => decodeResult(forged('{"metrics":{},"trades":[],"equity":[]}', ['a'])), /missing metrics, trades or equity/);
  assert.throws(() => decodeResult(forged('{"trades":[],"equity":null}', [])), /missing metrics/);
  assert.throws(() => decodeResult(forged('{"metrics":', [])), SyntaxError);
  assert.equal(decodeResult(forged('{"metrics":{},"trades":[],"equity":null}', ['a', 'b'])).equity.length, 2);
});

test('a record (detail "record") crosses as its JSON: a few hundred bytes, the journal\'s form, checked on arrival', () => {
  const result = engineResult(400);
  const record = summaryRecord(summarize(result), 16);
  const bytes = encodeRecordOutcome(record);
  assert.equal(bytes[0], OUTCOME_RECORD);
  assert.ok(bytes.length < 2500, `a record is small (${bytes.length} bytes) whatever the bars`);
  const decoded = decodeOutcome(Buffer.from(bytes));
  assert.ok('record' in decoded && decoded.ok);
  assert.deepEqual(decoded.record, JSON.parse(JSON.stringify(record)));
  assert.equal(decoded.record.blocks?.length, 48);
  // What the in-process engines hand out is the same decoded form.
  assert.deepEqual(recordAsSent(record), decoded.record);
  // A value JSON cannot carry becomes null, as it does in the journal, on every engine alike.
  assert.equal(recordAsSent({ ...record, sharpe: Number.NaN }).sharpe, null);

  const malformed = (json: string) => Buffer.concat([Buffer.from([OUTCOME_RECORD, 0, 0, 0, 0, 0, 0, 0]), Buffer.from(json)]);
  assert.throws(() => decodeOutcome(malformed('{"ok":true,"params":{}}')), /record without/);
  assert.throws(() => decodeOutcome(malformed(JSON.stringify({ ...record, trades: '3' }))), /record without/);
  assert.throws(() => decodeOutcome(malformed(JSON.stringify({ ...record, blocks: ['x'] }))), /record without/);
  assert.throws(() => decodeOutcome(malformed('{"ok":tru')), SyntaxError);
});

test("a decimated result ('drawable' equity) crosses with its full columns, and the host gets what a run in this process gives", () => {
  const n = EQUITY_FULL_MAX + 20_001;
  const result = runBacktest(CROSSING, [bars(n)], {}, { equity: 'drawable' });
  assert.ok(result.run.equityDecimated, 'the run decimated its curve');
  const full = equityColumnsOf(result)!;
  const bytes = encodeResult(result);
  assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true), 0x32524c53, 'SLR2');
  const back = roundTrip(result);
  assert.equal(JSON.stringify(back), JSON.stringify(result), 'the result itself, byte for byte');
  const cols = equityColumnsOf(back);
  assert.ok(cols, 'the full columns came along');
  assert.deepEqual([...cols.time], [...full.time]);
  assert.deepEqual([...cols.equity], [...full.equity]);
  assert.deepEqual([...cols.drawdownPct], [...full.drawdownPct]);
  // A payload claiming columns for a result that says it was not decimated is refused.
  const tampered = JSON.parse(JSON.stringify({ ...result, equity: null })) as BacktestResult;
  delete (tampered.run as { equityDecimated?: unknown }).equityDecimated;
  const forged = encodeResult(Object.assign(tampered, { equity: result.equity }));
  assert.equal(new DataView(forged.buffer, forged.byteOffset).getUint32(0, true), 0x31524c53, 'no columns attached: SLR1');
  const withColumns = Buffer.from(bytes);
  const jsonLength = withColumns.readUInt32LE(4);
  const json = withColumns.toString('utf8', 24, 24 + jsonLength).replace('"equityDecimated"', '"equityDecimatez"');
  withColumns.write(json, 24, 'utf8');
  assert.throws(() => decodeResult(withColumns), /not flagged as decimated/);
  // An undecimated run keeps the old format.
  assert.equal(new DataView(encodeResult(engineResult(300)).buffer).getUint32(0, true), 0x31524c53);
});

/** `payload` as the supervisor frames it (an outcome after its u32 index), behind an odd prefix, cut at random. */
function received(type: typeof FRAME_RESULT | typeof FRAME_OUTCOME, payload: Uint8Array, index?: number): Frame[] {
  const key = new Uint8Array(16).fill(5);
  const stream = Buffer.concat([Buffer.from('x'), encodeFrame(type, key, payload, index), encodeFrame(FRAME_LOG, key, '{"time":null,"message":"after"}')]).subarray(1);
  const decoder = new FrameDecoder(key, 64 * 1024 * 1024, [FRAME_RESULT, FRAME_OUTCOME, FRAME_LOG]);
  const frames: Frame[] = [];
  let seed = payload.length;
  for (let at = 0; at < stream.length;) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const size = 1 + (seed % 70_000);
    frames.push(...decoder.push(stream.subarray(at, at + size)));
    at += size;
  }
  assert.equal(decoder.buffered, 0);
  assert.deepEqual(frames.map((f) => f.type), [type, FRAME_LOG], 'the frame, and the one after it intact');
  assert.equal(frames[1].payload.toString(), '{"time":null,"message":"after"}');
  return frames;
}

test('a large result or outcome arrives in one buffer of its own, and its columns are read there, not copied', () => {
  const result = runBacktest(CROSSING, [bars(EQUITY_FULL_MAX + 20_001)], {}, { equity: 'drawable' });
  const [frame] = received(FRAME_RESULT, encodeResult(result));
  assert.equal(frame.payload.byteOffset % 8, 0, 'a result payload starts 8-aligned');
  const back = decodeResult(frame.payload);
  assert.equal(JSON.stringify(back), JSON.stringify(result));
  assert.equal(equityColumnsOf(back)!.equity.buffer, frame.payload.buffer, 'the full equity column is a view of the frame');

  // A summary outcome (detail 'summary'): its columns are views too, and equal the run's.
  const summary = summarize(runBacktest(CROSSING, [bars(6000)], {}));
  const [out] = received(FRAME_OUTCOME, encodeSummaryOutcome(summary), 41);
  assert.equal(out.payload.readUInt32LE(0), 41, 'the index comes first');
  assert.equal((out.payload.byteOffset + 4) % 8, 0, 'the outcome after it starts 8-aligned');
  const decoded = decodeOutcome(out.payload.subarray(4));
  assert.ok('summary' in decoded);
  assert.equal(decoded.summary.time.buffer, out.payload.buffer, 'time is a view of the frame');
  assert.equal(decoded.summary.equity.buffer, out.payload.buffer, 'equity is a view of the frame');
  assert.deepEqual([...decoded.summary.time], [...summary.time]);
  assert.deepEqual([...decoded.summary.equity], [...summary.equity]);
  assert.deepEqual(decoded.summary.metrics, JSON.parse(JSON.stringify(summary.metrics)));

  // A full outcome (detail 'full') is the result's payload written in place after the status.
  const [full] = received(FRAME_OUTCOME, encodeFullOutcome(result), 0);
  const fullBack = decodeOutcome(full.payload.subarray(4));
  assert.ok('result' in fullBack);
  assert.equal(JSON.stringify(fullBack.result), JSON.stringify(result));
  assert.equal(equityColumnsOf(fullBack.result)!.time.buffer, full.payload.buffer);

  // Decoding does not depend on alignment: the same bytes at an odd address give the same values (copied).
  const odd = Buffer.concat([Buffer.from('x'), out.payload.subarray(4)]).subarray(1);
  const oddBack = decodeOutcome(odd);
  assert.ok('summary' in oddBack);
  assert.notEqual(oddBack.summary.time.buffer, odd.buffer);
  assert.deepEqual([...oddBack.summary.equity], [...summary.equity]);
});

test('an outcome is its status, seven zero bytes, then its body; anything else is refused', () => {
  const bytes = encodeFailedOutcome('Error', 'boom');
  assert.deepEqual([...bytes.subarray(0, 8)], [OUTCOME_FAILED, 0, 0, 0, 0, 0, 0, 0]);
  assert.deepEqual(decodeOutcome(Buffer.from(bytes)), { ok: false, error: 'boom' });
  const padded = Buffer.from(bytes);
  padded[5] = 1;
  assert.throws(() => decodeOutcome(padded), /padding is not zero/);
  assert.throws(() => decodeOutcome(Buffer.from([OUTCOME_FAILED, 0, 0])), /shorter than its status/);
});

test('a one-symbol summary leaves its times out and the host takes its own bars\' times; anything else carries them', () => {
  const series = bars(6000);
  const summary = runBacktestSummary(CROSSING, [series], {});
  assert.equal(summary.time, series.time, 'a one-symbol run\'s times are its series\' time column itself (engine/grid.ts), which the worker checks by identity');
  const lean = encodeSummaryOutcome(summary, series.time);
  const full = encodeSummaryOutcome(summary);
  assert.equal(full.length - lean.length, 6000 * 8, 'the time column is left out');
  assert.equal(encodeSummaryOutcome(summary, Float64Array.from(series.time)).length, full.length, 'equal values in another array are not the bars: times sent');
  const back = decodeOutcome(Buffer.from(lean), () => series.time);
  assert.ok('summary' in back);
  assert.equal(back.summary.time, series.time, 'the host\'s own column');
  assert.deepEqual([...back.summary.equity], [...summary.equity]);
  assert.deepEqual(back.summary.metrics, JSON.parse(JSON.stringify(summary.metrics)));
  assert.throws(() => decodeOutcome(Buffer.from(lean)), /without their times/);
  assert.throws(() => decodeOutcome(Buffer.from(lean), () => undefined), /without their times/);
  assert.throws(() => decodeOutcome(Buffer.from(lean), () => series.time.subarray(1)), /6000 points for 5999 bars/);
  // A summary with its times ignores the host's bars.
  const withTimes = decodeOutcome(Buffer.from(full), () => new Float64Array(6000));
  assert.ok('summary' in withTimes);
  assert.deepEqual([...withTimes.summary.time], [...series.time]);
});

test('a one-symbol decimated result leaves its full times out ("SLR3") and the host takes its own bars\' times', () => {
  const series = bars(EQUITY_FULL_MAX + 20_001);
  const result = runBacktest(CROSSING, [series], {}, { equity: 'drawable' });
  assert.equal(equityColumnsOf(result)!.time, series.time, 'the full times are the series\' column itself');
  const lean = encodeResult(result, 0, series.time);
  assert.equal(new DataView(lean.buffer).getUint32(0, true), 0x33524c53, 'SLR3');
  assert.equal(encodeResult(result).length - lean.length, series.length * 8, 'the time column is left out');
  const back = decodeResult(Buffer.from(lean), () => series.time);
  assert.equal(JSON.stringify(back), JSON.stringify(result));
  const cols = equityColumnsOf(back)!;
  assert.equal(cols.time, series.time, 'the host\'s own column');
  assert.deepEqual([...cols.equity], [...equityColumnsOf(result)!.equity]);
  assert.deepEqual([...cols.drawdownPct], [...equityColumnsOf(result)!.drawdownPct]);
  assert.throws(() => decodeResult(Buffer.from(lean)), /without their times/);
  assert.throws(() => decodeResult(Buffer.from(lean), () => series.time.subarray(5)), /points for \d+ bars/);
  // In a full outcome (a batch's detail 'full') the same, through decodeOutcome.
  const outcome = decodeOutcome(Buffer.from(encodeFullOutcome(result, series.time)), () => series.time);
  assert.ok('result' in outcome);
  assert.equal(JSON.stringify(outcome.result), JSON.stringify(result));
  // Times that are equal but not the bars' own column are sent.
  assert.equal(new DataView(encodeResult(result, 0, Float64Array.from(series.time)).buffer).getUint32(0, true), 0x32524c53, 'SLR2');
  // An undecimated result has no full columns: the bars' times change nothing.
  const small = engineResult(300);
  assert.deepEqual(encodeResult(small, 0, small.equity.length ? bars(300).time : undefined), encodeResult(small));
});

test("a result of every point built as columns ('columns', \"SLR4\"/\"SLR5\") reaches the host as the 'all' run in this process, byte for byte", () => {
  // One symbol (the host's bar times: SLR5), the same with times sent (SLR4), two symbols on different calendars (SLR4).
  const one = bars(3000);
  const other = bars(2000, 'OTHER');
  for (let i = 0; i < other.length; i++) other.time[i] = one.time[0] + i * 1.5 * 86_400_000; // interleaved with one's days
  const cases: [string, BarSeries[], Float64Array | undefined, number][] = [
    ['one symbol, the bars\' times', [one], one.time, 0x35524c53],
    ['one symbol, times sent', [one], undefined, 0x34524c53],
    ['two symbols', [one, other], undefined, 0x34524c53],
  ];
  class Pair extends Crossing {
    static override config = { symbols: ['TEST', 'OTHER'], timeframe: '1d' as const };
  }
  for (const [name, series, barTimes, magic] of cases) {
    const cls = (series.length > 1 ? Pair : Crossing) as unknown as StrategyClass;
    const all = runBacktest(cls, series, {});
    const built = runBacktest(cls, series, {}, { equity: 'columns' });
    assert.deepEqual(built.equity, [], `${name}: no points made`);
    assert.equal(built.run.equityDecimated, undefined, name);
    const bytes = encodeResult(built, 0, barTimes);
    assert.equal(new DataView(bytes.buffer).getUint32(0, true), magic, name);
    const back = decodeResult(Buffer.from(bytes), () => (series.length === 1 ? series[0].time : undefined));
    assert.equal(JSON.stringify(back), JSON.stringify(all), `${name}: byte-identical to the 'all' run`);
    assert.deepEqual(Object.keys(back), Object.keys(all), name);
    assert.equal(equityColumnsOf(back), undefined, `${name}: an 'all' result carries no columns beside it`);
    // No time text (≥ 11 bytes a point), and no drawdown column either when the times are the host's.
    const saved = encodeResult(all).length - bytes.length;
    assert.ok(saved >= all.equity.length * (barTimes ? 18 : 10), `${name}: ${saved} bytes saved on ${all.equity.length} points`);
  }
  // Refused: points beside the columns, a decimation flag, a bar count that is not the columns', host bars of another length.
  const built = runBacktest(CROSSING, [one], {}, { equity: 'columns' });
  const lean = Buffer.from(encodeResult(built, 0, one.time));
  const rewrite = (edit: (json: Record<string, any>) => void, points = 0): Buffer => {
    const jsonLength = lean.readUInt32LE(4);
    const json = JSON.parse(lean.toString('utf8', 24, 24 + jsonLength));
    edit(json);
    const text = Buffer.from(JSON.stringify(json));
    const columnsAt = Math.ceil((24 + text.length) / 8) * 8;
    const out = Buffer.alloc(columnsAt + (points + one.length) * 8 + points * 8);
    lean.copy(out, 0, 0, 24);
    out.writeUInt32LE(text.length, 4);
    out.writeUInt32LE(points, 8);
    text.copy(out, 24);
    lean.copy(out, columnsAt + points * 16, lean.length - one.length * 8);
    return out;
  };
  assert.equal(JSON.stringify(decodeResult(rewrite(() => {}), () => one.time)), JSON.stringify(runBacktest(CROSSING, [one], {})), 'the rewriting itself keeps a valid payload');
  assert.throws(() => decodeResult(rewrite((j) => { j.run.equityDecimated = { from: one.length, to: 10 }; }), () => one.time), /flagged as decimated/);
  assert.throws(() => decodeResult(rewrite((j) => { j.run.bars = one.length - 1; }), () => one.time), /equity values for a run of/);
  assert.throws(() => decodeResult(rewrite(() => {}, 1), () => one.time), /equity points beside columns|does not match/);
  assert.throws(() => decodeResult(lean, () => one.time.subarray(1)), /points for \d+ bars/);
  assert.throws(() => decodeResult(lean), /without their times/);
  // The engine refuses to encode a result that has both.
  const both = runBacktest(CROSSING, [one], {}, { equity: 'columns' });
  both.equity = runBacktest(CROSSING, [one], {}).equity;
  assert.throws(() => encodeResult(both), /both every equity point and its columns/);
});

test("a batch outcome must be what its detail asked for: 'full' every point, 'drawable' every point or drawn from all the run's bars", () => {
  const n = EQUITY_FULL_MAX + 5_001;
  const cls = CROSSING;
  const all = runBacktest(cls, [bars(n)], {});
  const drawn = withoutFullColumns(runBacktest(cls, [bars(n)], {}, { equity: 'drawable' }));
  const short = engineResult();
  const through = (r: BacktestResult) => decodeOutcome(Buffer.from(encodeFullOutcome(r)));
  const summary = decodeOutcome(Buffer.from(encodeSummaryOutcome(summarize(short))));
  const record = decodeOutcome(Buffer.from(encodeRecordOutcome(summaryRecord(summarize(short)))));
  const failed = decodeOutcome(Buffer.from(encodeFailedOutcome('Error', 'boom')));
  // What each detail accepts.
  for (const [detail, ok] of [['full', [all, short]], ['drawable', [all, drawn, short]]] as const) {
    for (const r of ok) assert.equal(outcomeMismatch(through(r), detail), undefined, `${detail}: ${r.equity.length} points of ${r.run.bars} bars`);
  }
  assert.equal(outcomeMismatch(summary, 'summary'), undefined);
  assert.equal(outcomeMismatch(record, 'record'), undefined);
  for (const d of ['full', 'drawable', 'summary', 'record'] as const) assert.equal(outcomeMismatch(failed, d), undefined, `a failed variant answers '${d}'`);
  // What each refuses.
  assert.match(outcomeMismatch(through(drawn), 'full') ?? '', /drawn from .* where every point of a run of \d+ bars was asked for/);
  assert.match(outcomeMismatch(summary, 'full') ?? '', /a summary where the batch asked for 'full'/);
  assert.match(outcomeMismatch(record, 'summary') ?? '', /a record where the batch asked for 'summary'/);
  assert.match(outcomeMismatch(through(all), 'summary') ?? '', /a result where the batch asked for 'summary'/);
  const forge = (r: BacktestResult, run: Partial<BacktestResult['run']>, equity = r.equity) => through({ ...r, equity, run: { ...r.run, ...run } });
  assert.match(outcomeMismatch(forge(drawn, { equityDecimated: { from: n - 1, to: drawn.equity.length } }), 'drawable') ?? '', /drawn from/, 'drawn from fewer bars than the run has');
  assert.match(outcomeMismatch(forge(drawn, { equityDecimated: { from: n, to: drawn.equity.length + 3 } }), 'drawable') ?? '', /drawn from/, 'a count of points that is not the points sent');
  assert.match(outcomeMismatch(forge(all, {}, all.equity.slice(1)), 'full') ?? '', /equity points for a run of/, 'a point missing without a flag');
  assert.match(outcomeMismatch(forge(all, {}, all.equity.slice(1)), 'drawable') ?? '', /equity points for a run of/);
  // A single drawable run brings its full columns; a batch's drawn re-run leaves them.
  const withColumns = runBacktest(cls, [bars(n)], {}, { equity: 'drawable' });
  assert.equal(resultMismatch(withColumns, 'with-columns'), undefined);
  assert.equal(resultMismatch(all, 'with-columns'), undefined, 'every point is always an answer');
  assert.match(resultMismatch(drawn, 'with-columns') ?? '', /without the equity columns of its \d+ bars/);
  assert.equal(resultMismatch(drawn, 'drawn'), undefined);
  assert.match(resultMismatch(withColumns, false) ?? '', /every point of a run/);
});
