// Request: Buy SPY when the 50-day SMA crosses above the 200-day SMA, sell when it crosses below
import { BaseStrategy, type Bar } from 'strategy-lab';
import { Cross, SMA } from 'strategy-lab/indicators';

/** Golden cross / death cross on SPY, long only. */
export default class SpyGoldenCross extends BaseStrategy {
  static config = { symbols: ['SPY'], timeframe: '1d' };
  params = { fast: 50, slow: 200 };
  private fast = new SMA(this.params.fast);
  private slow = new SMA(this.params.slow);
  private cross = new Cross();

  onBar(bar: Bar) {
    const direction = this.cross.update(this.fast.update(bar.close), this.slow.update(bar.close));
    if (direction === 'above' && !this.position(bar.symbol)) this.buy(bar.symbol);
    else if (direction === 'below' && this.position(bar.symbol)) this.close(bar.symbol);
  }
}
