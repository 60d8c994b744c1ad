/**
 * `strategy-lab/indicators`: incremental technical indicators for strategies.
 *
 * Every indicator is fed one bar at a time: `update(...)` returns the value on this
 * bar, or `undefined` while the indicator is warming up (`warmup` says for how many
 * bars). Price indicators take a number (`rsi.update(bar.close)`); bar indicators
 * (ATR, Stochastic, ADX, OBV, VWAP) take the bar itself (`atr.update(bar)`).
 * NaN/Infinity inputs throw `IndicatorError` and leave the state unchanged.
 *
 * @example
 * ```ts
 * import { RSI, SMA, Cross } from 'strategy-lab/indicators';
 * ```
 */
export type { BarLike, Indicator } from './types';
export { IndicatorError } from './errors';
export { SMA } from './sma';
export { EMA } from './ema';
export { WMA } from './wma';
export { RSI } from './rsi';
export { MACD, type MACDValue } from './macd';
export { BollingerBands, type BollingerBandsValue } from './bollinger';
export { ATR } from './atr';
export { Stochastic, type StochasticValue } from './stochastic';
export { ADX, type ADXValue } from './adx';
export { OBV } from './obv';
export { VWAP, type VWAPOptions } from './vwap';
export { Highest } from './highest';
export { Lowest } from './lowest';
export { Cross, crossedAbove, crossedBelow, type CrossDirection } from './cross';
