// Request: Buy AAPL when RSI drops below 35, sell when it rises above 65
import { BaseStrategy, type Bar } from 'strategy-lab';
import { RSI } from 'strategy-lab/indicators';

/** Mean reversion on RSI(14): buy oversold, exit when overbought. */
export default class AaplRsiReversion extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' };
  params = { period: 14, buyBelow: 35, sellAbove: 65 };
  private rsi = new RSI(this.params.period);

  onBar(bar: Bar) {
    const value = this.rsi.update(bar.close);
    if (value === undefined) return;
    if (value < this.params.buyBelow && !this.position(bar.symbol)) this.buy(bar.symbol);
    else if (value > this.params.sellAbove && this.position(bar.symbol)) this.close(bar.symbol);
  }
}
