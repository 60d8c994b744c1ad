/**
 * The backtest the worker runs. INTERIM until core/engine/backtest.ts can be
 * bundled (it needs core/metrics/index.ts): constructs the strategy and feeds
 * it the bars in time order with a broker that only logs.
 */
import type { BarSeries } from '../../core/data/series';
import { bindBroker, withParamOverrides } from '../../core/sdk/internal';
import type { SandboxBacktestOptions } from '../../core/sandbox/protocol';
import type { LogLine } from '../../core/engine/types';
import type { StrategyClass } from './sdk-modules';

export function runBacktestInSandbox(cls: StrategyClass, series: BarSeries[], options: SandboxBacktestOptions & { onLog: (line: LogLine) => void }): unknown {
  let time: number | null = null;
  const strategy = withParamOverrides(options.params, () => new cls());
  const broker = {
    log: (message: string) => options.onLog({ time, message }),
    submit: () => { throw new Error('orders are not simulated by the interim sandbox engine'); },
    cancel: () => false, shares: () => 0, position: () => undefined, openOrders: () => [], cash: () => options.cash ?? 10_000, equity: () => options.cash ?? 10_000,
  };
  bindBroker(strategy, broker as never);
  strategy.onStart?.();
  let bars = 0;
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      time = s.time[i];
      strategy.onBar({ symbol: s.symbol, time: s.time[i], open: s.open[i], high: s.high[i], low: s.low[i], close: s.close[i], volume: s.volume[i], index: i });
      bars++;
    }
  }
  time = null;
  strategy.onEnd?.();
  return { metrics: {}, trades: [], equity: [], orders: [], fills: [], run: { strategy: cls.name, symbols: series.map((s) => s.symbol), bars, start: null, end: null, options: {}, params: { ...strategy.params } } };
}
