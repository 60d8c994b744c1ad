/**
 * A sandbox that answers with something other than what the host asked for is refused where the answer arrives
 * (core/sandbox/job.ts runJob, core/sandbox/batch-job.ts runBatchJob), not only by the codec's checks
 * (test/sandbox/result-codec.test.ts): a stand-in channel plays a runtime that sends well-formed frames carrying the
 * wrong kind of result (drawn points where every point was asked for, a drawn curve without its columns, a
 * summary where a whole result was due). The run must fail as a protocol error, and the sandbox be stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { runBacktest } from '../../core/engine/backtest';
import { EQUITY_FULL_MAX, withoutFullColumns } from '../../core/engine/equityCurve';
import type { BacktestResult } from '../../core/engine/types';
import { summarize } from '../../core/run/variants';
import { runBatchJob } from '../../core/sandbox/batch-job';
import type { SandboxChannel, SandboxExit } from '../../core/sandbox/channel';
import { SandboxError } from '../../core/sandbox/errors';
import { runJob } from '../../core/sandbox/job';
import { DEFAULT_LIMITS } from '../../core/sandbox/limits';
import { encodeFrame, FRAME_END, FRAME_OUTCOME, FRAME_RESULT, JobReader, type BatchSpec, type Job } from '../../core/sandbox/protocol';
import { encodeFullOutcome, encodeResult, encodeSummaryOutcome } from '../../core/sandbox/result-codec';
import { bars, CROSSING } from './helpers';


/** A channel whose "runtime" reads the job and answers with the frames `answer` makes for its key. */
function answering(answer: (job: Job) => Buffer[]): SandboxChannel & { killed: () => boolean } {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let exit: (e: SandboxExit) => void = () => {};
  const exited = new Promise<SandboxExit>((resolve) => (exit = resolve));
  let killed = false;
  let alive = true;
  const reader = new JobReader();
  stdin.on('data', (chunk: Buffer) => {
    const read = reader.push(chunk);
    if (read) for (const frame of answer(read.job)) stdout.write(frame);
  });
  return {
    stdin, stdout, stderr, exited, label: 'stand-in runtime', ready: Promise.resolve(), memoryMb: 512,
    get alive() { return alive; },
    async kill() {
      killed = true;
      alive = false;
      exit({ code: 137, signal: 'SIGKILL' } as SandboxExit);
    },
    async dispose() {},
    killed: () => killed,
  };
}

const cls = CROSSING;
const n = EQUITY_FULL_MAX + 2_001;
const series = [bars(n)];
const every = runBacktest(cls, series, {});
const drawable = runBacktest(cls, series, {}, { equity: 'drawable' });
const drawnOnly = withoutFullColumns(runBacktest(cls, series, {}, { equity: 'drawable' }));
const request = { js: 'unused: the stand-in never runs it', fileName: 'x.strategy.js', series, options: {}, limits: { ...DEFAULT_LIMITS, timeMs: 20_000 } };
const result = (r: BacktestResult) => (job: Job) => [encodeFrame(FRAME_RESULT, job.key, encodeResult(r))];

test('a single run gets only what it asked for: every point, or a drawn curve with its columns', async () => {
  // Control: the right answers are taken.
  const ok = answering(result(every));
  assert.equal((await runJob(ok, request)).equity.length, n);
  const okDrawn = answering(result(drawable));
  assert.ok((await runJob(okDrawn, { ...request, equity: 'drawable' })).run.equityDecimated, 'a drawn result with its columns');
  assert.equal(okDrawn.killed(), false);

  for (const [asked, answer, pattern] of [
    [undefined, drawable, /drawn|decimated|every point|equity points/],
    [undefined, drawnOnly, /drawn|decimated|every point|equity points/],
    ['drawable', drawnOnly, /without the equity columns/],
  ] as const) {
    const channel = answering(result(answer));
    await assert.rejects(runJob(channel, { ...request, ...(asked ? { equity: asked } : {}) }), (e: unknown) => {
      assert.ok(e instanceof SandboxError, String(e));
      assert.equal(e.kind, 'protocol');
      assert.match(e.message, /malformed result/);
      assert.match(e.message, pattern);
      return true;
    }, `asked ${asked ?? 'every point'}`);
    assert.equal(channel.killed(), true, 'the sandbox is stopped');
  }
});

test('a batch outcome must be what the batch asked for; the first one that is not ends the batch as a protocol error', async () => {
  const variants = [{}, { params: { period: 3 } }];
  const batchOf = (detail: BatchSpec['detail']): BatchSpec => ({ detail, variants });
  const outcomes = (payloads: Uint8Array[]) => (job: Job) => [
    ...payloads.map((p, i) => encodeFrame(FRAME_OUTCOME, job.key, p, i)),
    encodeFrame(FRAME_END, job.key, JSON.stringify({ outcomes: payloads.length })),
  ];
  const run = async (detail: BatchSpec['detail'], payloads: Uint8Array[]) => {
    const channel = answering(outcomes(payloads));
    const got: number[] = [];
    const end = await runBatchJob(channel, { ...request, batch: batchOf(detail), onOutcome: (i) => got.push(i) });
    return { end, got, killed: channel.killed() };
  };
  const full = encodeFullOutcome(every);
  const drawn = encodeFullOutcome(drawnOnly);
  const summary = encodeSummaryOutcome(summarize(every));

  const right = await run('full', [full, full]);
  assert.deepEqual([right.end.outcomes, right.end.error, right.got, right.killed], [2, undefined, [0, 1], false]);
  assert.equal((await run('drawable', [drawn, full])).end.error, undefined, "'drawable' takes drawn points or every point");

  for (const [detail, second, pattern] of [
    ['full', drawn, /drawn from/],
    ['full', summary, /a summary where the batch asked for 'full'/],
    ['summary', full, /a result where the batch asked for 'summary'/],
  ] as const) {
    const first = detail === 'summary' ? summary : full;
    const { end, got, killed } = await run(detail, [first, second]);
    assert.deepEqual(got, [0], `${detail}: the first outcome was taken, the second refused`);
    assert.equal(end.outcomes, 1);
    assert.ok(end.error instanceof SandboxError);
    assert.equal(end.error.kind, 'protocol');
    assert.match(end.error.message, /malformed outcome/);
    assert.match(end.error.message, pattern);
    assert.equal(killed, true, 'the sandbox is stopped');
  }
});
