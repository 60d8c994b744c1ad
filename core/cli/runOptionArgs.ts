/**
 * The run options `backtest` and `evaluate` share: cash, commission, fixed fee, slippage, fill policy and
 * params. One parser, so both commands accept the same flags with the same checks (docs/evaluate.md).
 */
import { resolveOptions } from '../engine/simulate';
import type { BacktestOptions, FillPolicy } from '../engine/types';
import { numberArg, paramArgs } from './args';
import { CliError } from './io';

export const RUN_OPTIONS = {
  cash: { type: 'string' },
  commission: { type: 'string' },
  'commission-fixed': { type: 'string' },
  'slippage-bps': { type: 'string' },
  fill: { type: 'string' },
  param: { type: 'string', multiple: true },
} as const;

export const RUN_OPTIONS_USAGE = '[--cash N] [--commission F] [--commission-fixed N] [--slippage-bps N] [--fill next-open|close] [--param name=value …]';

export type RunOptionValues = { cash?: string; commission?: string; 'commission-fixed'?: string; 'slippage-bps'?: string; fill?: string; param?: string[] };

/** The flags as BacktestOptions; a bad number or fill policy is a usage error (exit 2) before any data is fetched. */
export function runOptionsArg(values: RunOptionValues): BacktestOptions {
  const options: BacktestOptions = {
    cash: numberArg('cash', values.cash),
    commission: numberArg('commission', values.commission),
    commissionFixed: numberArg('commission-fixed', values['commission-fixed']),
    slippageBps: numberArg('slippage-bps', values['slippage-bps']),
    fill: values.fill as FillPolicy | undefined,
    params: paramArgs(values.param),
  };
  try {
    resolveOptions(options);
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  return options;
}
