/**
 * The overview job (JobHeader.detail 'overview', SandboxRunner.overview): what the CLI's text summary shows, run in
 * a sandbox without sending trade, order or equity records back. It must say what the whole result says, in every
 * mode, and refuse a payload that is malformed or describes other bars. Needs a running Docker engine.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { loadCsv } from '../../core/data/csv';
import { createSeries, type BarSeries } from '../../core/data/series';
import { overviewOf, runBacktestOverview, type RunOverview } from '../../core/engine/backtest';
import type { LogLine } from '../../core/engine/types';
import { startContainer } from '../../core/sandbox/container';
import { SandboxError } from '../../core/sandbox/errors';
import { runJob, runOverviewJob } from '../../core/sandbox/job';
import { resolveLimits } from '../../core/sandbox/limits';
import { decodeOverview, encodeOverview } from '../../core/sandbox/result-codec';
import { SandboxRunner } from '../../core/sandbox/runner';
import { overviewOfRun, runStrategy } from '../../core/run/runStrategy';
import { loadStrategy } from '../../core/strategy/load';
import { bars, compiled, containerSuite, HOSTILE_LIMITS, SPY_RSI_SOURCE, strategySource } from './helpers';

const shared = (name: string) => resolve(__dirname, '..', '..', '..', 'shared', 'data', name);

/** As it crosses a sandbox: JSON (non-finite metrics become null there, in the whole result too). */
const asSent = (o: RunOverview): RunOverview => JSON.parse(JSON.stringify(o));

/** Two symbols on different calendars: B misses every fifth day of A's. */
function gappyPair(n: number): BarSeries[] {
  const a = bars(n, 'AAA');
  const keep = Array.from({ length: n }, (_, i) => i).filter((i) => i % 5 !== 3);
  const b = createSeries('BBB', keep.length);
  keep.forEach((i, k) => {
    b.time[k] = a.time[i];
    b.open[k] = a.open[i] * 2;
    b.high[k] = a.high[i] * 2;
    b.low[k] = a.low[i] * 2;
    b.close[k] = a.close[i] * 2;
    b.volume[k] = 500;
  });
  return [a, b];
}

interface Case {
  name: string;
  source: string;
  series: () => Promise<BarSeries[]>;
  options?: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: 'RSI with parameters, costs and logs on 23 years of SPY',
    source: SPY_RSI_SOURCE,
    series: async () => [await loadCsv(shared('SPY_daily_1998_2021_lean.csv'), { symbol: 'SPY' })],
    options: { cash: 25_000, commission: 0.001, slippageBps: 2, params: { period: 10 } },
  },
  {
    name: 'a position still open at the end, with stops (open trades counted)',
    source: strategySource(`
      if (bar.index % 40 === 5 && !this.position(bar.symbol)) this.buy(bar.symbol, { stopLossPct: 3, takeProfitPct: 8 });
      if (bar.index % 40 === 30 && this.position(bar.symbol)) this.close(bar.symbol);
      if (bar.index === 390) this.buy(bar.symbol);
    `),
    series: async () => [bars(400)],
  },
  {
    name: 'two symbols on different calendars, shorts too',
    source: `import { BaseStrategy, type Bar } from 'strategy-lab';
export default class Pair extends BaseStrategy {
  static config = { symbols: ['AAA', 'BBB'], timeframe: '1d' as const };
  onBar(bar: Bar) {
    if (bar.index % 25 === 0) { if (this.position(bar.symbol)) this.close(bar.symbol); else if (bar.symbol === 'AAA') this.buy(bar.symbol, { percent: 40 }); else this.sell(bar.symbol, { percent: 30 }); }
  }
}`,
    series: async () => gappyPair(300),
  },
  {
    name: 'never trades (metrics without trades: nulls)',
    source: strategySource(`if (bar.index === 3) this.log('watching');`),
    series: async () => [bars(120)],
  },
];

describe('the overview job', () => {
  const suite = containerSuite();

  test("a sandbox's overview equals the overview of its whole result, with the same logs, in Docker and process mode", async () => {
    for (const c of CASES) {
      const strategy = await compiled(c.source, 'case.strategy.ts');
      const series = await c.series();
      const options = c.options ?? {};
      const logsOfWhole: LogLine[] = [];
      const whole = await runStrategy({ compiled: strategy, series, options, mode: 'none', onLog: (l) => logsOfWhole.push(l) });
      const expected = asSent(overviewOf(whole));
      assert.deepEqual(asSent(await overviewOfRun({ compiled: strategy, series, options, mode: 'none' })), expected, `${c.name}: in this process`);
      for (const mode of ['docker', 'process'] as const) {
        const logs: LogLine[] = [];
        const got = await overviewOfRun({ compiled: strategy, series, options, mode, onLog: (l) => logs.push(l), settings: { limits: HOSTILE_LIMITS } });
        assert.deepEqual(got, expected, `${c.name}: ${mode}`);
        assert.deepEqual(logs, logsOfWhole, `${c.name}: ${mode} logs`);
      }
    }
  });

  test('a warm runner answers an overview from its pool, and a failing strategy fails as a whole run does', async () => {
    const runner = new SandboxRunner({ poolSize: 1, limits: HOSTILE_LIMITS });
    try {
      await runner.warm();
      const ok = await compiled(strategySource(`if (bar.index === 2) this.buy(bar.symbol);`));
      const overview = await runner.overview({ compiled: ok, series: [bars(50)] });
      assert.equal(overview.run.strategy, 'Probe');
      assert.equal(overview.openTrades, 1);
      const thrower = await compiled(strategySource(`if (bar.index === 10) throw new Error('bad state');`));
      const failures: SandboxError[] = [];
      for (const run of [() => runner.run({ compiled: thrower, series: [bars(50)] }), () => runner.overview({ compiled: thrower, series: [bars(50)] })]) {
        await assert.rejects(run(), (err: unknown) => {
          assert.ok(err instanceof SandboxError);
          failures.push(err);
          return true;
        });
      }
      assert.equal(failures[1].kind, failures[0].kind);
      assert.equal(failures[1].message, failures[0].message);
      assert.match(failures[1].message, /bad state/);
      const where = (e: SandboxError) => ({ ...e.at, stack: e.at?.stack?.split('\n')[0] }); // the engine's own frames differ
      assert.deepEqual(where(failures[1]), where(failures[0]), 'the failing bar and the line in the strategy are named the same');
      assert.match(where(failures[1]).stack ?? '', /probe\.strategy\.ts:\d+:\d+/);
    } finally {
      await runner.dispose();
    }
  });

  test('only the overview crosses back: a few hundred bytes where the whole result of 200,000 bars is megabytes', async () => {
    const strategy = await compiled(strategySource(`
      if (bar.index % 50 === 0 && !this.position(bar.symbol)) this.buy(bar.symbol);
      else if (bar.index % 50 === 25 && this.position(bar.symbol)) this.close(bar.symbol);
    `));
    const series = [bars(200_000)];
    const limits = resolveLimits();
    const received = async <T>(run: (channel: Awaited<ReturnType<typeof startContainer>>) => Promise<T>) => {
      const channel = await startContainer(suite.docker, suite.image, limits);
      let bytes = 0;
      channel.stdout.on('data', (chunk: Buffer) => (bytes += chunk.length));
      try {
        await channel.ready;
        return { value: await run(channel), bytes };
      } finally {
        await channel.dispose();
      }
    };
    const job = { js: strategy.js, fileName: strategy.fileName, series, options: {}, limits };
    const overview = await received((channel) => runOverviewJob(channel, job));
    const whole = await received((channel) => runJob(channel, { ...job, equity: 'drawable' }));
    assert.deepEqual(overview.value, asSent(overviewOf(whole.value)));
    assert.ok(overview.value.metrics.tradeCount! > 1000, 'the run trades');
    assert.ok(overview.bytes < 4096, `the overview job sent ${overview.bytes} bytes`);
    assert.ok(whole.bytes > 1_000_000, `the whole result is ${whole.bytes} bytes`);
  });
});

describe('the overview payload ("SLO1")', () => {
  const overview = (): RunOverview => {
    const cls = loadStrategy(`"use strict";
const { BaseStrategy } = require('strategy-lab');
class P extends BaseStrategy { onBar(bar) { if (bar.index === 5) this.buy(bar.symbol); } }
P.config = { symbols: ['TEST'], timeframe: '1d' };
exports.default = P;`, 'p.strategy.js');
    return runBacktestOverview(cls, [bars(30)]);
  };
  const payload = (value: unknown, magic = 0x314f4c53, extra = 0): Buffer => {
    const json = Buffer.from(JSON.stringify(value));
    const out = Buffer.alloc(8 + json.length + extra);
    out.writeUInt32LE(magic, 0);
    out.writeUInt32LE(json.length, 4);
    json.copy(out, 8);
    return out;
  };

  test('round trip: the same facts, metrics and open trades', () => {
    const o = overview();
    const bytes = encodeOverview(o);
    assert.deepEqual(decodeOverview(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length), ['TEST']), asSent(o));
    assert.equal(o.openTrades, 1);
  });

  test('refused: another payload, a wrong length, other symbols, missing or impossible fields', () => {
    const o = asSent(overview());
    const refused: [string, Buffer, RegExp][] = [
      ['empty', Buffer.alloc(0), /not an overview payload/],
      ['a result magic', payload(o, 0x31524c53), /not an overview payload/],
      ['bytes after the JSON', payload(o, undefined, 3), /does not match its header/],
      ['other symbols', payload({ ...o, run: { ...o.run, symbols: ['OTHER'] } }), /symbols \["OTHER"\] for a run of \["TEST"\]/],
      ['one symbol too many', payload({ ...o, run: { ...o.run, symbols: ['TEST', 'TEST'] } }), /symbols/],
      ['no metrics', payload({ ...o, metrics: null }), /without metrics/],
      ['fractional open trades', payload({ ...o, openTrades: 0.5 }), /count of open trades/],
      ['negative open trades', payload({ ...o, openTrades: -1 }), /count of open trades/],
      ['open trades as text', payload({ ...o, openTrades: '1' }), /count of open trades/],
      ['no strategy name', payload({ ...o, run: { ...o.run, strategy: 7 } }), /strategy, bars or options/],
      ['bars not a count', payload({ ...o, run: { ...o.run, bars: 1.5 } }), /strategy, bars or options/],
      ['no options', payload({ ...o, run: { ...o.run, options: null } }), /strategy, bars or options/],
      ['not JSON', (() => { const p = payload(o); p.write('{', 8); p.write('!', 9); return p; })(), /JSON|Unexpected/],
    ];
    for (const [name, bytes, error] of refused) assert.throws(() => decodeOverview(bytes, ['TEST']), error, name);
  });
});
