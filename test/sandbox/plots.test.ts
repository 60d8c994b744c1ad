/**
 * A sandboxed run's result carries the strategy's indicator plots (core/engine/plots.ts), identical to the
 * in-process run's; the host drops a malformed `plots` (readPlots) without failing the run.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SandboxRunner } from '../../core/sandbox/runner';
import { decodeResult, encodeResult } from '../../core/sandbox/result-codec';
import { runInThisProcess } from '../../core/run/runStrategy';
import { readPlots } from '../../core/engine/readPlots';
import { bars, compiled, dockerSuite, HOSTILE_LIMITS } from './helpers';

const SOURCE = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { SMA, RSI, MACD } from 'strategy-lab/indicators';
export default class Plotter extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  params = { buyBelow: 40 };
  private trend = new SMA(5);
  private rsi = new RSI(3);
  private macd = new MACD(3, 6, 2);
  onStart() { this.plot(this.trend, 'Trend'); }
  onBar(bar: Bar) {
    this.trend.update(bar.close);
    const r = this.rsi.update(bar.close);
    this.macd.update(bar.close);
    if (r !== undefined && r < this.params.buyBelow && !this.position(bar.symbol)) this.buy(bar.symbol);
  }
}
`;

describe('indicator plots across the sandbox', () => {
  dockerSuite();
  for (const mode of ['docker', 'process'] as const) {
    test(`${mode}: the result carries the same plots as the in-process run`, async () => {
      const code = await compiled(SOURCE);
      const local = runInThisProcess({ compiled: code, series: [bars(60)] });
      const runner = new SandboxRunner({ poolSize: 0, limits: HOSTILE_LIMITS, mode });
      try {
        const remote = await runner.run({ compiled: code, series: [bars(60)] });
        assert.ok(remote.plots, 'plots crossed');
        assert.deepEqual(remote.plots.series.map((s) => s.name), ['Trend', 'rsi · RSI(3)', 'macd · MACD(3, 6, 2)']);
        assert.deepEqual(remote.plots.series[1].levels, [40], 'the RSI level from params.buyBelow');
        assert.deepEqual(remote.plots, local.plots);
      } finally {
        await runner.dispose();
      }
    });
  }
  test('a malformed plots payload is dropped, the run stands', async () => {
    const result = runInThisProcess({ compiled: await compiled(SOURCE), series: [bars(60)] });
    const good = decodeResult(Buffer.from(encodeResult(result)));
    assert.deepEqual(good.plots, result.plots);
    const cases: unknown[] = [
      { ...result.plots, stride: 0 },
      { ...result.plots, time: [...result.plots!.time, 1] },
      { ...result.plots, series: [{ ...result.plots!.series[0], pane: 'elsewhere' }] },
      { ...result.plots, series: [{ ...result.plots!.series[0], lines: [{ key: 'value', values: ['1e9'] }] }] },
      { ...result.plots, series: Array.from({ length: 13 }, () => result.plots!.series[0]) },
      'not an object',
    ];
    for (const plots of cases) {
      assert.equal(readPlots(plots, 60), undefined, JSON.stringify(plots).slice(0, 120));
      const decoded = decodeResult(Buffer.from(encodeResult({ ...result, plots } as typeof result)));
      assert.equal(decoded.plots, undefined);
      assert.deepEqual(decoded.metrics, result.metrics);
    }
  });
});
