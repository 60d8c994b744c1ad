/**
 * Sandbox overhead: the RSI example on 60 days and 20 years of SPY daily bars,
 * in-process (no isolation) vs process mode vs a cold Docker container vs the
 * warm pool. Medians of several runs; ratios are to in-process.
 * Targets (issue 3): warm pool ≤ 1.2× in-process on 20 years; 60 days < 150 ms warm, < 400 ms cold.
 */
import { resolve } from 'node:path';
import { loadCsv } from '../core/data/csv';
import { sliceSeries, type BarSeries } from '../core/data/series';
import { compileStrategy } from '../core/strategy/compile';
import { SandboxRunner, type SandboxRunRequest } from '../core/sandbox/runner';
import { buildRuntimeBundle } from '../core/sandbox/runtime-bundle';

const RSI_STRATEGY = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { RSI } from 'strategy-lab/indicators';

export default class SpyRsiReversion extends BaseStrategy {
  static config = { symbols: ['SPY'], timeframe: '1d' };
  params = { period: 14, buyBelow: 35, sellAbove: 65 };
  private rsi = new RSI(this.params.period);

  onBar(bar: Bar) {
    const value = this.rsi.update(bar.close);
    if (value === undefined) return;
    if (value < this.params.buyBelow && !this.position(bar.symbol)) this.buy(bar.symbol);
    else if (value > this.params.sellAbove && this.position(bar.symbol)) this.close(bar.symbol);
  }
}
`;

const root = resolve(__dirname, '..');
const dataFile = resolve(root, '..', 'shared', 'data', 'SPY_daily_1998_2021_lean.csv');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function time(fn: () => Promise<unknown>, runs: number, before?: () => Promise<void>): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    await before?.();
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return median(samples);
}

async function main() {
  await buildRuntimeBundle(root, undefined, true); // the same bytes as `npm run bench`'s production build
  const spy = await loadCsv(dataFile, { symbol: 'SPY' });
  const last = spy.time[spy.length - 1];
  const windows: { name: string; series: BarSeries; runs: number }[] = [
    { name: '60 days', series: sliceSeries(spy, spy.time[spy.length - 60], last), runs: 9 },
    { name: '20 years', series: sliceSeries(spy, Date.UTC(2002, 0, 1), last), runs: 5 },
  ];
  const compiled = await compileStrategy(RSI_STRATEGY, 'spy-rsi.strategy.ts');

  const direct = new SandboxRunner({ mode: 'none' });
  const processMode = new SandboxRunner({ mode: 'process' });
  const cold = new SandboxRunner({ mode: 'docker', poolSize: 0 });
  const warm = new SandboxRunner({ mode: 'docker', poolSize: 1 });
  await cold.prepare();
  await warm.warm();

  console.log(`Sandbox overhead — RSI(14) reversion on SPY daily (${dataFile.split('/').pop()}), median of N runs, end to end (job sent → result parsed)\n`);
  const rows: string[][] = [['window', 'bars', 'mode', 'median ms', '× in-process', 'trades']];
  try {
    for (const w of windows) {
      const req: SandboxRunRequest = { compiled, series: [w.series] };
      const baseline = await direct.run(req); // warm the JIT
      const base = await time(() => direct.run(req), w.runs);
      const check = async (runner: SandboxRunner) => {
        const r = await runner.run(req);
        if (r.trades.length !== baseline.trades.length || r.metrics.returnPct !== baseline.metrics.returnPct) {
          throw new Error(`${runner.mode} result differs from in-process (${r.trades.length} vs ${baseline.trades.length} trades)`);
        }
      };
      const results: [string, number][] = [
        ['in-process (no isolation)', base],
        ['process mode', await time(() => check(processMode), w.runs)],
        ['docker, cold container', await time(() => check(cold), w.runs, () => cold.idle())],
        ['docker, warm pool', await time(() => check(warm), w.runs, () => warm.warm())],
      ];
      for (const [mode, ms] of results) rows.push([w.name, String(w.series.length), mode, ms.toFixed(1), (ms / base).toFixed(2), String(baseline.trades.length)]);
    }
  } finally {
    await Promise.all([direct.dispose(), processMode.dispose(), cold.dispose(), warm.dispose()]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));
  const get = (w: string, m: string) => Number(rows.find((r) => r[0] === w && r[2].startsWith(m))![3]);
  const base20 = get('20 years', 'in-process');
  console.log(`\nTargets: warm pool 20 years ${(get('20 years', 'docker, warm') / base20).toFixed(2)}× in-process (target ≤ 1.2×, or within the fixed ~10 ms job overhead);`);
  console.log(`         60 days warm ${get('60 days', 'docker, warm').toFixed(0)} ms (target < 150 ms), cold ${get('60 days', 'docker, cold').toFixed(0)} ms (target < 400 ms).`);
  console.log(`Warm pool gain over a cold container: ${(get('60 days', 'docker, cold') - get('60 days', 'docker, warm')).toFixed(0)} ms per run.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
