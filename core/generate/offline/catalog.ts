/**
 * How each IndicatorSpec becomes code against `strategy-lab/indicators`: the
 * class, its constructor settings (each a named param), what `update` is fed,
 * and the base name used for fields, locals and params.
 */
import type { IndicatorSpec } from '../spec';

export interface IndicatorCode {
  /** Class exported by `strategy-lab/indicators`. */
  className: string;
  /** Base name for the field/local, e.g. `rsi`, `sma`, `bands`. */
  baseName: string;
  /** Constructor settings in order: param-name suffix and value. */
  settings: { suffix: string; value: number }[];
  /** Argument of `update`, e.g. `bar.close` or `bar`. */
  input: string;
  /**
   * True for channel indicators read *before* updating: a breakout compares
   * the bar with the highest high of the bars before it.
   */
  readsPrior: boolean;
  /** Outputs are fields of an object (`macd.signal`) rather than one number. */
  multiOutput: boolean;
}

export function indicatorCode(i: IndicatorSpec): IndicatorCode {
  const single = (className: string, baseName: string, settings: IndicatorCode['settings'], input = 'bar.close'): IndicatorCode => ({
    className, baseName, settings, input, readsPrior: false, multiOutput: false,
  });
  const multi = (className: string, baseName: string, settings: IndicatorCode['settings'], input = 'bar.close'): IndicatorCode => ({
    className, baseName, settings, input, readsPrior: false, multiOutput: true,
  });
  switch (i.type) {
    case 'RSI':
      return single('RSI', 'rsi', [{ suffix: 'Period', value: i.period }]);
    case 'SMA':
    case 'EMA':
    case 'WMA': {
      const base = i.type.toLowerCase();
      return i.source === 'volume'
        ? single(i.type, `volume${i.type[0]}${base.slice(1)}`, [{ suffix: 'Period', value: i.period }], 'bar.volume')
        : single(i.type, base, [{ suffix: 'Period', value: i.period }]);
    }
    case 'MACD':
      return multi('MACD', 'macd', [
        { suffix: 'Fast', value: i.fast },
        { suffix: 'Slow', value: i.slow },
        { suffix: 'Signal', value: i.signal },
      ]);
    case 'BollingerBands':
      return multi('BollingerBands', 'bands', [
        { suffix: 'Period', value: i.period },
        { suffix: 'StdDev', value: i.stdDev },
      ]);
    case 'Stochastic':
      return multi('Stochastic', 'stoch', [
        { suffix: 'Period', value: i.period },
        { suffix: 'Signal', value: i.signal },
      ], 'bar');
    case 'ATR':
      return single('ATR', 'atr', [{ suffix: 'Period', value: i.period }], 'bar');
    case 'ADX':
      return multi('ADX', 'adx', [{ suffix: 'Period', value: i.period }], 'bar');
    case 'Highest':
      return { ...single('Highest', 'priorHigh', [{ suffix: 'Period', value: i.period }], 'bar.high'), readsPrior: true };
    case 'Lowest':
      return { ...single('Lowest', 'priorLow', [{ suffix: 'Period', value: i.period }], 'bar.low'), readsPrior: true };
  }
}
