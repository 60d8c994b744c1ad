// Request: Buy SPY and QQQ on a 20-day high breakout with a 2% stop loss and a 6% take profit, 40% of equity each
import { BaseStrategy, type Bar } from 'strategy-lab';
import { Highest } from 'strategy-lab/indicators';

/** Donchian-style breakout on two ETFs with bracket exits. */
export default class EtfBreakout extends BaseStrategy {
  static config = { symbols: ['SPY', 'QQQ'], timeframe: '1d' };
  params = { lookback: 20, stopLossPct: 2, takeProfitPct: 6, percent: 40 };
  private highs = new Map<string, Highest>();

  onBar(bar: Bar) {
    let highest = this.highs.get(bar.symbol);
    if (!highest) this.highs.set(bar.symbol, (highest = new Highest(this.params.lookback)));
    // The breakout level is the high of the previous N bars: read it before adding this bar.
    const level = highest.value;
    highest.update(bar.high);
    if (level !== undefined && bar.close > level && !this.position(bar.symbol)) {
      this.buy(bar.symbol, { percent: this.params.percent, stopLossPct: this.params.stopLossPct, takeProfitPct: this.params.takeProfitPct });
    }
  }
}
