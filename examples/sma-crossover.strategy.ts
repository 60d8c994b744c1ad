// Request: Buy SPY when the 50-day SMA crosses above the 200-day SMA, sell when it crosses below
import { BaseStrategy, type Bar } from 'strategy-lab';
import { SMA, crossedAbove, crossedBelow } from 'strategy-lab/indicators';

/** Golden cross / death cross on SPY, long only. */
export default class SpyGoldenCross extends BaseStrategy {
  static config = { symbols: ['SPY'], timeframe: '1d' };
  params = { fast: 50, slow: 200 };
  private fast = new SMA(this.params.fast);
  private slow = new SMA(this.params.slow);
  private prevFast: number | undefined;
  private prevSlow: number | undefined;

  onBar(bar: Bar) {
    const fast = this.fast.update(bar.close);
    const slow = this.slow.update(bar.close);
    if (fast === undefined || slow === undefined) return;
    if (this.prevFast !== undefined && this.prevSlow !== undefined) {
      if (crossedAbove(this.prevFast, this.prevSlow, fast, slow) && !this.position(bar.symbol)) this.buy(bar.symbol);
      else if (crossedBelow(this.prevFast, this.prevSlow, fast, slow) && this.position(bar.symbol)) this.close(bar.symbol);
    }
    this.prevFast = fast;
    this.prevSlow = slow;
  }
}
