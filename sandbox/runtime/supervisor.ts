/**
 * The supervisor: the only code in the sandbox that writes its output (stdout, or
 * the host's local channel when there is one). It reads one job from stdin (or
 * that channel), hands it to the strategy worker (started at boot so a
 * warm container has the engine loaded already), turns everything the worker
 * says into frames carrying the job key, and enforces the time and log limits
 * from a thread the strategy cannot block.
 */
import { connect } from 'node:net';
import type { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { CHANNEL_FALLBACK_MARKER, CHANNEL_TOKEN_BYTES, encodeFrame, encodeFrameHead, JobReader, FRAME_DECISION, FRAME_END, FRAME_ERROR, FRAME_FEED, FRAME_LOG, FRAME_OUTCOME, FRAME_RESULT, FRAME_SESSION_READY, FrameDecoder, type ErrorPayload, type FrameType, type Job } from '../../core/sandbox/protocol';
import { READY_MARKER } from '../../core/sandbox/protocol';
import { capText, MAX_ERROR_MESSAGE_CHARS } from '../../core/sandbox/caps';
import { logCost, outputLimitError, protocolError, readWorkerMessage, type SupervisorMessage, type WorkerJob } from './messages';

/** Payloads from this size on are written after their frame header instead of being copied into one frame. */
const LARGE_FRAME = 64 * 1024;

/** Console text without a newline is flushed as a line once it reaches this size. */
const MAX_PARTIAL_LINE = 64 * 1024;

export function runSupervisor(bundlePath: string, argv: string[]): void {
  const workerHeapMb = Number(argValue(argv, '--worker-heap-mb') ?? 256);
  const worker = new Worker(bundlePath, {
    stdout: true,
    stderr: true,
    env: {},
    resourceLimits: { maxOldGenerationSizeMb: workerHeapMb, maxYoungGenerationSizeMb: Math.min(32, Math.max(8, workerHeapMb >> 3)) },
  });

  // The local channel's socket (localChannel.ts), when the host offers one and it can be reached.
  const channelPath = argValue(argv, '--channel');
  // Created now, not at the first frame: the getter builds the pipe stream and loads its modules (~ms of a job).
  // With a local channel it is only created if the channel cannot be reached.
  let stdout: Writable = channelPath ? (undefined as unknown as Writable) : process.stdout;
  let job: Job | undefined;
  let done = false;
  let logBytes = 0;
  /** Batch outcomes written so far: the index of the next one (the supervisor's count, not the worker's word). */
  let outcomes = 0;
  let timer: NodeJS.Timeout | undefined;

  // Swarm tasks have no stdin and their stdout is the task log (text): the job comes from files (Swarm configs),
  // and each frame goes out as one base64 line (docs/sandbox.md, "Swarm").
  const jobDir = argValue(argv, '--job-dir');
  const textFrames = argValue(argv, '--frames') === 'base64';
  const send = (type: FrameType, payload: string | Uint8Array, then?: () => void, index?: number): void => {
    if (!job) return;
    if (textFrames || typeof payload === 'string' || payload.length < LARGE_FRAME) {
      const frame = encodeFrame(type, job.key, payload, index);
      if (textFrames) stdout.write(`${frame.toString('base64')}\n`, then);
      else stdout.write(frame, then);
      return;
    }
    // A large result goes out as its header and then its own bytes: not copied into a frame first.
    stdout.cork();
    stdout.write(encodeFrameHead(type, job.key, payload.length, index));
    stdout.write(payload, then);
    stdout.uncork();
  };
  // A session (paper trading): one step at a time, each with the time limit; the log budget is per step.
  let feeds: FrameDecoder | undefined;
  let stepTimer: NodeJS.Timeout | undefined;
  const onFeedBytes = (chunk: Buffer): void => {
    if (done || !feeds || !job) return;
    let frames;
    try {
      frames = feeds.push(chunk);
    } catch (err) {
      process.stderr.write(`strategy-lab sandbox: malformed session input: ${(err as Error).message}\n`, () => process.exit(70));
      done = true;
      return;
    }
    for (const frame of frames) {
      const limit = job.timeMs;
      stepTimer = setTimeout(() => fail({ kind: 'timeout', name: 'TimeoutError', message: `The strategy took longer than ${formatSeconds(limit)} on one bar and was stopped. Look for an endless loop.` }), limit);
      stepTimer.unref();
      logBytes = 0;
      worker.postMessage({ t: 'feed', feed: JSON.parse(frame.payload.toString('utf8')) } satisfies SupervisorMessage);
    }
  };
  const finish = (type: typeof FRAME_RESULT | typeof FRAME_ERROR | typeof FRAME_END, payload: string | Uint8Array): void => {
    if (done) return;
    done = true;
    // A failing run may still be busy (a time-out, a log flood): stop it first. After a result the strategy
    // has returned, and terminating now would spend the container's CPU quota while the result is written
    // (the process exit ends the worker anyway).
    if (type === FRAME_ERROR) void worker.terminate();
    if (!job) {
      // The worker died before any job (a broken runtime): exit so the host discards this container.
      process.stderr.write(`strategy-lab sandbox: the worker failed before the job: ${String(payload)}\n`, () => process.exit(70));
      return;
    }
    send(type, payload, () => process.exit(0));
  };
  const fail = (error: ErrorPayload): void => finish(FRAME_ERROR, JSON.stringify(error));
  /** The time limit of the run, or of the batch's current variant (each variant has a single run's limit). */
  const armTimer = (): void => {
    if (timer) clearTimeout(timer);
    if (!job || done) return;
    const limit = job.timeMs;
    timer = setTimeout(() => {
      fail({ kind: 'timeout', name: 'TimeoutError', message: `The backtest ran longer than the ${formatSeconds(limit)} time limit and was stopped. Look for an endless loop, or raise the sandbox time limit.` });
    }, limit);
    timer.unref();
  };
  const log = (time: number | null, message: string): void => {
    if (done || !job) return;
    logBytes += logCost(message);
    if (logBytes > job.maxLogBytes) {
      fail(outputLimitError(job.maxLogBytes));
      return;
    }
    send(FRAME_LOG, JSON.stringify({ time, message }));
  };

  worker.on('message', (raw: unknown) => {
    // Checked before use, and never allowed to throw: the worker shares its realm with strategy code.
    const m = readWorkerMessage(raw);
    if (typeof m === 'string') {
      if (job) fail(protocolError(m));
      else finish(FRAME_ERROR, m); // before any job no strategy code exists: a broken runtime, discard the container
      return;
    }
    if (m.t === 'loaded') {
      // Idle after boot: warm the engine's JIT, then tell the host this container is ready.
      if (!job) worker.postMessage({ t: 'warmup' } satisfies SupervisorMessage);
      else void connected.then(() => process.stderr.write(READY_MARKER));
    } else if (m.t === 'warm') void connected.then(() => process.stderr.write(READY_MARKER));
    else if (m.t === 'log') log(m.time, m.message);
    else if (m.t === 'result') {
      if (job?.batch) fail(protocolError('a single result during a batch'));
      else finish(FRAME_RESULT, m.bytes);
    } else if (m.t === 'outcome') {
      if (!job?.batch || outcomes >= job.batch.variants.length) return fail(protocolError('an outcome it did not ask for'));
      if (done) return;
      send(FRAME_OUTCOME, m.bytes, undefined, outcomes++);
      armTimer(); // the next variant gets its own time limit
      if (outcomes === job.batch.variants.length) finish(FRAME_END, JSON.stringify({ outcomes }));
    } else if (m.t === 'end') {
      if (!job?.batch) return fail(protocolError('the end of a batch outside one'));
      finish(FRAME_END, JSON.stringify({ outcomes }));
    }
    else if (m.t === 'session-ready') send(FRAME_SESSION_READY, '{}');
    else if (m.t === 'decision') {
      if (stepTimer) clearTimeout(stepTimer);
      send(FRAME_DECISION, JSON.stringify(m.decision));
    }
    else if (m.t === 'error') fail({ kind: m.kind, name: m.name, message: m.message, ...(m.at ? { at: m.at } : {}) });
  });
  worker.on('error', (err: Error & { code?: string }) => {
    if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      fail({ kind: 'memory', name: 'OutOfMemoryError', message: `The strategy ran out of memory (heap cap ${workerHeapMb} MB of the sandbox's limit) and was stopped. Keep less history in memory, or raise the sandbox memory limit.` });
    } else {
      fail({ kind: 'strategy', name: capText(String(err.name || 'Error'), 100), message: capText(`The strategy failed outside onBar: ${String(err.message)}`, MAX_ERROR_MESSAGE_CHARS) });
    }
  });
  worker.on('exit', () => {
    fail({ kind: 'crashed', name: 'WorkerExited', message: 'The strategy stopped the run before it finished (did it call process.exit?). Strategies must return from onBar; they cannot end the process.' });
  });
  pipeConsole(worker.stdout, log);
  pipeConsole(worker.stderr, log);

  // The job is read in linear time, each chunk copied once straight into the columns (protocol.ts JobReader), or
  // with the local channel read there in place.
  const reader = new JobReader();
  const readJob = (read: () => ReturnType<JobReader['push']>): void => {
    try {
      const got = read();
      if (!got) return;
      startJob(got.job);
      if (feeds && got.rest.length > 0) onFeedBytes(Buffer.from(got.rest));
    } catch (err) {
      // The host wrote the job: a malformed one is a host bug, not the strategy's. Exit so the host reports it.
      process.stderr.write(`strategy-lab sandbox: malformed job: ${(err as Error).message}\n`, () => process.exit(70));
      done = true;
    }
  };
  const onInput = (chunk: Buffer): void => {
    if (job && feeds) return onFeedBytes(chunk);
    if (job || done) return;
    readJob(() => reader.push(chunk));
  };
  const columns: DirectInput = {
    region: () => (job || done ? undefined : reader.direct()),
    advance: (n) => readJob(() => reader.advance(n)),
  };
  const startJob = (received: Job): void => {
    job = received;
    if (received.session) {
      // Feeds are large at most by a step's bars and account: 4 MB is far beyond any real step.
      feeds = new FrameDecoder(received.key, 4 * 1024 * 1024, [FRAME_FEED]);
      const { key: _k, timeMs: _t, ...rest } = received;
      worker.postMessage({ t: 'job', job: { ...rest, series: [] } } satisfies SupervisorMessage);
      return;
    }
    armTimer();
    const { key: _key, timeMs: _t, series, ...rest } = received;
    const workerJob: WorkerJob = { ...rest, series };
    const buffers = new Set(series.map((s) => s.time.buffer as ArrayBuffer));
    worker.postMessage({ t: 'job', job: workerJob } satisfies SupervisorMessage, [...buffers]);
  };
  // Ready is said only once the way in and out is known (the host waits for both).
  const connected = channelPath ? useLocalChannel(channelPath, onInput, columns, (out) => (stdout = out)) : Promise.resolve();
  if (jobDir) {
    // The parts in name order (part-000, part-001, …): a job larger than one Swarm config is split.
    const { readdirSync, readFileSync } = require('node:fs') as typeof import('node:fs');
    for (const name of readdirSync(jobDir).sort()) onInput(readFileSync(`${jobDir}/${name}`));
    return;
  }
  if (!channelPath) process.stdin.on('data', onInput);
  // The host went away (or a warm container is being discarded): nobody will read a result.
  process.stdin.on('end', () => process.exit(0));
}

/** Where input may be read in place: the region the next bytes belong in, and the count of bytes read there. */
interface DirectInput {
  region(): Uint8Array | undefined;
  advance(n: number): void;
}

/** Reads of the local channel go to this buffer when they have no region of their own; each is copied out. */
const READ_CHUNK = 64 * 1024;

/**
 * The host's first bytes on stdin are the channel's token: connect to the socket and send it back; the job then
 * comes on the socket and the frames go out on it. If the socket cannot be reached, say so on stderr and keep
 * stdin and stdout (the host then pipes the job to stdin).
 *
 * The socket reads into buffers of our choosing (`onread`): the job's columns straight into the buffer the bars
 * will view, everything else (the job's header, a session's feeds) into one reused buffer and then copied. A
 * 48 MB job then costs one pass over fresh memory instead of ~750 fresh chunk buffers plus the copy into columns.
 */
function useLocalChannel(path: string, onInput: (chunk: Buffer) => void, direct: DirectInput, setOutput: (out: Writable) => void): Promise<void> {
  return new Promise<void>((resolve) => {
    let head = Buffer.alloc(0);
    const onHead = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      if (head.length < CHANNEL_TOKEN_BYTES) return;
      process.stdin.off('data', onHead);
      const rest = head.subarray(CHANNEL_TOKEN_BYTES);
      const scratch = Buffer.allocUnsafe(READ_CHUNK);
      const socket = connect({
        path,
        onread: {
          buffer: () => direct.region() ?? scratch,
          callback: (n: number, into: Uint8Array) => {
            if (into === scratch) onInput(Buffer.from(scratch.subarray(0, n)));
            else direct.advance(n);
            return true;
          },
        },
      });
      const onFail = (err: NodeJS.ErrnoException): void => {
        process.stderr.write(`${CHANNEL_FALLBACK_MARKER} (${err.code ?? err.message}); using stdin and stdout\n`);
        setOutput(process.stdout);
        process.stdin.on('data', onInput);
        if (rest.length > 0) onInput(Buffer.from(rest));
        resolve();
      };
      socket.once('error', onFail);
      socket.once('connect', () => {
        socket.off('error', onFail);
        socket.on('error', () => {});
        // The host closed the channel (it went away, or discards this container): nobody will read a result.
        socket.on('close', () => process.exit(0));
        socket.write(head.subarray(0, CHANNEL_TOKEN_BYTES));
        setOutput(socket);
        resolve();
      });
    };
    process.stdin.on('data', onHead);
  });
}

/** Everything the worker prints is log text, line by line; it can never become a frame of its own. */
function pipeConsole(stream: NodeJS.ReadableStream, log: (time: number | null, message: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    partial += text;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      log(null, partial.slice(0, nl));
      partial = partial.slice(nl + 1);
    }
    if (partial.length >= MAX_PARTIAL_LINE) {
      log(null, partial);
      partial = '';
    }
  });
}

function argValue(argv: string[], name: string): string | undefined {
  const hit = argv.find((a) => a.startsWith(`${name}=`));
  return hit?.slice(name.length + 1);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
