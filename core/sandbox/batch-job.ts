/**
 * Runs one batch job on a started sandbox: sends the strategy, the bars once and N variants, streams each
 * variant's outcome to the caller as its frame arrives, and reports how the batch ended. The host-side twin of
 * job.ts (one result); the frames are the same keyed frames, so bytes the supervisor did not write are
 * detected the same way (docs/sandbox.md, "Batches").
 */
import { randomBytes } from 'node:crypto';
import type { BarSeries } from '../data/series';
import type { SandboxChannel } from './channel';
import { SandboxError } from './errors';
import { barTimes, cancelled, delay, DRAIN_MS, exitError, HOST_GRACE_MS, KILL_WAIT_MS, malformed, parseJson, pushFrames, STDERR_TAIL } from './job';
import type { SandboxLimits } from './limits';
import { writeJob, FRAME_END, FRAME_ERROR, FRAME_LOG, FRAME_OUTCOME, FRAME_RESULT, FrameDecoder, type BatchSpec, type SandboxBacktestOptions } from './protocol';
import { decodeOutcome, outcomeMismatch, type DecodedOutcome } from './result-codec';
import { readErrorPayload } from './caps';

export interface BatchJobRequest {
  js: string;
  fileName: string;
  series: BarSeries[];
  options: SandboxBacktestOptions;
  batch: BatchSpec;
  /** `timeMs` is each variant's limit (the batch's is variants × timeMs); the result cap is per outcome. */
  limits: SandboxLimits;
  signal?: AbortSignal;
  /** Each outcome as it arrives, with its index in `batch.variants`. */
  onOutcome: (index: number, outcome: DecodedOutcome) => void;
}

/**
 * How a batch ended. `outcomes` variants (0…outcomes-1) were reported. With `error`, the variant at index
 * `outcomes` stopped the sandbox (time limit, memory, a crash, a tampered channel): it failed with that error and
 * the rest did not run. Without it and with outcomes < variants, the sandbox could not reset its realm: the rest
 * did not run and nothing failed.
 */
export interface BatchJobEnd {
  outcomes: number;
  error?: SandboxError;
  /** The error came from outside the sandbox (SandboxExit.infra): no variant is to blame; retry elsewhere. */
  infra?: boolean;
}

export function runBatchJob(channel: SandboxChannel, req: BatchJobRequest): Promise<BatchJobEnd> {
  const { limits, signal, batch } = req;
  return new Promise<BatchJobEnd>((resolve, reject) => {
    if (signal?.aborted) {
      void channel.kill().finally(() => reject(cancelled()));
      return;
    }
    const key = randomBytes(16);
    // Each frame is capped at the result limit (an outcome is at most one result); the index adds 4 bytes.
    const decoder = new FrameDecoder(key, limits.maxResultBytes + 4);
    let stderr = '';
    let settled = false;
    let killedByUs = false;
    let stdoutEnded = false;
    let outcomes = 0;
    let infra = false;

    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      channel.stdout.off('data', onData);
      channel.stderr.off('data', onStderr);
    };
    const end = (error?: SandboxError) => {
      if (settled) return;
      settled = true;
      cleanup();
      if (!error) return resolve({ outcomes });
      killedByUs = true;
      const killed = channel.kill().catch(() => {});
      void Promise.race([killed, delay(KILL_WAIT_MS)]).then(() => resolve({ outcomes, error, ...(infra ? { infra } : {}) }));
    };
    const onAbort = () => {
      if (settled) return;
      settled = true;
      cleanup();
      killedByUs = true;
      const killed = channel.kill().catch(() => {});
      void Promise.race([killed, delay(KILL_WAIT_MS)]).then(() => reject(cancelled()));
    };
    const onStderr = (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    };
    const onData = (chunk: Buffer) => {
      const frames = pushFrames(decoder, chunk, limits, end);
      if (!frames) return;
      for (const frame of frames) {
        if (settled) return;
        if (frame.type === FRAME_OUTCOME) {
          if (frame.payload.length < 5 || frame.payload.readUInt32LE(0) !== outcomes || outcomes >= batch.variants.length) {
            return end(malformed(`outcome ${frame.payload.length >= 4 ? frame.payload.readUInt32LE(0) : '?'} where ${outcomes} was due`));
          }
          let outcome: DecodedOutcome;
          try {
            outcome = decodeOutcome(frame.payload.subarray(4), () => barTimes(req.series, batch.variants[outcomes].window));
            const mismatch = outcomeMismatch(outcome, batch.detail);
            if (mismatch) throw new Error(mismatch);
          } catch (err) {
            return end(new SandboxError('protocol', `The sandbox returned a malformed outcome (${(err as Error).message}).`));
          }
          outcomes++;
          armTimer();
          try {
            req.onOutcome(outcomes - 1, outcome);
          } catch {
            // A failing consumer must not take the batch down.
          }
        } else if (frame.type === FRAME_END) {
          const reported = (parseJson(frame.payload) as { outcomes?: unknown } | undefined)?.outcomes;
          if (reported !== outcomes) return end(malformed(`a batch end after ${String(reported)} outcomes where ${outcomes} arrived`));
          end();
        } else if (frame.type === FRAME_ERROR) {
          const e = readErrorPayload(parseJson(frame.payload));
          end(typeof e === 'string' ? malformed(e) : new SandboxError(e.kind, e.message, e.name));
        } else if (frame.type === FRAME_LOG || frame.type === FRAME_RESULT) {
          end(malformed(`a ${frame.type === FRAME_LOG ? 'log' : 'single-run result'} frame in a batch`));
        }
      }
    };

    let timer: NodeJS.Timeout;
    // Each variant has a single run's time limit, counted from the previous outcome (the supervisor enforces
    // it; the host stops the sandbox this much later if it did not).
    const armTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        end(new SandboxError('timeout', `The backtest ran longer than the ${Math.round(limits.timeMs / 100) / 10} s time limit and was stopped. Look for an endless loop, or raise the sandbox time limit.`));
      }, limits.timeMs + HOST_GRACE_MS);
    };
    armTimer();

    channel.stdout.on('data', onData);
    channel.stdout.once('end', () => (stdoutEnded = true));
    channel.stderr.on('data', onStderr);
    signal?.addEventListener('abort', onAbort, { once: true });

    void channel.exited.then(async (exit) => {
      if (settled) return;
      const until = Date.now() + DRAIN_MS;
      while (!stdoutEnded && !settled && Date.now() < until) await delay(20);
      if (settled || killedByUs) return;
      if (exit.infra) {
        infra = true;
        return end(new SandboxError('crashed', `The batch did not run: ${exit.infra}.`));
      }
      end(exitError(channel, exit, stderr, limits));
    });

    writeJob(channel.stdin, { key, js: req.js, fileName: req.fileName, options: req.options, timeMs: limits.timeMs, maxLogBytes: limits.maxLogBytes, series: req.series, batch }, (err) => {
      if (err && !settled) end(new SandboxError('crashed', `Could not send the job to the sandbox (${channel.label}): ${err.message}.`));
    });
  });
}
