/**
 * A long strategy for the region-first validation tests: `helpers` small methods, and one type error in the
 * first of them (`helper0`: a number assigned to a string).
 */
export function longStrategy(helpers: number): string {
  const lines = [
    "import { BaseStrategy, type Bar } from 'strategy-lab';",
    '',
    'export default class Long extends BaseStrategy {',
    "  static config = { symbols: ['SPY'], timeframe: '1d' };",
    '  onBar(bar: Bar): void { if (this.helper1(bar)) this.buy(bar.symbol); }',
    '  private helper0(bar: Bar): number { const s: string = bar.close; return s.length; }',
  ];
  for (let i = 1; i < helpers; i++) lines.push(`  private helper${i}(bar: Bar): boolean { const limit = ${i}; return bar.close > limit; }`);
  lines.push('}', '');
  return lines.join('\n');
}
