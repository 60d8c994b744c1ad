/**
 * How the offline generator reads the way traders write, and that nothing is
 * read silently: typos, tickers in any case, synonyms and fillers (each
 * reported), omitted subjects, period units, timeframes, "touches", "buy to
 * cover", and the project's own example request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describeRule, generateOffline, GenerateError, parseIdea, readRequestFromSource, type ParseResult } from '../../core/generate/index';
import { correctWord, editDistance } from '../../core/generate/idea/typos';
import { suggestPhrasings } from '../../core/generate/idea/suggest';
import { compileStrategy } from '../../core/strategy/compile';
import { loadStrategy } from '../../core/strategy/load';
import { runBacktest } from '../../core/engine/backtest';
import { sampleSeries } from '../../core/data/sample';

function ok(idea: string): Extract<ParseResult, { ok: true }> {
  const r = parseIdea(idea);
  assert.ok(r.ok, `${idea}: ${!r.ok ? r.notUnderstood.join(' | ') : ''}`);
  return r;
}

function refused(idea: string): Extract<ParseResult, { ok: false }> {
  const r = parseIdea(idea);
  assert.ok(!r.ok, `${idea} should be refused, read as ${r.ok ? describeRule(r.spec.entry) : ''}`);
  return r;
}

test('typos: one keyword within a small distance is read as it, and said', () => {
  assert.equal(editDistance('bellow', 'below'), 1);
  assert.equal(editDistance('crosess', 'crosses'), 1, 'a swap of neighbours is one edit');
  for (const [typo, word] of [['bellow', 'below'], ['crosess', 'crosses'], ['sel', 'sell'], ['abvoe', 'above'], ['singal', 'signal'], ['bolinger', 'bollinger'], ['traling', 'trailing'], ['croses', 'crosses']]) {
    assert.equal(correctWord(typo), word, typo);
  }
  for (const word of ['below', 'the', 'moon', 'leverage', 'calls', 'spy']) assert.equal(correctWord(word), undefined, `${word} is left alone`);
  const r = ok('Buy AAPL when RSI drops bellow 30 and sel when it crosess above 70');
  assert.equal(describeRule(r.spec.entry), 'RSI(14) < 30');
  assert.equal(describeRule(r.spec.exit!), 'RSI(14) crosses above 70');
  for (const note of ["read 'bellow' as 'below'", "read 'sel' as 'sell'", "read 'crosess' as 'crosses'"]) assert.ok(r.notes.includes(note), note);
});

test('tickers in any case, read and said; an idea in capitals is not all tickers', () => {
  const lower = ok('buy aapl when rsi is under 30, sell when rsi is over 70');
  assert.deepEqual(lower.spec.symbols, ['AAPL']);
  assert.ok(lower.notes.includes("read 'aapl' as ticker AAPL"));
  assert.deepEqual(ok('golden cross on spy and qqq').spec.symbols, ['SPY', 'QQQ']);
  assert.deepEqual(ok('Buy Nvda when RSI < 30').spec.symbols, ['NVDA']);
  const caps = ok('BUY MSFT WHEN RSI IS BELOW 30, SELL WHEN RSI IS ABOVE 70');
  assert.deepEqual(caps.spec.symbols, ['MSFT']);
  assert.equal(describeRule(caps.spec.entry), 'RSI(14) < 30');
  assert.deepEqual(ok('Buy MA when RSI(21) drops below 40').spec.symbols, ['MA'], 'right after "buy", MA is the ticker');
  refused('Buy calls on SPY when RSI is below 30'); // "calls" is a word, not a ticker
});

test('"P/E" is not two tickers and "3:30pm" is not split', () => {
  const pe = refused('Buy AAPL when the P/E ratio is below 15');
  assert.ok(pe.understood.includes('tickers AAPL'));
  assert.ok(pe.notUnderstood.some((t) => t.includes('p/e ratio')), pe.notUnderstood.join(' | '));
  const time = refused('Buy AAPL at 3:30pm every day and sell at the close');
  assert.ok(time.notUnderstood.some((t) => t.includes('3:30pm')), time.notUnderstood.join(' | '));
  assert.ok(!time.notUnderstood.some((t) => t.trim() === '30pm'));
});

test('fillers and labels are dropped and every one is reported', () => {
  const r = ok('Mean reversion: please just buy QQQ when RSI drops below 30, sell when RSI rises above 70');
  const note = r.notes.find((n) => n.startsWith('Ignored words'));
  assert.ok(note, r.notes.join(' | '));
  for (const w of ['mean reversion', 'please', 'just']) assert.ok(note.includes(`"${w}"`), `${w} in ${note}`);
  assert.equal(describeRule(r.spec.entry), 'RSI(14) < 30');
});

test('synonyms: a broad table per element', () => {
  const cases: [string, string, string | undefined][] = [
    ['Buy SPY on a break above the 200-day SMA', 'close crosses above SMA(200)', undefined],
    ['Buy SPY when RSI is oversold (below 25), sell when it is overbought (above 75)', 'RSI(14) < 25', 'RSI(14) > 75'],
    ['Buy SPY when the MACD histogram turns positive, sell when it turns negative', 'MACD(12,26,9) histogram crosses above 0', 'MACD(12,26,9) histogram crosses below 0'],
    ['Buy SPY when price closes below the lower Bollinger band, sell when it gets back to the middle band', 'close < Bollinger(20,2) lower band', 'close > Bollinger(20,2) middle band'],
    ['Buy SPY when the 10 day moving avg crosses above the 30 day moving avg', 'SMA(10) crosses above SMA(30)', undefined],
    ['Buy SPY every time RSI drops below 30, sell when RSI rises above 70', 'RSI(14) < 30', 'RSI(14) > 70'],
    ['Buy SPY when RSI < 30 with price above the 200 SMA, and then sell when RSI > 70', 'RSI(14) < 30 and close > SMA(200)', 'RSI(14) > 70'],
    ['If RSI drops below 30, buy it. Sell when RSI goes above 70.', 'RSI(14) < 30', 'RSI(14) > 70'],
    ['Buy SPY when price closes below the lower Bollinger band, sell at the middle band', 'close < Bollinger(20,2) lower band', 'close > Bollinger(20,2) middle band'],
    ['Long SPY on RSI2 < 10, exit when RSI2 > 70', 'RSI(2) < 10', 'RSI(2) > 70'],
    ['Buy SPY when price dips below the 20 day low then sell when it recovers above the 20 day SMA', 'close < 20-bar low', 'close > SMA(20)'],
    ['Buy QQQ when the fast EMA (12) crosses above the slow EMA (26)', 'EMA(12) crosses above EMA(26)', undefined],
    ["Buy TSLA when it closes above the prior day's high, sell when it closes below yesterday's low", 'close > 1-bar high', 'close < 1-bar low'],
  ];
  refused('Buy QQQ when the fast EMA crosses above the slow EMA'); // "fast" and "slow" without periods say nothing
  for (const [idea, entry, exit] of cases) {
    const r = ok(idea);
    assert.equal(describeRule(r.spec.entry), entry, idea);
    assert.equal(r.spec.exit && describeRule(r.spec.exit), exit, idea);
  }
  assert.equal(ok('Buy SPY when RSI drops below 30, stop out at 5%').spec.risk.stopLossPct, 5);
});

test('sizing phrases: "each", "per trade", "of equity"', () => {
  for (const [idea, size] of [
    ['Buy SPY and QQQ when RSI < 30, 40% of equity each', 40],
    ['Buy SPY when RSI < 30, 20% per trade', 20],
    ['Buy SPY when RSI < 30, use 25% of equity', 25],
    ['Buy SPY when RSI < 30, put 30% of my account in each trade', 30],
    ['Buy SPY when RSI < 30, 15% per position', 15],
  ] as const) assert.equal(ok(idea).spec.sizePercent, size, idea);
});

test("the project's own example request generates what the example does", () => {
  const example = readFileSync(resolve(__dirname, '..', '..', 'examples', 'breakout-with-stop.strategy.ts'), 'utf8');
  const request = readRequestFromSource(example)!;
  const r = ok(request);
  assert.deepEqual(r.spec.symbols, ['SPY', 'QQQ']);
  assert.equal(describeRule(r.spec.entry), 'close > 20-bar high');
  assert.deepEqual(r.spec.risk, { stopLossPct: 2, takeProfitPct: 6 });
  assert.equal(r.spec.sizePercent, 40);
});

test('an omitted subject repeats the previous clause\'s, and the trade closes', async () => {
  const macd = ok('Buy AAPL when MACD is above the signal line, sell when below');
  assert.equal(describeRule(macd.spec.exit!), 'MACD(12,26,9) line < MACD(12,26,9) signal');
  assert.equal(describeRule(ok('Buy AAPL when price is above the 10 EMA, sell when below').spec.exit!), 'close < EMA(10)');
  assert.equal(describeRule(ok('Short SPY when RSI is above 70, cover when below 50').spec.exit!), 'RSI(14) < 50');
  assert.equal(describeRule(ok('Short AAPL when MACD crosses below the signal line, cover when above').spec.exit!), 'MACD(12,26,9) line > MACD(12,26,9) signal');
  assert.equal(describeRule(ok('Buy MSFT when the 12 EMA crosses above the 26 EMA, sell when crosses below').spec.exit!), 'EMA(12) crosses below EMA(26)');
  assert.equal(describeRule(ok('Buy DIA when price is above the 200-day SMA and below the lower Bollinger band').spec.entry), 'close > SMA(200) and close < Bollinger(20,2) lower band');
  assert.equal(describeRule(ok('Buy SPY when RSI < 30, sell at the middle band').spec.exit!), 'close > Bollinger(20,2) middle band', 'RSI is not compared with a price band');
  // Behaviour: the exit fires, so the position does not stay open for the whole sample.
  const { source } = generateOffline('Buy AAPL when MACD is above the signal line, sell when below');
  const cls = loadStrategy((await compileStrategy(source, 'm.strategy.ts')).js, 'm.strategy.ts');
  const run = runBacktest(cls, [sampleSeries('AAPL')]);
  assert.ok(run.trades.filter((t) => t.exitReason === 'signal').length > 5, `${run.trades.length} trades`);
});

test('settings carry to an indicator named again without them', () => {
  assert.equal(describeRule(ok('Buy SPY when MACD(8,21,5) crosses above its signal line').spec.entry), 'MACD(8,21,5) line crosses above MACD(8,21,5) signal');
  assert.equal(describeRule(ok('Buy SPY when price touches the lower Bollinger band (20, 2.5), sell when it reaches the upper band').spec.exit!), 'close > Bollinger(20,2.5) upper band');
  assert.equal(describeRule(ok('Buy SPY when RSI(7) falls below 20, sell when RSI goes above 60').spec.exit!), 'RSI(7) > 60');
});

test('period units convert to the bar size when exact, with a note; otherwise refused', () => {
  const weeks = ok('Buy SPY when the 10-week SMA crosses above the 40-week SMA');
  assert.equal(weeks.spec.timeframe, '1d');
  assert.equal(describeRule(weeks.spec.entry), 'SMA(50) crosses above SMA(200)');
  assert.ok(weeks.notes.includes("read '10-week' as 50 daily bars"), weeks.notes.join(' | '));
  assert.equal(describeRule(ok('Buy SPY on weekly bars when the 50-day SMA crosses above the 200-day SMA').spec.entry), 'SMA(10) crosses above SMA(40)');
  assert.equal(describeRule(ok('Buy QQQ on 5-minute bars when the 60-minute SMA crosses above the 120-minute SMA').spec.entry), 'SMA(12) crosses above SMA(24)');
  assert.equal(describeRule(ok('Buy BTC-USD when the 2-week SMA crosses above the 4-week SMA').spec.entry), 'SMA(14) crosses above SMA(28)', 'crypto trades 7 days a week');
  assert.equal(describeRule(ok('Buy SPY when price makes a new 52-week high').spec.entry), 'close > 260-bar high');
  const hourly = refused('Buy SPY on hourly bars when price is above the 50-day SMA');
  assert.ok(hourly.notUnderstood.some((t) => /'50-day' on 1-hour bars: a day is not a fixed number of 1-hour bars/.test(t)), hourly.notUnderstood.join(' | '));
  refused('Buy SPY on weekly bars when the 7-day SMA crosses above the 30-day SMA');
  refused('Buy SPY on 15-minute bars when the 10-minute EMA is above the 30-minute EMA');
  const months = refused('Buy QQQ when the 3-month SMA crosses above the 12-month SMA');
  assert.ok(months.notUnderstood.some((t) => t.includes('3-month')));
});

test('a timeframe named in the idea sets the strategy\'s; two bar sizes are refused clearly', () => {
  assert.equal(ok('Buy SPY on hourly bars when RSI drops below 30').spec.timeframe, '1h');
  assert.equal(ok('On the weekly chart buy AAPL when RSI drops below 40').spec.timeframe, '1wk');
  assert.equal(ok('Buy AAPL when the daily RSI drops below 30').spec.timeframe, '1d', 'daily RSI on daily bars is one timeframe');
  const multi = refused('Buy SPY on hourly bars when the daily RSI is below 30');
  assert.ok(multi.notUnderstood.some((t) => /more than one bar size.*multi-timeframe/.test(t) && t.includes('daily') && t.includes('hourly')), multi.notUnderstood.join(' | '));
});

test('"touches X" means crosses X either way or equals it', () => {
  const r = ok('Buy SPY when price touches the 50 day SMA, sell when RSI is above 70');
  assert.equal(describeRule(r.spec.entry), 'close touches SMA(50)');
  assert.equal(r.spec.entry.kind, 'or');
  const ops = r.spec.entry.kind === 'or' ? r.spec.entry.rules.map((c) => (c.kind === 'compare' ? c.op : c.kind)) : [];
  assert.deepEqual(ops, ['crossesAbove', 'crossesBelow', 'between']);
  const { source } = generateOffline('Buy SPY when price touches the 50 day SMA, sell when RSI is above 70');
  assert.match(source, /crossedAbove\(prev\?\.close, prev\?\.sma, bar\.close, sma\) \|\|\s+crossedBelow\(prev\?\.close, prev\?\.sma, bar\.close, sma\) \|\|\s+\(bar\.close === sma\);/);
});

test('"buy to cover" is a short exit, not a long entry', () => {
  const r = ok('Short AAPL when RSI is above 70, buy to cover when RSI is below 50');
  assert.equal(r.spec.direction, 'short');
  assert.equal(describeRule(r.spec.exit!), 'RSI(14) < 50');
});

test('refusals: what was understood, what was not, and the nearest supported phrasings', () => {
  assert.deepEqual(suggestPhrasings('the moon is full'), [], 'no random suggestion');
  assert.ok(suggestPhrasings('rsi is low').includes('RSI is oversold'));
  assert.throws(
    () => generateOffline('Buy aapl when RSI is low and price is above the 200-day SMA and the moon is full, sell when RSI rises above 70'),
    (e: unknown) => {
      assert.ok(e instanceof GenerateError && e.kind === 'not-understood');
      assert.match(e.message, /Understood:\n {2}- tickers AAPL[\s\S]*entry: price is above the 200-bar sma[\s\S]*exit: rsi rises above 70/);
      assert.match(e.message, /Did not understand:\n {2}- "rsi is low" — did you mean "RSI is oversold"/);
      assert.match(e.message, /- "the moon is full"\n/);
      assert.match(e.message, /Read as:\n {2}- read 'aapl' as ticker AAPL/);
      assert.deepEqual(Object.keys(e.details!.suggestions!), ['rsi is low']);
      return true;
    },
  );
});
