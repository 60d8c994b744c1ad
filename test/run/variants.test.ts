/**
 * The VariantEngine contract: every engine returns, for each variant, the numbers a plain backtest of
 * that variant gives (its params, its costs, its window of bars).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInThisProcess } from '../../core/run/runStrategy';
import { inProcessEngine, perRunEngine } from '../../core/run/variantEngines';
import { seriesInWindow, type Variant, type VariantBatch } from '../../core/run/variants';
import { compileStrategy } from '../../core/strategy/compile';
import { example, sampleAapl } from '../evaluate/helpers';

describe('variant engines', () => {
  it('in-process and per-run engines give each variant the numbers of its own plain backtest', async () => {
    const compiled = await compileStrategy(example('rsi-reversion'), 'rsi-reversion.strategy.ts');
    const series = [sampleAapl()];
    const mid = series[0].time[Math.floor(series[0].length / 2)];
    const variants: Variant[] = [
      { id: 'base' },
      { id: 'p10', params: { period: 10 } },
      { id: 'cost', options: { commission: 0.002 } },
      { id: 'second-half', window: { fromTime: mid } },
      { id: 'bad', params: { period: -5 } },
    ];
    const batch = (detail: VariantBatch['detail']): VariantBatch => ({ compiled, series, options: { cash: 25_000 }, variants, detail });
    const seen: string[] = [];
    const inProc = await inProcessEngine().run({ ...batch('full'), onOutcome: (o, done, total) => seen.push(`${o.id}:${done}/${total}`) });
    assert.deepEqual(seen, ['base:1/5', 'p10:2/5', 'cost:3/5', 'second-half:4/5', 'bad:5/5']);
    const perRun = await perRunEngine('none', undefined, 2).run(batch('summary'));
    for (const [i, v] of variants.entries()) {
      const a = inProc[i];
      const b = perRun[i];
      assert.equal(a.id, v.id);
      assert.equal(b.id, v.id);
      let plain;
      try {
        plain = runInThisProcess({ compiled, series: seriesInWindow(series, v.window), options: { cash: 25_000, ...v.options, params: v.params } });
      } catch {
        plain = undefined;
      }
      if (!plain) {
        assert.equal(a.ok, false, `${v.id} fails in a plain run, so it fails in the batch`);
        assert.equal(b.ok, false);
        continue;
      }
      assert.ok(a.ok && a.result && b.ok && b.summary, v.id);
      assert.deepEqual(a.result.metrics, plain.metrics, v.id);
      assert.deepEqual(b.summary.metrics, plain.metrics, v.id);
      assert.equal(b.summary.equity.length, plain.equity.length);
      assert.equal(b.summary.trades, plain.trades.length);
    }
    assert.notDeepEqual((inProc[0] as { result: { metrics: unknown } }).result.metrics, (inProc[1] as { result: { metrics: unknown } }).result.metrics, 'params reach the run');
    assert.ok((inProc[3] as { result: { run: { bars: number } } }).result.run.bars < series[0].length, 'the window cuts the bars');
  });

  it('cancelling stops the batch with an abort, not a list of failures', async () => {
    const compiled = await compileStrategy(example('rsi-reversion'), 'rsi-reversion.strategy.ts');
    const controller = new AbortController();
    const variants = Array.from({ length: 50 }, (_, i) => ({ id: String(i), params: { period: 5 + i } }));
    await assert.rejects(
      inProcessEngine().run({
        compiled, series: [sampleAapl()], options: {}, variants, detail: 'summary', signal: controller.signal,
        onOutcome: (_o, done) => { if (done === 3) controller.abort(); },
      }),
      (err: Error) => err.name === 'AbortError',
    );
  });
});
