/** A long run on minute bars for the history and results tests: a minute RSI strategy, run in this process and saved as the extension saves it. */
import type { BarSeries } from '../../core/data/series';
import type { BacktestResult } from '../../core/engine/types';
import { createRunRecord } from '../../core/history/record';
import type { RunRecord } from '../../core/history/types';
import { runInThisProcess } from '../../core/run/runStrategy';
import { compileStrategy } from '../../core/strategy/compile';

/** RSI on minute bars with a short period: thousands of trades, long and short, on one or two symbols. */
export const minuteRsiSource = (symbols: string[]): string => `import { BaseStrategy, type Bar } from 'strategy-lab';
import { RSI } from 'strategy-lab/indicators';
export default class MinuteRsi extends BaseStrategy {
  static config = { symbols: ${JSON.stringify(symbols)}, timeframe: '1m' as const };
  private rsi: Record<string, RSI> = {};
  onBar(bar: Bar) {
    const rsi = (this.rsi[bar.symbol] ??= new RSI(9));
    const v = rsi.update(bar.close);
    if (v === undefined) return;
    const pos = this.position(bar.symbol);
    if (v < 20 && pos <= 0) { if (pos < 0) this.close(bar.symbol); this.buy(bar.symbol, { shares: 10 }); }
    else if (v > 80 && pos >= 0) { if (pos > 0) this.close(bar.symbol); this.sell(bar.symbol, { shares: 10 }); }
  }
}`;

export async function runMinutes(series: BarSeries[], equity: 'all' | 'drawable' = 'all'): Promise<BacktestResult> {
  const compiled = await compileStrategy(minuteRsiSource(series.map((s) => s.symbol)), 'minute-rsi.strategy.ts');
  return runInThisProcess({ compiled, series, options: { cash: 100_000 }, mode: 'none', equity });
}

export function minuteRecord(result: BacktestResult, series: BarSeries[]): RunRecord {
  return createRunRecord({
    result, series,
    strategy: { name: 'MinuteRsi', file: 'minute-rsi.strategy.ts', source: minuteRsiSource(series.map((s) => s.symbol)) },
    data: { source: 'csv', timeframe: '1m' }, options: {}, sandbox: { mode: 'none', durationMs: 1 },
    createdAt: new Date(Date.UTC(2026, 11, 5)), randomSuffix: 'test',
  });
}

