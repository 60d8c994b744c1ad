/**
 * JIT warm-up for idle warm-pool containers: runs the engine (broker, metrics,
 * result encoding) on synthetic bars with built-in trusted strategies, so the
 * engine code is already optimised when the user's job arrives. Only runs when
 * the container is idle; a cold container gets its job first and skips it.
 *
 * The rounds rotate through several strategy classes. With one class, V8
 * optimised the engine for that class's object shape, and the user's class (a
 * new shape) threw all of it away on its first bar ("wrong map" deopts of the
 * bar loop, `position`, `buy`, `close`, …) and recompiled it during the job:
 * ~30 ms of compiler CPU inside a one-CPU container. After seeing more shapes
 * than V8 specialises for, the engine's code handles any strategy class
 * without deoptimising.
 */
import { runBacktest } from '../../core/engine/backtest';
import { loadStrategy, type StrategyClass } from '../../core/strategy/load';
import { encodeResult } from '../../core/sandbox/result-codec';
import { seriesFromColumns } from '../../core/sandbox/protocol';

/**
 * Order options of the warm-up variants, one object shape each (and none): more shapes than V8's
 * polymorphism limit (4), like the strategy classes, so the order path is generic before any job.
 */
const ORDER_OPTIONS = ['', ", { tag: 'w' }", ', { percent: 50 }', ', { stopLossPct: 2, takeProfitPct: 5 }', ", { shares: 10, tag: 'w' }", ', { trailingStopPct: 3 }', ', { limit: bar.close * 0.995 }'];

/**
 * A warm-up strategy as compiled strategy code, loaded the way a job's is. Each variant is its own source
 * text, so its class and its `onBar` are separate functions to V8 (classes made by one class expression share
 * their methods' code, and the bar loop stayed specialised for that one `onBar`). It uses the indicators
 * strategies use most, so their update paths are optimised too, and one shape of order options. Every other
 * variant draws no indicators (`plot(false)`), so results with and without `plots` are both familiar shapes.
 */
function warmupStrategyClass(variant: number): StrategyClass {
  const js = `"use strict";
const { BaseStrategy } = require('strategy-lab');
const { RSI, EMA, SMA } = require('strategy-lab/indicators');
class WarmUp${variant} extends BaseStrategy {
  constructor() { super(); this.rsi = new RSI(14); this.fast = new EMA(12); this.slow = new SMA(26);${variant % 2 ? ' this.plot(false);' : ''} }
  onBar(bar) {
    const r = this.rsi.update(bar.close), f = this.fast.update(bar.close), s = this.slow.update(bar.close);
    const up = r !== undefined && f !== undefined && s !== undefined && (r < ${50 - variant} || f > s);
    if (bar.index % 17 === 0) this.log('warm-up', bar.index);
    if (up && !this.position(bar.symbol)) this.buy(bar.symbol${ORDER_OPTIONS[variant]});
    else if (!up && this.position(bar.symbol)) this.close(bar.symbol);
  }
}
WarmUp${variant}.config = { symbols: ['WARM'], timeframe: '1d' };
exports.default = WarmUp${variant};
`;
  return loadStrategy(js, `warm-up-${variant}.strategy.js`);
}

/**
 * Warms the engine round by round, yielding to the event loop between rounds
 * and stopping as soon as `interrupted()` says a job has arrived, so a job
 * never waits for more than one round (a few milliseconds).
 * 30 rounds of 3,000 bars (about half a second of idle CPU) measured best:
 * the 20-year benchmark job dropped from ~80 ms (3 rounds) to ~33 ms; 60
 * rounds gained nothing more.
 */
export async function warmUpEngine(interrupted: () => boolean, rounds = 30, bars = 3000): Promise<void> {
  // Built the way a job's bars are (seriesFromColumns), so the engine is optimised for their object shape.
  const [s] = seriesFromColumns([{ symbol: 'WARM', length: bars, adjClose: false }], new ArrayBuffer(bars * 6 * 8));
  for (let i = 0; i < bars; i++) {
    const c = 100 + 10 * Math.sin(i / 9) + i / 100;
    s.time[i] = Date.UTC(2000, 0, 1) + i * 86_400_000;
    s.open[i] = c - 0.3;
    s.high[i] = c + 1;
    s.low[i] = c - 1;
    s.close[i] = c;
    s.volume[i] = 1e6;
  }
  const classes = ORDER_OPTIONS.map((_, i) => warmupStrategyClass(i));
  for (let r = 0; r < rounds && !interrupted(); r++) {
    const result = runBacktest(classes[r % classes.length], [s], { onLog: () => {} });
    encodeResult(result);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
