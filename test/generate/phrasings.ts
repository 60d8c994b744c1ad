/**
 * Ideas the offline generator must understand, each with what its file must
 * contain: indicator classes constructed, numbers among the params (periods,
 * thresholds, stops), tickers, timeframe and direction.
 */
import type { Timeframe } from '../../core/sdk/types';

export interface Phrasing {
  idea: string;
  symbols: string[];
  indicators: string[];
  /** Every one must be the value of some param. */
  numbers: number[];
  timeframe?: Timeframe;
  direction?: 'long' | 'short';
  /** Cross helpers the rules must call. */
  calls?: ('crossedAbove' | 'crossedBelow')[];
  /** Order options the entry must pass. */
  orderOptions?: string[];
}

export const PHRASINGS: Phrasing[] = [
  { idea: 'Buy AAPL when RSI drops below 35, sell when it rises above 65', symbols: ['AAPL'], indicators: ['RSI'], numbers: [14, 35, 65] },
  { idea: 'Buy MSFT when the 14-day RSI is under 30 and sell when RSI is over 70', symbols: ['MSFT'], indicators: ['RSI'], numbers: [14, 30, 70] },
  { idea: 'Go long NVDA if RSI(7) falls below 20; exit when RSI(7) goes above 55', symbols: ['NVDA'], indicators: ['RSI'], numbers: [7, 20, 55] },
  { idea: 'RSI mean reversion on QQQ', symbols: ['QQQ'], indicators: ['RSI'], numbers: [14, 30, 70] },
  { idea: 'Golden cross on SPY', symbols: ['SPY'], indicators: ['SMA'], numbers: [50, 200], calls: ['crossedAbove', 'crossedBelow'] },
  { idea: 'Buy MSFT on a golden cross, sell on a death cross', symbols: ['MSFT'], indicators: ['SMA'], numbers: [50, 200], calls: ['crossedAbove', 'crossedBelow'] },
  {
    idea: 'Buy SPY when the 50-day SMA crosses above the 200-day SMA, sell when the 50-day SMA crosses below the 200-day SMA',
    symbols: ['SPY'], indicators: ['SMA'], numbers: [50, 200], calls: ['crossedAbove', 'crossedBelow'],
  },
  {
    idea: 'Buy AAPL when the 20-day EMA crosses above the 50-day EMA, sell when it crosses back below',
    symbols: ['AAPL'], indicators: ['EMA'], numbers: [20, 50], calls: ['crossedAbove', 'crossedBelow'],
  },
  { idea: 'Buy QQQ when price crosses above its 100-day moving average, sell when it crosses below', symbols: ['QQQ'], indicators: ['SMA'], numbers: [100], calls: ['crossedAbove', 'crossedBelow'] },
  { idea: 'Buy IWM when the close is above the 200-day SMA, exit when the close is below the 200-day SMA', symbols: ['IWM'], indicators: ['SMA'], numbers: [200] },
  { idea: 'Bollinger mean reversion on QQQ', symbols: ['QQQ'], indicators: ['BollingerBands'], numbers: [20, 2] },
  {
    idea: 'Buy AAPL when price closes below the lower Bollinger band, sell when it closes above the middle band',
    symbols: ['AAPL'], indicators: ['BollingerBands'], numbers: [20, 2],
  },
  {
    idea: 'Buy TSLA when price touches the lower Bollinger band (20, 2.5), sell when it reaches the upper band',
    symbols: ['TSLA'], indicators: ['BollingerBands'], numbers: [20, 2.5],
  },
  { idea: 'MACD signal cross on NVDA', symbols: ['NVDA'], indicators: ['MACD'], numbers: [12, 26, 9], calls: ['crossedAbove', 'crossedBelow'] },
  {
    idea: 'Buy MSFT when the MACD line crosses above the signal line, sell when the MACD crosses below the signal line',
    symbols: ['MSFT'], indicators: ['MACD'], numbers: [12, 26, 9], calls: ['crossedAbove', 'crossedBelow'],
  },
  {
    idea: 'Buy GOOGL when MACD(8,21,5) crosses above its signal and the MACD histogram is above 0, sell on a bearish MACD cross',
    symbols: ['GOOGL'], indicators: ['MACD'], numbers: [8, 21, 5, 0], calls: ['crossedAbove', 'crossedBelow'],
  },
  {
    idea: 'Buy TSLA when price breaks above the 20-day high with a 2% stop loss',
    symbols: ['TSLA'], indicators: ['Highest'], numbers: [20, 2], orderOptions: ['stopLossPct'],
  },
  { idea: '20-day breakout on SPY with a 2% stop', symbols: ['SPY'], indicators: ['Highest', 'Lowest'], numbers: [20, 2], orderOptions: ['stopLossPct'] },
  { idea: 'Buy AMZN on a new 55-day high, sell on a 20-day low', symbols: ['AMZN'], indicators: ['Highest', 'Lowest'], numbers: [55, 20] },
  { idea: 'Buy META when the close is above the highest high of the last 30 days', symbols: ['META'], indicators: ['Highest'], numbers: [30] },
  {
    idea: 'Buy AAPL, MSFT and GOOGL when RSI drops below 30, sell when RSI rises above 70',
    symbols: ['AAPL', 'MSFT', 'GOOGL'], indicators: ['RSI'], numbers: [30, 70, 33], orderOptions: ['percent'],
  },
  {
    idea: 'Trade SPY, QQQ and IWM: buy when the 10-day EMA crosses above the 30-day EMA, exit when it crosses below, use 30% of equity per trade',
    symbols: ['SPY', 'QQQ', 'IWM'], indicators: ['EMA'], numbers: [10, 30], orderOptions: ['percent'], calls: ['crossedAbove', 'crossedBelow'],
  },
  { idea: 'Golden cross on AAPL and MSFT with a 5% trailing stop', symbols: ['AAPL', 'MSFT'], indicators: ['SMA'], numbers: [50, 200, 5], orderOptions: ['trailingStopPct'] },
  {
    idea: 'Short TSLA when RSI(14) rises above 75, cover when RSI falls below 50. Stop loss 4%, take profit 8%',
    symbols: ['TSLA'], indicators: ['RSI'], numbers: [14, 75, 50, 4, 8], direction: 'short', orderOptions: ['stopLossPct', 'takeProfitPct'],
  },
  {
    idea: 'Sell short QQQ when the 20-day SMA crosses below the 50-day SMA, cover when it crosses above',
    symbols: ['QQQ'], indicators: ['SMA'], numbers: [20, 50], direction: 'short', calls: ['crossedAbove', 'crossedBelow'],
  },
  { idea: 'Go short SPY when price is below the 200-day SMA and RSI is above 60, exit when RSI is below 40', symbols: ['SPY'], indicators: ['SMA', 'RSI'], numbers: [200, 60, 40], direction: 'short' },
  {
    idea: 'Buy SPY when volume is above 1.5x its 20-day average and price is above the 50-day SMA, use 25% of equity',
    symbols: ['SPY'], indicators: ['SMA'], numbers: [1.5, 20, 50, 25], orderOptions: ['percent'],
  },
  { idea: 'Buy NVDA when volume exceeds 2 times the 10-day average volume, with a 3% stop loss and a 6% take profit', symbols: ['NVDA'], indicators: ['SMA'], numbers: [2, 10, 3, 6], orderOptions: ['stopLossPct', 'takeProfitPct'] },
  {
    idea: 'Buy QQQ on 5-minute bars when the stochastic %K crosses above %D and %K is below 20, exit when %K is above 80',
    symbols: ['QQQ'], indicators: ['Stochastic'], numbers: [14, 3, 20, 80], timeframe: '5m', calls: ['crossedAbove'],
  },
  { idea: 'Buy AAPL when stochastic(10, 3) is below 25, sell when stochastic is above 75', symbols: ['AAPL'], indicators: ['Stochastic'], numbers: [10, 3, 25, 75] },
  {
    idea: 'Buy IWM when ADX is above 25 and +DI crosses above -DI, sell when +DI crosses below -DI',
    symbols: ['IWM'], indicators: ['ADX'], numbers: [14, 25], calls: ['crossedAbove', 'crossedBelow'],
  },
  { idea: 'Buy SPY when ADX(20) is above 30 and price is above the 50-day EMA, sell when price is below the 50-day EMA', symbols: ['SPY'], indicators: ['ADX', 'EMA'], numbers: [20, 30, 50] },
  { idea: 'Buy GLD when RSI is between 40 and 60 and price is above the 200-day SMA; exit with a 5% trailing stop', symbols: ['GLD'], indicators: ['RSI', 'SMA'], numbers: [40, 60, 200, 5], orderOptions: ['trailingStopPct'] },
  {
    idea: 'Buy AAPL when price touches the lower Bollinger band, sell when it reaches the middle band, with a 2 ATR stop',
    symbols: ['AAPL'], indicators: ['BollingerBands', 'ATR'], numbers: [20, 2, 14], orderOptions: ['stopLoss'],
  },
  { idea: 'Buy MSFT when the 20-day high is broken, with a stop of 3 times the 20-day ATR', symbols: ['MSFT'], indicators: ['Highest', 'ATR'], numbers: [20, 3], orderOptions: ['stopLoss'] },
  { idea: 'Buy SPY on hourly bars when RSI drops below 30, sell when RSI rises above 50', symbols: ['SPY'], indicators: ['RSI'], numbers: [30, 50], timeframe: '1h' },
  { idea: 'On 15-minute bars buy QQQ when the 9 EMA crosses above the 21 EMA, sell when it crosses below', symbols: ['QQQ'], indicators: ['EMA'], numbers: [9, 21], timeframe: '15m' },
  { idea: 'Intraday: buy TSLA when RSI(9) falls below 25, exit when RSI(9) climbs above 60', symbols: ['TSLA'], indicators: ['RSI'], numbers: [9, 25, 60], timeframe: '15m' },
  { idea: 'Weekly bars: buy DIA when the 10-week SMA crosses above the 40-week SMA, sell on the reverse cross below', symbols: ['DIA'], indicators: ['SMA'], numbers: [10, 40], timeframe: '1wk', calls: ['crossedAbove'] },
  { idea: 'When RSI drops below 25, buy AMZN. Sell when RSI rises above 55.', symbols: ['AMZN'], indicators: ['RSI'], numbers: [25, 55] },
  { idea: 'Buy AAPL when RSI is below 30 or price is below the lower Bollinger band, sell when RSI is above 70', symbols: ['AAPL'], indicators: ['RSI', 'BollingerBands'], numbers: [30, 70, 20, 2] },
  { idea: 'Buy $tsla when the 5-day WMA crosses above the 20-day WMA, sell when the 5-day WMA crosses below the 20-day WMA', symbols: ['TSLA'], indicators: ['WMA'], numbers: [5, 20] },
  { idea: 'Buy SPY when RSI crosses above 30, sell when RSI crosses below 70, take profit at 10%', symbols: ['SPY'], indicators: ['RSI'], numbers: [30, 70, 10], calls: ['crossedAbove', 'crossedBelow'], orderOptions: ['takeProfitPct'] },
  { idea: 'Buy BRK-B when price is above the 50-day SMA and the 50-day SMA is above the 200-day SMA, sell when price closes below the 50-day SMA', symbols: ['BRK-B'], indicators: ['SMA'], numbers: [50, 200] },
  { idea: 'Buy TLT when RSI(2) is below 10 with a position size of 50%, sell when RSI(2) is above 90', symbols: ['TLT'], indicators: ['RSI'], numbers: [2, 10, 90, 50], orderOptions: ['percent'] },
  { idea: 'Buy when RSI drops below 30, sell when it rises above 70', symbols: ['SPY'], indicators: ['RSI'], numbers: [30, 70] },
  { idea: 'Buy NVDA when MACD crosses above zero, sell when MACD crosses below zero', symbols: ['NVDA'], indicators: ['MACD'], numbers: [0, 12, 26, 9], calls: ['crossedAbove', 'crossedBelow'] },
  { idea: 'Buy SPY when the stock closes above its 200-day moving average and sell when it closes below it', symbols: ['SPY'], indicators: ['SMA'], numbers: [200] },
  { idea: 'Enter long AAPL when the 20-day EMA crosses the 50-day EMA from below, with a 4% trailing stop', symbols: ['AAPL'], indicators: ['EMA'], numbers: [20, 50, 4], calls: ['crossedAbove'], orderOptions: ['trailingStopPct'] },
  { idea: 'Buy AAPL if the RSI(14) is less than 30 and sell if it is greater than 70', symbols: ['AAPL'], indicators: ['RSI'], numbers: [14, 30, 70] },
];

/** Ideas the offline generator must refuse, with a part it must name as not understood. */
export const UNSUPPORTED: { idea: string; notUnderstood: string; understood?: string }[] = [
  { idea: 'Buy AMZN when the moon is full', notUnderstood: 'the moon is full', understood: 'AMZN' },
  { idea: 'Buy AAPL when RSI drops below 30 and Elon tweets about it, sell when RSI rises above 70', notUnderstood: 'elon tweets about it', understood: 'entry: rsi drops below 30' },
  { idea: 'Buy SPY when the Ichimoku cloud turns green', notUnderstood: 'the ichimoku cloud turns green' },
  { idea: 'Make me rich', notUnderstood: 'make me rich' },
  { idea: 'Buy SPY and QQQ when the VIX spikes', notUnderstood: 'the VIX spikes', understood: 'SPY, QQQ' },
  { idea: 'Buy QQQ when RSI is below 30, sell after earnings', notUnderstood: 'earnings' },
];
