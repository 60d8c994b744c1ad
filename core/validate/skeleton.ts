/**
 * The strategy skeleton offered for an empty strategy file (quick fix on SL010, completion in an empty
 * document): the smallest file every rule accepts, with the places to edit marked.
 */

/** A class name from a file name: `rsi-cross.strategy.ts` → `RsiCrossStrategy`. */
export function skeletonClassName(fileName: string): string {
  const base = (fileName.split(/[\\/]/).pop() ?? '').replace(/(\.strategy)?\.[cm]?tsx?$/, '');
  const words = base.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1));
  let name = words.join('').replace(/^\d+/, '');
  if (!name) name = 'My';
  return name.endsWith('Strategy') ? name : `${name}Strategy`;
}

export function strategySkeleton(fileName: string): string {
  const name = skeletonClassName(fileName);
  return [
    "import { BaseStrategy, type Bar } from 'strategy-lab';",
    "import { SMA } from 'strategy-lab/indicators';",
    '',
    `export default class ${name} extends BaseStrategy {`,
    "  static config = { symbols: ['AAPL'], timeframe: '1d' };",
    '  params = { period: 20 };',
    '  private sma = new SMA(this.params.period);',
    '',
    '  onBar(bar: Bar): void {',
    '    const average = this.sma.update(bar.close);',
    '    if (average === undefined) return;',
    '    if (bar.close > average && !this.position(bar.symbol)) this.buy(bar.symbol);',
    '    else if (bar.close < average && this.position(bar.symbol)) this.close(bar.symbol);',
    '  }',
    '}',
    '',
  ].join('\n');
}

/** True when the file holds nothing but whitespace and comments (where the skeleton is offered). */
export function isBlankSource(text: string): boolean {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, '').trim() === '';
}
