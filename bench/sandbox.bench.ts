/**
 * Sandbox overhead: the RSI example on 60 days and 20 years of SPY daily bars,
 * in-process (no isolation) vs process mode vs a cold Docker container vs the
 * warm pool. Medians of several runs; ratios are to in-process.
 * Targets (issue 3): warm pool ≤ 1.2× in-process on 20 years; 60 days < 150 ms warm, < 400 ms cold.
 */
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { loadCsv } from '../core/data/csv';
import { sliceSeries, type BarSeries } from '../core/data/series';
import { compileStrategy } from '../core/strategy/compile';
import { SandboxRunner, type SandboxRunRequest } from '../core/sandbox/runner';
import { buildRuntimeBundle } from '../core/sandbox/runtime-bundle';
import { startContainer } from '../core/sandbox/container';
import { createDockerClient } from '../core/sandbox/docker-client';
import { resolveLimits } from '../core/sandbox/limits';
import { encodeJob, FRAME_HEADER } from '../core/sandbox/protocol';
import { encodeResult } from '../core/sandbox/result-codec';

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

/** One timed call; `settle` (untimed) runs before it, so no run is timed while another's background work goes on. */
async function timeOnce(fn: () => Promise<unknown>, settle: () => Promise<void>): Promise<number> {
  await settle();
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** A user's next click comes seconds after the last result, not within milliseconds of a container becoming ready. */
const CLICK_PAUSE_MS = 300;

/** Node code for a container that reads `inBytes` from stdin, then writes `outBytes` to stdout: the channel with no work. */
const ECHO = `let got = 0; process.stdin.on('data', (c) => { got += c.length; if (got >= Number(process.argv[1])) process.stdout.write(Buffer.alloc(Number(process.argv[2]))); });`;

/**
 * The floor under any sandbox run: the Docker attach round trip (host → engine → container and back) for a
 * job and a result of these sizes, through a started container of the same image and limits that does nothing else.
 */
async function attachRoundTrip(tag: string, inBytes: number, outBytes: number, runs: number): Promise<number> {
  const docker = createDockerClient();
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const channel = await startContainer(docker, tag, resolveLimits({}), ['-e', ECHO, String(inBytes), String(outBytes)]);
    try {
      await new Promise((r) => setTimeout(r, CLICK_PAUSE_MS));
      const t = performance.now();
      await new Promise<void>((resolve) => {
        let got = 0;
        channel.stdout.on('data', (c: Buffer) => {
          got += c.length;
          if (got >= outBytes) resolve();
        });
        channel.stdin.write(Buffer.alloc(inBytes));
      });
      xs.push(performance.now() - t);
    } finally {
      await channel.dispose();
    }
  }
  return median(xs);
}

async function main() {
  const loadStart = loadavg()[0];
  await buildRuntimeBundle(root, undefined, true); // the same bytes as `npm run bench`'s production build
  const spy = await loadCsv(dataFile, { symbol: 'SPY' });
  const last = spy.time[spy.length - 1];
  const windows: { name: string; series: BarSeries; runs: number }[] = [
    { name: '60 days', series: sliceSeries(spy, spy.time[spy.length - 60], last), runs: 9 },
    // More runs than 60 days: the in-process baseline itself varies ±40 % run to run on this machine.
    { name: '20 years', series: sliceSeries(spy, Date.UTC(2002, 0, 1), last), runs: 15 },
  ];
  const compiled = await compileStrategy(RSI_STRATEGY, 'spy-rsi.strategy.ts');

  const direct = new SandboxRunner({ mode: 'none' });
  const processMode = new SandboxRunner({ mode: 'process' });
  const cold = new SandboxRunner({ mode: 'docker', poolSize: 0 });
  const warm = new SandboxRunner({ mode: 'docker', poolSize: 1 });
  const tag = await cold.prepare();
  await warm.warm();
  let floor: { inBytes: number; outBytes: number; ms: number } | undefined;

  console.log(`Sandbox overhead — RSI(14) reversion on SPY daily (${dataFile.split('/').pop()}), median of N runs, end to end (job sent → result parsed)\n`);
  const rows: string[][] = [['window', 'bars', 'mode', 'median ms', '× in-process', 'trades']];
  try {
    for (const w of windows) {
      const req: SandboxRunRequest = { compiled, series: [w.series] };
      const baseline = await direct.run(req); // warm the JIT
      if (w.name === '20 years') {
        const inBytes = encodeJob({ key: new Uint8Array(16), js: compiled.js, fileName: compiled.fileName, options: {}, timeMs: 0, maxLogBytes: 0, series: [w.series] }).length;
        const outBytes = encodeResult(baseline).length + FRAME_HEADER;
        floor = { inBytes, outBytes, ms: await attachRoundTrip(tag, inBytes, outBytes, 9) };
      }
      const check = async (runner: SandboxRunner) => {
        const r = await runner.run(req);
        if (r.trades.length !== baseline.trades.length || r.metrics.returnPct !== baseline.metrics.returnPct) {
          throw new Error(`${runner.mode} result differs from in-process (${r.trades.length} vs ${baseline.trades.length} trades)`);
        }
      };
      // Modes take turns, run by run, so a change in machine load hits all of them alike.
      const modes: [string, () => Promise<unknown>][] = [
        ['in-process (no isolation)', () => direct.run(req)],
        ['process mode', () => check(processMode)],
        ['docker, cold container', () => check(cold)],
        ['docker, warm pool', () => check(warm)],
      ];
      // Before every timed run: finished containers removed, the pool refilled, then a pause (CLICK_PAUSE_MS), so
      // Docker's removal work and a new container's boot never overlap a timing.
      const settle = async () => {
        await Promise.all([processMode.idle(), cold.idle(), warm.idle()]);
        await warm.warm();
        await new Promise((r) => setTimeout(r, CLICK_PAUSE_MS));
      };
      const samples = modes.map(() => [] as number[]);
      for (let i = 0; i < w.runs; i++) {
        for (let m = 0; m < modes.length; m++) samples[m].push(await timeOnce(modes[m][1], settle));
      }
      const results: [string, number][] = modes.map(([name], m) => [name, median(samples[m])]);
      const base = results[0][1];
      for (const [mode, ms] of results) rows.push([w.name, String(w.series.length), mode, ms.toFixed(1), (ms / base).toFixed(2), String(baseline.trades.length)]);
    }
  } finally {
    await Promise.all([direct.dispose(), processMode.dispose(), cold.dispose(), warm.dispose()]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));
  const get = (w: string, m: string) => Number(rows.find((r) => r[0] === w && r[2].startsWith(m))![3]);
  const base20 = get('20 years', 'in-process');
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const warmRatio = get('20 years', 'docker, warm') / base20;
  console.log(`\nTargets: 20 years, warm pool ${warmRatio.toFixed(2)}× in-process (target ≤ 1.2×: ${verdict(warmRatio <= 1.2)});`);
  console.log(`         60 days, warm pool ${get('60 days', 'docker, warm').toFixed(0)} ms (target < 150 ms: ${verdict(get('60 days', 'docker, warm') < 150)}), cold ${get('60 days', 'docker, cold').toFixed(0)} ms (target < 400 ms: ${verdict(get('60 days', 'docker, cold') < 400)}).`);
  if (floor) {
    console.log(`Floor: the Docker attach round trip alone for the 20-year job (${(floor.inBytes / 1024).toFixed(0)} KB in) and result (${(floor.outBytes / 1024).toFixed(0)} KB out), in a started container doing nothing else: ${floor.ms.toFixed(1)} ms = ${(floor.ms / base20).toFixed(2)}× in-process.`);
  }
  console.log(`Warm pool gain over a cold container: ${(get('60 days', 'docker, cold') - get('60 days', 'docker, warm')).toFixed(0)} ms per run.`);
  console.log(`Machine load average (1 min) at start ${loadStart.toFixed(1)}, at end ${loadavg()[0].toFixed(1)} on ${cpus().length} cores: numbers on a busy machine are inflated.`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
