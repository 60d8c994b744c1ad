/**
 * The chosen variant's full result: the same engine re-runs it with detail 'full' (trades, orders, the equity
 * curve as rows), so what the user opens is the ordinary backtest result of those params.
 */
import type { BacktestResult } from '../engine/types';
import type { BarSeries } from '../data/series';
import type { StrategyParams } from '../sdk/types';
import type { CompiledStrategy } from '../strategy/compile';
import type { VariantBatch, VariantEngine } from '../run/variants';

export async function runVariantFull(
  engine: VariantEngine,
  batch: { compiled: CompiledStrategy; series: BarSeries[]; options: VariantBatch['options']; signal?: AbortSignal },
  params: StrategyParams,
): Promise<BacktestResult> {
  const [outcome] = await engine.run({ ...batch, variants: [{ id: 'best', params }], detail: 'full' });
  if (!outcome.ok) throw new Error(`Re-running the best variant failed: ${outcome.error}`);
  if (!outcome.result) throw new Error(`The ${engine.name} engine returned a summary where the full result was asked for.`);
  return outcome.result;
}

/** `name=value` of the swept params only, in space order: the `--param` flags of the equivalent backtest. */
export function sweptParams(params: StrategyParams, names: readonly string[]): StrategyParams {
  return Object.fromEntries(names.map((n) => [n, params[n]]));
}
