/**
 * The batched sandbox engine (core/run/batchEngine.ts): one sandbox job per batch of variants of one strategy.
 * Its outcomes must be the numbers of separate runs, in Docker and in process mode, whatever the strategy does
 * to carry state from one variant to the next; failures stay with their variant; cancel removes every container.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { sandboxBatchEngine } from '../../core/run/batchEngine';
import { variantEngineFor } from '../../core/run/engineFor';
import { runInThisProcess } from '../../core/run/runStrategy';
import { perRunEngine } from '../../core/run/variantEngines';
import { seriesInWindow, summarize, variantOptions, type Variant, type VariantBatch, type VariantOutcome } from '../../core/run/variants';
import { SandboxRunner } from '../../core/sandbox/runner';
import { recordAsSent } from '../../core/sandbox/result-codec';
import { summaryRecord } from '../../core/sweep/score';
import { compileStrategy } from '../../core/strategy/compile';
import { example, sampleAapl } from '../evaluate/helpers';
import { sampleSeries } from '../../core/data/sample';
import { assertNoContainersLeft, bars, compiled, HOSTILE_LIMITS, requireDocker, runtimeBundle, strategySource } from './helpers';

let docker: Docker;
let runner: SandboxRunner;

before(async () => {
  docker = await requireDocker();
  await runtimeBundle();
  runner = new SandboxRunner({ mode: 'docker', poolSize: 2, limits: HOSTILE_LIMITS });
  await runner.warm();
});

after(async () => {
  await runner?.dispose();
  if (docker) await assertNoContainersLeft(docker);
});

/** The plain in-process backtest of one variant (the reference every engine must equal), or its error. */
function plainRun(batch: VariantBatch, v: Variant): VariantOutcome {
  try {
    const result = runInThisProcess({ compiled: batch.compiled, series: seriesInWindow(batch.series, v.window), options: { ...variantOptions(batch.options, v), onLog: () => {} } });
    if (batch.detail === 'full') return { id: v.id, ok: true, result };
    // A record reduced here from the plain run's full result: the sandbox reduces its own run (runBacktestSummary).
    if (batch.detail === 'record') return { id: v.id, ok: true, record: recordAsSent(summaryRecord(summarize(result), batch.splits)) };
    return { id: v.id, ok: true, summary: summarize(result) };
  } catch (err) {
    return { id: v.id, ok: false, error: (err as Error).message };
  }
}

/** Numbers of two outcomes: identical to the bit (JSON of the full result, or the summary's columns). */
function assertSameOutcome(got: VariantOutcome, want: VariantOutcome, what: string): void {
  assert.equal(got.id, want.id, what);
  assert.equal(got.ok, want.ok, `${what}: ${got.ok ? 'ran' : (got as { error: string }).error} vs ${want.ok ? 'ran' : (want as { error: string }).error}`);
  if (!got.ok || !want.ok) return;
  if (want.result) assert.equal(JSON.stringify(got.result), JSON.stringify(want.result), what);
  else if (want.record) {
    assert.ok(got.record, `${what}: a record came back`);
    assert.equal(JSON.stringify(got.record), JSON.stringify(want.record), what);
    assert.equal(got.record.blocks?.length, want.record.blocks ? 3 * RECORD_SPLITS : undefined, `${what}: CSCV blocks`);
  } else {
    assert.ok(got.summary && want.summary, what);
    assert.deepEqual(got.summary.metrics, want.summary.metrics, what);
    assert.deepEqual([...got.summary.equity], [...want.summary.equity], what);
    assert.deepEqual([...got.summary.time], [...want.summary.time], what);
    assert.equal(got.summary.trades, want.summary.trades, what);
    assert.deepEqual(got.summary.params, want.summary.params, what);
  }
}

async function rsiBatch(detail: VariantBatch['detail']): Promise<VariantBatch> {
  const compiledRsi = await compileStrategy(example('rsi-reversion'), 'rsi-reversion.strategy.ts');
  const series = [sampleAapl()];
  const mid = series[0].time[Math.floor(series[0].length / 2)];
  const variants: Variant[] = [
    { id: 'base' },
    ...[6, 9, 14, 21].flatMap((period) => [25, 35].map((buyBelow) => ({ id: `p${period}-b${buyBelow}`, params: { period, buyBelow } }))),
    { id: 'cost', options: { commission: 0.002, slippageBps: 5 } },
    { id: 'first-half', window: { toTime: mid } },
    { id: 'second-half', window: { fromTime: mid }, params: { period: 10 } },
    { id: 'bad', params: { period: -5 } },
  ];
  return { compiled: compiledRsi, series, options: { cash: 25_000 }, variants, detail, ...(detail === 'record' ? { splits: RECORD_SPLITS } : {}) };
}

/** CSCV blocks asked of records in these batches. */
const RECORD_SPLITS = 8;

for (const mode of ['docker', 'process'] as const) {
  describe(`batched engine, ${mode} mode`, () => {
    const engine = () => (mode === 'docker' ? sandboxBatchEngine({ mode, runner, concurrency: 2, barRunsPerSandbox: 1 }) : sandboxBatchEngine({ mode, concurrency: 2, barRunsPerSandbox: 1, settings: { limits: HOSTILE_LIMITS } }));

    test('a batch gives every variant the numbers of its own plain run (full and summary), streaming progress', async () => {
      for (const detail of ['full', 'summary', 'record'] as const) {
        const batch = await rsiBatch(detail);
        const seen: number[] = [];
        const e = engine();
        const outcomes = await e.run({ ...batch, onOutcome: (_o, done, total) => { assert.equal(total, batch.variants.length); seen.push(done); } });
        await e.dispose();
        assert.deepEqual(seen, batch.variants.map((_, i) => i + 1), 'one progress call per variant');
        for (const [i, v] of batch.variants.entries()) assertSameOutcome(outcomes[i], plainRun(batch, v), `${detail} ${v.id}`);
        assert.equal(outcomes.at(-1)!.ok, false, 'the bad variant fails alone');
        assert.notEqual(JSON.stringify(outcomes[1]), JSON.stringify(outcomes[2]), 'params reach the runs');
      }
    });

    test('a two-symbol run\'s summary carries its own times (the union of both series\' bars), window included', async () => {
      const breakout = await compileStrategy(example('breakout-with-stop'), 'breakout-with-stop.strategy.ts');
      const [spy, qqq] = [sampleSeries('SPY'), sampleSeries('QQQ')];
      // QQQ loses some bars, so the run's time grid is the union of both series' times, not either one's column.
      const keep = [...qqq.time.keys()].filter((i) => i % 7 !== 3);
      const gappy = { ...qqq, length: keep.length };
      for (const c of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) gappy[c] = Float64Array.from(keep, (i) => qqq[c][i]);
      const mid = spy.time[Math.floor(spy.length / 2)];
      const batch: VariantBatch = { compiled: breakout, series: [spy, gappy], options: {}, detail: 'summary', variants: [{ id: 'all' }, { id: 'late', window: { fromTime: mid } }] };
      const e = engine();
      const outcomes = await e.run(batch);
      await e.dispose();
      for (const [i, v] of batch.variants.entries()) {
        const want = plainRun(batch, v);
        assert.ok(want.ok && want.summary!.time.length > spy.length / 3, 'the plain run has its curve');
        assertSameOutcome(outcomes[i], want, v.id);
      }
    });
  });
}

const G = '(globalThis as any)';
/**
 * Ways a strategy could keep state outside its instance, each an expression that counts this run with it (1 in a
 * separate run). Every one must still read 1 in every variant of a batch.
 */
const COUNTERS: Record<string, string> = {
  'module-level variable': '++runs',
  'static field': '++Probe.runs',
  'global variable': `(${G}.__runs = (${G}.__runs ?? 0) + 1)`,
  'property on a writable built-in (Error)': '((Error as any).__runs = ((Error as any).__runs ?? 0) + 1)',
  'property on a built-in prototype (Error.prototype)': '((Error.prototype as any).__r = ((Error.prototype as any).__r ?? 0) + 1)',
  // Frozen since the realm reset watches only what stays writable (harden.ts freezeOtherBuiltIns): refused, so nothing carries.
  'property on URL.prototype (frozen)': '(() => { const n = ((URL.prototype as any).__r ?? 0) + 1; try { (URL.prototype as any).__r = n; } catch {} return n; })()',
  'property on a built-in below a global (Intl.DateTimeFormat)': '(() => { const n = ((Intl.DateTimeFormat as any).__r ?? 0) + 1; try { (Intl.DateTimeFormat as any).__r = n; } catch {} return n; })()',
  'replacing a global function': `(() => { const prev = ${G}.setTimeout.__runs ?? 0; ${G}.setTimeout = Object.assign(() => 0, { __runs: prev + 1 }); return prev + 1; })()`,
  'patching a frozen prototype (Array.prototype)': '(() => { try { (Array.prototype as any).__runs = 5; } catch {} return ((Array.prototype as any).__runs ?? 0) + 1; })()',
  'freezing a writable built-in (Intl)': '(() => { const n = ((Intl as any).__runs ?? 0) + 1; try { (Intl as any).__runs = n; } catch {} return n; })()',
  'the last regular expression match (RegExp.$1)': "(() => { const seen = (RegExp as any).$1; /(\\d+)/.exec('7'); return seen === '7' ? 2 : 1; })()",
  'the performance timeline': "(() => { try { (performance as any).mark('run'); return (performance as any).getEntriesByName('run').length; } catch { return 1; } })()",
  'lazy global objects (crypto)': `(() => { const c = ${G}.crypto ?? {}; const n = (c.__runs ?? 0) + 1; try { c.__runs = n; } catch {} return n; })()`,
  'the Buffer pool': `(() => { const B = ${G}.Buffer; if (!B) return 1; const b = B.allocUnsafe(8); const pool = new Uint8Array(b.buffer); const n = pool[0] + 1; pool[0] = n; return n; })()`,
};

/** Buys as many shares as the largest count any channel saw, and logs every count (a batch that leaked trades more). */
function counting(counters: Record<string, string>): string {
  const names = Object.keys(counters);
  return strategySource(`if (bar.index === 5) this.buy(bar.symbol, { shares: Math.max(...this.counts) }); if (bar.index === 12) this.close(bar.symbol);`, {
    prelude: 'let runs = 0;',
    members: `static runs = 0;\n  counts: number[] = [];\n  constructor() { super(); this.counts = [${names.map((n) => counters[n]).join(', ')}]; }`,
  });
}

/** A change the realm cannot undo: a non-configurable global (the batch ends and the rest runs in a fresh sandbox). */
const TAINTING = counting({ 'a non-configurable global': `(() => { const n = (${G}.__nc ?? 0) + 1; try { Object.defineProperty(globalThis, '__nc', { value: n, configurable: false }); } catch {} return n; })()` });

describe('hostile strategies inside a Docker batch', () => {
  const variants: Variant[] = Array.from({ length: 4 }, (_, i) => ({ id: `v${i}`, options: { commission: i * 0.0001 } }));

  test('no state crosses from one variant to the next: every variant trades what a separate run trades', async () => {
    const engine = sandboxBatchEngine({ mode: 'docker', runner, concurrency: 1 });
    for (const [what, source] of [['every counter', counting(COUNTERS)], ['a tainted realm', TAINTING]] as const) {
      const batch: VariantBatch = { compiled: await compiled(source), series: [bars(30)], options: {}, variants, detail: 'full' };
      const batched = await engine.run(batch);
      // The reference: the last variant (the one most exposed to the others) as a separate sandbox run.
      const [separate] = await perRunEngine('docker', runner, 1).run({ ...batch, variants: variants.slice(-1) });
      assert.ok(separate.ok, `${what}: the separate run works (${(separate as { error?: string }).error})`);
      assert.equal(separate.result!.orders[0]?.shares, 1, `${what}: a separate run counts itself once`);
      assertSameOutcome(batched.at(-1)!, separate, what);
      for (const o of batched) assert.equal(o.ok && o.result!.orders[0]?.shares, 1, `${what}, ${o.id}: no variant sees another's state`);
    }
  });

  test('the check can fail: the same variants in one unreset realm do see each other (in this process)', async () => {
    const batch: VariantBatch = { compiled: await compiled(counting({ global: COUNTERS['global variable'] })), series: [bars(30)], options: {}, variants, detail: 'full' };
    const leaky = await inProcessEngineNoReset(batch);
    assert.deepEqual(leaky, [1, 2, 3, 4]);
    delete (globalThis as { __runs?: number }).__runs;
  });
});

/** Shares each variant bought when run one after another in this process (no realm reset): the leak the batch prevents. */
async function inProcessEngineNoReset(batch: VariantBatch): Promise<number[]> {
  const { inProcessEngine } = await import('../../core/run/variantEngines');
  const outcomes = await inProcessEngine().run(batch);
  return outcomes.map((o) => (o.ok && o.result ? o.result.orders[0].shares ?? 0 : -1));
}

describe('variantEngineFor', () => {
  test('local docker and process requests get the batched engine; none stays in-process', () => {
    assert.equal(variantEngineFor({ engine: 'local', mode: 'docker', runner }).name, 'docker-batch');
    assert.equal(variantEngineFor({ engine: 'local', mode: 'process' }).name, 'process-batch');
    assert.equal(variantEngineFor({ engine: 'local', mode: 'none' }).name, 'in-process');
  });
});
