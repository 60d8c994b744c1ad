/** What the fake model answers: a valid strategy, the same with a type error, and the usual chatty wrapping. */
export const GOOD_CODE = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { SMA } from 'strategy-lab/indicators';

export default class ModelSmaTrend extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' as const };
  params = { fast: 10, slow: 30 };
  private fastSma = new SMA(this.params.fast);
  private slowSma = new SMA(this.params.slow);

  onBar(bar: Bar): void {
    const fast = this.fastSma.update(bar.close);
    const slow = this.slowSma.update(bar.close);
    if (fast === undefined || slow === undefined) return;
    if (fast > slow && this.position(bar.symbol) === 0) this.buy(bar.symbol);
    else if (fast < slow && this.position(bar.symbol) > 0) this.close(bar.symbol);
  }
}
`;
export const BAD_CODE = GOOD_CODE.replace('this.buy(bar.symbol);', 'this.purchase(bar.symbol);');
export const fenced = (code: string) => `Here is your strategy:\n\n\`\`\`ts\n${code}\`\`\`\n\nGood luck!`;

