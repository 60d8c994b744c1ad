/**
 * Periods written in time units ("10-week SMA", "60-minute EMA") become a
 * number of the strategy's bars when the conversion is exact, with a note
 * ("read '10-week' as 50 daily bars"); otherwise the idea is refused with the
 * reason (a day is not a whole number of hourly bars: sessions differ). A week
 * is 5 daily bars for stocks and 7 for crypto (tickers ending in -USD/-USDT).
 * Months and years are left as written, so they are reported as not understood.
 */
import type { Timeframe } from '../../sdk/types';

const BAR_MINUTES: Partial<Record<Timeframe, number>> = { '1m': 1, '2m': 2, '5m': 5, '15m': 15, '30m': 30, '1h': 60, '4h': 240 };
const BAR_NAMES: Partial<Record<Timeframe, string>> = {
  '1m': '1-minute', '2m': '2-minute', '5m': '5-minute', '15m': '15-minute', '30m': '30-minute', '1h': '1-hour', '4h': '4-hour', '1d': 'daily', '1wk': 'weekly',
};

type Unit = 'bar' | 'day' | 'week' | 'minute' | 'hour';

const UNIT_WORDS: Record<string, Unit> = {
  bar: 'bar', bars: 'bar', period: 'bar', periods: 'bar', candle: 'bar', candles: 'bar', length: 'bar',
  day: 'day', days: 'day', d: 'day', session: 'day', sessions: 'day',
  week: 'week', weeks: 'week', wk: 'week', w: 'week',
  minute: 'minute', minutes: 'minute', min: 'minute', mins: 'minute',
  hour: 'hour', hours: 'hour', hr: 'hour', hrs: 'hour', h: 'hour',
};

/** "10-week", "60 minute", "20d", "50-day" — a number with a unit; not after words that make it a duration ("hold for 10 days"). */
const PERIOD_RE = /(?<!\b(?:for|within|after|in|every|each|hold|held|than|up|down)\s+)(?<![\d.:])(\d+)(?:[- ]?(bars?|periods?|candles?|days?|d|sessions?|weeks?|wk|w|minutes?|mins?|min|hours?|hrs?|hr|h))\b/g;

export interface UnitResult {
  text: string;
  notes: string[];
  problems: string[];
}

/** How many bars of `timeframe` make n units, or undefined when not a whole number. */
export function barsFor(n: number, unit: Unit, timeframe: Timeframe, crypto: boolean): number | undefined {
  if (unit === 'bar') return n;
  const weekDays = crypto ? 7 : 5;
  if (timeframe === '1d') return unit === 'day' ? n : unit === 'week' ? n * weekDays : undefined;
  if (timeframe === '1wk') return unit === 'week' ? n : unit === 'day' && n % weekDays === 0 ? n / weekDays : undefined;
  const barMinutes = BAR_MINUTES[timeframe];
  if (!barMinutes || (unit !== 'minute' && unit !== 'hour')) return undefined;
  const minutes = unit === 'hour' ? n * 60 : n;
  return minutes % barMinutes === 0 ? minutes / barMinutes : undefined;
}

/** Rewrites each period with a unit as "N-bar", in the strategy's bars. */
export function convertPeriods(text: string, timeframe: Timeframe, crypto: boolean): UnitResult {
  const notes: string[] = [];
  const problems: string[] = [];
  const out = text.replace(PERIOD_RE, (written, digits: string, word: string) => {
    const unit = UNIT_WORDS[word];
    if (!unit) return written;
    const n = Number(digits);
    const bars = barsFor(n, unit, timeframe, crypto);
    const barName = BAR_NAMES[timeframe] ?? timeframe;
    if (bars === undefined) {
      const why = unit === 'day' || unit === 'week'
        ? `a ${unit} is not a fixed number of ${barName} bars (sessions and holidays differ)`
        : `${n} ${unit}s is not a whole number of ${barName} bars`;
      problems.push(`'${written}' on ${barName} bars: ${why}; give the period in bars (e.g. '${n}-bar') or choose a bar size that divides it`);
      return written;
    }
    const identity = unit === 'bar' || (unit === 'day' && timeframe === '1d') || (unit === 'week' && timeframe === '1wk') || bars === n;
    if (!identity) notes.push(`read '${written}' as ${bars} ${barName} bars`);
    return `${bars}-bar`;
  });
  return { text: out, notes, problems };
}
