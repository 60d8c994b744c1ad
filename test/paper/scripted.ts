/** A strategy whose orders the test scripts by date, for order life-cycle and fault tests. */
import { compileStrategy } from '../../core/strategy/compile';
import { loadStrategy, type StrategyClass } from '../../core/strategy/load';
import { InProcessStrategyHost } from '../../core/paper/strategyHost';

export interface ScriptedOrder {
  /** YYYY-MM-DD of the bar on which the order is placed. */
  on: string;
  side: 'buy' | 'sell';
  shares?: number;
  limit?: number;
  close?: boolean;
  /** Cancel the strategy's open orders on this bar instead. */
  cancelAll?: boolean;
  /** Protective exits on the order (the SDK's own option names). */
  exits?: { stopLossPct?: number; takeProfitPct?: number; stopLoss?: number; takeProfit?: number; trailingStopPct?: number };
}

export async function scriptedClass(script: ScriptedOrder[], symbol = 'SPY'): Promise<StrategyClass> {
  const source = `import { BaseStrategy, type Bar, type Fill } from 'strategy-lab';
const SCRIPT = ${JSON.stringify(script)};
export default class Scripted extends BaseStrategy {
  static config = { symbols: [${JSON.stringify(symbol)}], timeframe: '1d' };
  onFill(fill: Fill) { this.log('onFill ' + fill.side + ' ' + fill.shares + ' @ ' + fill.price + ' #' + fill.orderId); }
  onBar(bar: Bar) {
    const day = new Date(bar.time).toISOString().slice(0, 10);
    for (const s of SCRIPT) {
      if (s.on !== day) continue;
      if (s.cancelAll) { for (const o of this.openOrders(bar.symbol)) this.cancel(o); continue; }
      if (s.close) { this.close(bar.symbol); continue; }
      const opts: Record<string, number> = { ...(s.exits ?? {}) };
      if (s.shares !== undefined) opts.shares = s.shares;
      if (s.limit !== undefined) opts.limit = s.limit;
      if (s.side === 'buy') this.buy(bar.symbol, opts); else this.sell(bar.symbol, opts);
    }
  }
}`;
  const c = await compileStrategy(source, 'scripted.ts');
  return loadStrategy(c.js, 'scripted.ts');
}

export async function scriptedHost(script: ScriptedOrder[], log: string[] = []): Promise<InProcessStrategyHost> {
  const cls = await scriptedClass(script);
  return new InProcessStrategyHost(() => cls, (l) => log.push(l.message));
}
