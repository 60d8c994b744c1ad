/**
 * The host side of a strategy that runs in the sandbox for a whole paper session:
 * one long-lived container (or restricted process) of the backtest's image and
 * limits, no network, no keys. The host writes the job (with `session`), then one
 * FEED frame per step; the supervisor answers with one DECISION frame. Every frame
 * carries the session's random key and is checked like a backtest's result, so
 * the strategy's own output can never pose as a decision (docs/paper.md).
 */
import { randomBytes } from 'node:crypto';
import type { LogLine } from '../engine/types';
import type { SandboxChannel } from '../sandbox/channel';
import { readErrorPayload, readLogLine } from '../sandbox/caps';
import { SandboxError } from '../sandbox/errors';
import type { SandboxLimits } from '../sandbox/limits';
import { encodeFrame, encodeJob, FRAME_DECISION, FRAME_ERROR, FRAME_FEED, FRAME_LOG, FRAME_SESSION_READY, FrameDecoder, SESSION_FRAMES, type Frame } from '../sandbox/protocol';
import type { SandboxRunner } from '../sandbox/runner';
import { readDecision } from './decision';
import type { StrategyHost } from './strategyHost';
import type { Decision, Feed, SessionInit } from './types';

/** Largest decision frame accepted (100 orders of a few hundred bytes each fit many times over). */
const MAX_DECISION_BYTES = 1024 * 1024;
/** How long the host waits past the supervisor's own per-step limit before it kills the sandbox. */
const HOST_GRACE_MS = 1500;

export class SandboxStrategyHost implements StrategyHost {
  private channel: SandboxChannel | undefined;
  private release: (() => void) | undefined;
  private limits: SandboxLimits | undefined;
  private readonly key = randomBytes(16);
  private waiting: { accept: (frame: Frame) => boolean; reject: (err: Error) => void } | undefined;
  private failure: Error | undefined;
  private stderr = '';

  constructor(
    private readonly runner: SandboxRunner,
    private readonly compiled: { js: string; fileName: string },
    private readonly onLog: (line: LogLine) => void,
    private readonly stepLimits: Partial<SandboxLimits> = { timeMs: 10_000 },
  ) {}

  get label(): string {
    return this.channel ? `${this.runner.mode} sandbox (${this.channel.label})` : `${this.runner.mode} sandbox`;
  }

  async start(init: SessionInit): Promise<void> {
    const opened = await this.runner.openSession(this.stepLimits);
    this.channel = opened.channel;
    this.release = opened.release;
    this.limits = opened.limits;
    const decoder = new FrameDecoder(this.key, MAX_DECISION_BYTES, SESSION_FRAMES);
    this.channel.stdout.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (err) {
        return this.fail(new SandboxError('protocol', `The paper session's sandbox channel was tampered with (${(err as Error).message}); the session stopped.`));
      }
      for (const frame of frames) this.onFrame(frame);
    });
    this.channel.stderr.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString('utf8')).slice(-4096)));
    void this.channel.exited.then((exit) => this.fail(new SandboxError('crashed', `The strategy's sandbox (${this.channel?.label}) exited (code ${exit.code ?? exit.signal}).${this.stderr.trim() ? ` Its last output: ${this.stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`)));
    const ready = this.next((f) => f.type === FRAME_SESSION_READY, 'start');
    this.channel.stdin.write(encodeJob({ key: this.key, js: this.compiled.js, fileName: this.compiled.fileName, options: {}, timeMs: this.limits.timeMs, maxLogBytes: this.limits.maxLogBytes, series: [], session: init }));
    await ready;
  }

  async step(feed: Feed): Promise<Decision> {
    if (!this.channel) throw new Error('the sandboxed strategy was not started');
    let decision: Decision | undefined;
    const answered = this.next((f) => {
      if (f.type !== FRAME_DECISION) return false;
      const d = readDecision(parseJson(f.payload));
      if (typeof d === 'string') throw new SandboxError('protocol', `The sandbox sent a malformed decision (${d}).`);
      decision = d;
      return true;
    }, 'step');
    this.channel.stdin.write(encodeFrame(FRAME_FEED, this.key, JSON.stringify(feed)));
    await answered;
    return decision!;
  }

  async close(): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    this.failure ??= new Error('the session ended');
    channel.stdin.end();
    await Promise.race([channel.exited, new Promise((r) => setTimeout(r, 2000))]);
    await channel.kill().catch(() => {});
    this.release?.();
    this.channel = undefined;
  }

  /** Resolves at the first frame `accept` takes (logs are passed on meanwhile); rejects on an error frame or exit. */
  private next(accept: (frame: Frame) => boolean, what: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(new SandboxError('timeout', `The strategy did not answer within ${Math.round((this.limits!.timeMs + HOST_GRACE_MS) / 1000)} s (${what}); its sandbox was stopped.`)), this.limits!.timeMs + HOST_GRACE_MS + (what === 'start' ? 30_000 : 0));
      this.waiting = {
        accept: (frame) => {
          if (!accept(frame)) return false;
          clearTimeout(timer);
          this.waiting = undefined;
          resolve();
          return true;
        },
        reject: (err) => {
          clearTimeout(timer);
          this.waiting = undefined;
          reject(err);
        },
      };
    });
  }

  private onFrame(frame: Frame): void {
    if (frame.type === FRAME_LOG) {
      const line = readLogLine(parseJson(frame.payload));
      if (typeof line === 'string') return this.fail(new SandboxError('protocol', `The sandbox sent ${line}.`));
      try {
        this.onLog(line);
      } catch {
        // A failing log consumer must not end the session.
      }
      return;
    }
    if (frame.type === FRAME_ERROR) {
      const e = readErrorPayload(parseJson(frame.payload));
      return this.fail(typeof e === 'string' ? new SandboxError('protocol', `The sandbox sent ${e}.`) : new SandboxError(e.kind, e.message, e.name));
    }
    try {
      if (!this.waiting?.accept(frame)) this.fail(new SandboxError('protocol', `The sandbox sent a frame (type ${frame.type}) nobody asked for.`));
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.waiting?.reject(err);
    void this.channel?.kill().catch(() => {});
  }
}

function parseJson(payload: Buffer): unknown {
  try {
    return JSON.parse(payload.toString('utf8'));
  } catch {
    return undefined;
  }
}
