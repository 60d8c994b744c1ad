/**
 * Runs one job on a started sandbox: sends the job, decodes frames, streams
 * log lines to the caller, and turns every way a run can end into either the
 * result or a SandboxError. Shared by the Docker and process modes.
 */
import { randomBytes } from 'node:crypto';
import { seriesInWindow, type BarSeries, type TimeWindow } from '../data/series';
import type { BacktestResult, LogLine } from '../engine/types';
import type { RunOverview } from '../engine/backtest';
import type { SandboxChannel, SandboxExit } from './channel';
import { formatBytes, SandboxError } from './errors';
import type { SandboxLimits } from './limits';
import { decodeOverview, decodeResult, oneSeriesTimes, resultMismatch } from './result-codec';
import { writeJob, FRAME_ERROR, FRAME_LOG, FrameDecoder, ProtocolViolation, type Frame, type SandboxBacktestOptions } from './protocol';
import { readErrorPayload, readLogLine } from './caps';

export interface JobRequest {
  js: string;
  fileName: string;
  series: BarSeries[];
  options: SandboxBacktestOptions;
  limits: SandboxLimits;
  onLog?: (line: LogLine) => void;
  signal?: AbortSignal;
  /** See JobHeader.equity. */
  equity?: 'drawable';
}

/** The supervisor stops a run at the time limit itself; the host kills the sandbox this much later if it did not. */
export const HOST_GRACE_MS = 1500;
/** Cancel must have killed the sandbox by then (the issue's one-second promise). */
export const KILL_WAIT_MS = 900;
/** After the sandbox exits, how long to wait for its last output to arrive. */
export const DRAIN_MS = 1000;
export const STDERR_TAIL = 4096;

export function runJob(channel: SandboxChannel, req: JobRequest): Promise<BacktestResult> {
  return runSingleJob(channel, req, (payload) => {
    const result = decodeResult(payload, () => barTimes(req.series, undefined));
    const mismatch = resultMismatch(result, req.equity === 'drawable' ? 'with-columns' : false);
    if (mismatch) throw new Error(mismatch);
    return result;
  });
}

/** The same job reduced to what a text summary shows (JobHeader.detail 'overview'): no trade, order or equity records cross. */
export function runOverviewJob(channel: SandboxChannel, req: Omit<JobRequest, 'equity'>): Promise<RunOverview> {
  const symbols = req.series.map((s) => s.symbol);
  return runSingleJob(channel, { ...req, detail: 'overview' }, (payload) => decodeOverview(payload, symbols));
}

/** One job whose answer is one result frame, read by `decode` (which throws on a malformed payload). `detail`: JobHeader.detail. */
function runSingleJob<T>(channel: SandboxChannel, req: JobRequest & { detail?: 'overview' }, decode: (payload: Buffer) => T): Promise<T> {
  const { limits, onLog, signal } = req;
  return new Promise<T>((resolve, reject) => {
    if (signal?.aborted) {
      void channel.kill().finally(() => reject(cancelled()));
      return;
    }
    const key = randomBytes(16);
    const decoder = new FrameDecoder(key, limits.maxResultBytes);
    // Frames add a little to each log line; anything far beyond logs + result is a flood.
    const byteBudget = limits.maxLogBytes * 2 + limits.maxResultBytes + 64 * 1024;
    let received = 0;
    let stderr = '';
    let settled = false;
    let killedByUs = false;
    let stdoutEnded = false;

    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      channel.stdout.off('data', onData);
      channel.stderr.off('data', onStderr);
    };
    const succeed = (result: T) => {
      if (settled) return;
      settled = true;
      cleanup();
      resolve(result);
    };
    const fail = (error: SandboxError) => {
      if (settled) return;
      settled = true;
      cleanup();
      killedByUs = true;
      const killed = channel.kill().catch(() => {});
      void Promise.race([killed, delay(KILL_WAIT_MS)]).then(() => reject(error));
    };
    const onAbort = () => fail(cancelled());
    const onStderr = (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > byteBudget) {
        fail(new SandboxError('output-limit', `The sandbox produced more than ${formatBytes(byteBudget)} of output and was stopped. A strategy must not flood its output: log less.`));
        return;
      }
      const frames = pushFrames(decoder, chunk, limits, fail);
      if (!frames) return;
      for (const frame of frames) {
        if (settled) return;
        if (frame.type === FRAME_LOG) {
          const line = readLogLine(parseJson(frame.payload));
          if (typeof line === 'string') return fail(malformed(line));
          try {
            onLog?.(line);
          } catch {
            // A failing log consumer must not take the run down.
          }
        } else if (frame.type === FRAME_ERROR) {
          const e = readErrorPayload(parseJson(frame.payload));
          if (typeof e === 'string') return fail(malformed(e));
          fail(new SandboxError(e.kind, e.message, e.name, e.at));
        } else {
          let result: T;
          try {
            result = decode(frame.payload);
          } catch (err) {
            fail(new SandboxError('protocol', `The sandbox returned a malformed result (${(err as Error).message}).`));
            return;
          }
          succeed(result);
        }
      }
    };

    channel.stdout.on('data', onData);
    channel.stdout.once('end', () => (stdoutEnded = true));
    channel.stderr.on('data', onStderr);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => {
      fail(new SandboxError('timeout', `The backtest ran longer than the ${Math.round(limits.timeMs / 100) / 10} s time limit and was stopped. Look for an endless loop, or raise the sandbox time limit.`));
    }, limits.timeMs + HOST_GRACE_MS);

    void channel.exited.then(async (exit) => {
      if (settled) return;
      // Let the last frames arrive before deciding the run died without a result.
      const until = Date.now() + DRAIN_MS;
      while (!stdoutEnded && !settled && Date.now() < until) await delay(20);
      if (settled || killedByUs) return;
      fail(exitError(channel, exit, stderr, limits));
    });

    writeJob(channel.stdin, { key, js: req.js, fileName: req.fileName, options: req.options, timeMs: limits.timeMs, maxLogBytes: limits.maxLogBytes, series: req.series, ...(req.equity ? { equity: req.equity } : {}), ...(req.detail ? { detail: req.detail } : {}) }, (err) => {
      if (err && !settled) fail(new SandboxError('crashed', `Could not send the job to the sandbox (${channel.label}): ${err.message}.`));
    });
  });
}

/** The frames in `chunk`, or undefined after reporting (to `fail`) bytes that are not well-formed keyed frames or are too large. */
export function pushFrames(decoder: FrameDecoder, chunk: Buffer, limits: SandboxLimits, fail: (error: SandboxError) => void): Frame[] | undefined {
  try {
    return decoder.push(chunk);
  } catch (err) {
    if (err instanceof ProtocolViolation && err.oversize) {
      fail(new SandboxError('output-limit', `The backtest result is larger than the ${formatBytes(limits.maxResultBytes)} limit. Use a shorter date range, or raise the sandbox result limit.`));
    } else {
      fail(new SandboxError('protocol', `The run was stopped because its output channel was tampered with (${(err as Error).message}). Strategy code must not write to the process output directly.`));
    }
    return undefined;
  }
}

/** Why a sandbox that exited without a result stopped: out of memory (the kernel's or V8's) or a crash. */
export function exitError(channel: SandboxChannel, exit: SandboxExit, stderr: string, limits: SandboxLimits): SandboxError {
  const oom = exit.oomKilled || exit.code === 137 || exit.signal === 'SIGKILL';
  if (!oom && V8_OUT_OF_MEMORY.test(stderr)) {
    // V8 gave up on an allocation it could not satisfy (a heap bomb in the worker can take the whole process
    // down with a fatal error and exit 134/139 instead of the worker's catchable out-of-memory error).
    return new SandboxError('memory', `The strategy ran out of memory within the sandbox's ${limits.memoryMb} MB limit and the sandbox was stopped. Keep less history in memory, or raise the sandbox memory limit.`);
  }
  if (oom) return new SandboxError('memory', `The sandbox was killed at its ${limits.memoryMb} MB memory limit. The strategy allocates too much memory: keep less history, or raise the sandbox memory limit.`);
  const tail = stderr.trim().split('\n').slice(-5).join('\n');
  return new SandboxError('crashed', `The sandbox (${channel.label}) exited with code ${exit.code ?? exit.signal} before returning a result.${tail ? ` Its last output:\n${tail}` : ''}`);
}

/** What V8 prints on stderr when it aborts the process for lack of memory. */
const V8_OUT_OF_MEMORY = /JavaScript heap out of memory|Fatal JavaScript out of memory|Fatal process out of memory|Reached heap limit|Ineffective mark-compacts near heap limit/i;

/** A frame's JSON, or undefined when it is not JSON (readLogLine/readErrorPayload then say what is wrong). */
export function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}

export function malformed(problem: string): SandboxError {
  return new SandboxError('protocol', `The sandbox sent ${problem}; the run was stopped. This is a sandbox bug or a tampered output channel.`);
}

export function cancelled(): SandboxError {
  return new SandboxError('cancelled', 'The backtest was cancelled.');
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The host's own bar times of a run (in a variant's window), for the times a sandbox leaves out (result-codec.ts). */
export function barTimes(series: BarSeries[], window: TimeWindow | undefined): Float64Array | undefined {
  return oneSeriesTimes(seriesInWindow(series, window));
}
