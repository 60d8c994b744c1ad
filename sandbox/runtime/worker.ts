/**
 * The strategy worker: loads the engine at boot, optionally warms it up while
 * idle, waits for exactly one job, closes the realm's doors (harden.ts), then
 * runs the strategy. It talks to the supervisor only through `post`, captured
 * before any strategy code exists.
 */
import { parentPort } from 'node:worker_threads';
import { runBacktest, runBacktestOverview, runBacktestSummary, StrategyRuntimeError } from '../../core/engine/backtest';
import { EQUITY_FULL_MAX, withoutFullColumns } from '../../core/engine/equityCurve';
import { thrownDetails } from '../../core/engine/simulate';
import { freezeIntrinsics, hardenRealm } from './harden';
import { freezeSdk, loadStrategy, strategyModule } from '../../core/strategy/load';
import { LiveEngine } from '../../core/paper/liveEngine';
import type { Feed } from '../../core/paper/types';
import type { LogLine } from '../../core/engine/types';
import { logCost, outputLimitError, type SupervisorMessage, type WorkerJob, type WorkerMessage } from './messages';
import { warmUpEngine } from './warmup';
import { encodeFailedOutcome, encodeFullOutcome, encodeOverview, encodeRecordOutcome, encodeResult, encodeSummaryOutcome, oneSeriesTimes } from '../../core/sandbox/result-codec';
import { summaryRecord } from '../../core/sweep/score';
import { resetRegExpStatics, snapshotRealm, touchLazyGlobals } from './realm';
import { seriesInWindow, variantOptions } from '../../core/run/variants';
import type { BatchSpec, ErrorAt } from '../../core/sandbox/protocol';
import { capText, MAX_ERROR_MESSAGE_CHARS, MAX_ERROR_NAME_CHARS } from '../../core/sandbox/caps';

export function runWorker(): void {
  // Before any warm-up, so the engine is optimised against the frozen built-ins it will run with.
  freezeIntrinsics();
  freezeSdk();
  const port = parentPort!;
  const post: (m: WorkerMessage, transfer?: ArrayBuffer[]) => void = port.postMessage.bind(port);
  let started = false;
  let session: ((feed: Feed) => void) | undefined;
  port.on('message', (m: SupervisorMessage) => {
    if (m.t === 'warmup') {
      // Warm-up is an optimisation: if it fails, the container is still ready for its job.
      touchLazyGlobals();
      void warmUpEngine(() => started)
        .catch(() => {})
        .then(() => post({ t: 'warm' }));
    } else if (m.t === 'job' && !started) {
      started = true;
      if (m.job.session) session = startSession(m.job, post);
      else if (m.job.batch) runBatch(m.job, m.job.batch, post);
      else runJob(m.job, post);
    } else if (m.t === 'feed' && session) {
      session(m.feed);
    }
  });
  post({ t: 'loaded' });
}

/**
 * How the engine keeps the equity of a run the host wants every point of, or a drawable curve of: as columns, from
 * which the host builds the points (result-codec.ts, no time strings made here), unless the run is drawable and may
 * pass EQUITY_FULL_MAX bars (then the drawn points, engine/equityCurve.ts).
 */
function equityMode(series: readonly { length: number }[], drawable: boolean): 'drawable' | 'columns' {
  return drawable && series.reduce((n, s) => n + s.length, 0) > EQUITY_FULL_MAX ? 'drawable' : 'columns';
}

function runJob(job: WorkerJob, post: (m: WorkerMessage, transfer?: ArrayBuffer[]) => void): void {
  const log = logSink(job.maxLogBytes, post);
  hardenRealm({ onConsole: (message) => log(null, message) });
  try {
    const evaluate = strategyModule(job.js, job.fileName);
    resetRegExpStatics();
    const cls = evaluate();
    const options = { ...job.options, onLog: (line: LogLine) => log(line.time, line.message) };
    // A text summary stops at the metrics here as it does in the host's process (engine/backtest.ts).
    const bytes = job.detail === 'overview'
      ? encodeOverview(runBacktestOverview(cls, job.series, options))
      : encodeResult(runBacktest(cls, job.series, options, { equity: equityMode(job.series, job.equity === 'drawable') }), 0, oneSeriesTimes(job.series));
    post({ t: 'result', bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (err) {
    post(strategyError(err));
  }
}

/**
 * A batch: every variant in this one realm, one after another, synchronously (no timer or promise callback of
 * one variant can run during another). Before each variant the realm is put back as it was (realm.ts) and the
 * module is evaluated afresh, so a variant's numbers are those of a separate run. Logs are counted against the
 * log limit per variant, as a separate run's are, but not forwarded (a batch's callers take outcomes, not logs).
 */
function runBatch(job: WorkerJob, batch: BatchSpec, post: (m: WorkerMessage, transfer?: ArrayBuffer[]) => void): void {
  let logFailure: Error | undefined;
  let logSpent = 0;
  const countLog = (message: string) => {
    logSpent += logCost(String(message));
    if (logSpent > job.maxLogBytes) {
      logFailure ??= Object.assign(new Error(outputLimitError(job.maxLogBytes).message), { name: 'OutputLimitError' });
      throw logFailure; // stops a logging loop now; a strategy that catches it is stopped at the engine's next check
    }
  };
  hardenRealm({ onConsole: countLog });
  const realm = snapshotRealm();
  let evaluate: (() => ReturnType<ReturnType<typeof strategyModule>>) | undefined;
  let loadError: unknown;
  try {
    evaluate = strategyModule(job.js, job.fileName);
  } catch (err) {
    loadError = err;
  }
  for (let i = 0; i < batch.variants.length; i++) {
    if (i > 0 && !realm.restore()) {
      // A change this realm cannot undo: the host runs the remaining variants in a fresh sandbox.
      post({ t: 'end' });
      return;
    }
    const variant = batch.variants[i];
    logSpent = 0;
    logFailure = undefined;
    let bytes: Uint8Array;
    try {
      if (!evaluate) throw loadError;
      resetRegExpStatics();
      const cls = evaluate();
      const options = variantOptions(job.options, variant);
      const series = seriesInWindow(job.series, variant.window);
      const runOptions = { ...options, onLog: (line: { message: string }) => countLog(line.message), isCancelled: () => logFailure !== undefined };
      if (batch.detail === 'full' || batch.detail === 'drawable') {
        // A 'drawable' re-run sends only its drawn points, not the full columns beside them.
        const equity = equityMode(series, batch.detail === 'drawable');
        const result = runBacktest(cls, series, runOptions, { equity });
        if (logFailure) throw logFailure;
        bytes = encodeFullOutcome(equity === 'drawable' ? withoutFullColumns(result) : result, oneSeriesTimes(series));
      } else {
        const summary = runBacktestSummary(cls, series, runOptions);
        if (logFailure) throw logFailure;
        bytes = batch.detail === 'record' ? encodeRecordOutcome(summaryRecord(summary, batch.splits)) : encodeSummaryOutcome(summary, oneSeriesTimes(series));
      }
    } catch (err) {
      const failure = logFailure ?? err;
      const e = strategyError(failure) as { name: string; message: string };
      bytes = encodeFailedOutcome(e.name, e.message);
    }
    post({ t: 'outcome', bytes }, [bytes.buffer as ArrayBuffer]);
  }
  post({ t: 'end' });
}

/**
 * Phase, bar and raw stack of a failure, for the host to put the error on the strategy's source line. The engine's
 * StrategyRuntimeError carries them; an error of module evaluation (a top-level throw) has only its stack.
 */
function errorAt(err: unknown): ErrorAt | undefined {
  if (err instanceof StrategyRuntimeError) {
    return { phase: err.phase, time: err.time, symbol: err.symbol, bar: err.bar, ...(err.strategyStack ? { stack: err.strategyStack } : {}) };
  }
  const { stack } = thrownDetails(err);
  return stack ? { stack } : undefined;
}

/** The report of a failed run, bounded; describing a hostile thrown value (a throwing getter) cannot throw. */
function strategyError(err: unknown): WorkerMessage {
  try {
    const e = err instanceof Error ? err : new Error(String(err));
    const at = errorAt(err);
    return { t: 'error', kind: 'strategy', name: capText(String(e.name), MAX_ERROR_NAME_CHARS), message: capText(String(e.message), MAX_ERROR_MESSAGE_CHARS), ...(at ? { at } : {}) };
  } catch {
    return { t: 'error', kind: 'strategy', name: 'Error', message: 'The strategy threw a value that cannot be turned into a message.' };
  }
}

/**
 * Forwards log lines until the budget is spent, then reports once and drops the
 * rest: a strategy logging in a tight loop cannot queue more messages than the
 * budget while the supervisor stops it.
 */
function logSink(maxLogBytes: number, post: (m: WorkerMessage) => void): (time: number | null, message: string) => void {
  let spent = 0;
  return (time, message) => {
    if (spent > maxLogBytes) return;
    const text = String(message);
    spent += logCost(text);
    post(spent > maxLogBytes ? { t: 'error', ...outputLimitError(maxLogBytes) } : { t: 'log', time, message: text });
  };
}

/**
 * A paper session: the strategy is constructed once and then steps, one feed at a time, until the host ends the
 * sandbox. An exception ends the session (the host stops trading and reports it). The log budget is per step.
 */
function startSession(job: WorkerJob, post: (m: WorkerMessage) => void): ((feed: Feed) => void) | undefined {
  let budget = logSink(job.maxLogBytes, post);
  hardenRealm({ onConsole: (message) => budget(null, message) });
  try {
    const engine = new LiveEngine(loadStrategy(job.js, job.fileName), job.session!, (time, message) => budget(time, message));
    post({ t: 'session-ready' });
    return (feed) => {
      budget = logSink(job.maxLogBytes, post);
      try {
        post({ t: 'decision', decision: engine.step(feed) });
      } catch (err) {
        post(strategyError(err));
      }
    };
  } catch (err) {
    post(strategyError(err));
    return undefined;
  }
}
