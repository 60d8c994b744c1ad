/** The RSI example compiled, with the real AAPL daily bars (1998–2021) from ../shared/data: what the sweep tests run. */
import type { BarSeries } from '../../core/data/series';
import { compileStrategy, type CompiledStrategy } from '../../core/strategy/compile';
import { readDeclaredParams } from '../../core/strategy/config';
import { example, realAapl } from '../evaluate/helpers';

export const RSI_SOURCE = example('rsi-reversion');

export async function rsiOnAapl(): Promise<{ compiled: CompiledStrategy; series: BarSeries[] }> {
  return { compiled: await compileStrategy(RSI_SOURCE, 'rsi-reversion.strategy.ts'), series: [await realAapl()] };
}

export function rsiDeclared(): Record<string, number | boolean> {
  return readDeclaredParams(RSI_SOURCE).params!;
}
