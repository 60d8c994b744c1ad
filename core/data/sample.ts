/**
 * The bundled offline sample: SYNTHETIC prices generated on the fly (a few ms), used by
 * the demo and by a fresh install without network. Not real market data, and labelled
 * so everywhere (`series.source.synthetic === true`, label starting "SYNTHETIC").
 *
 * Model: one market factor (regime-switching drift and volatility — calm, normal,
 * stress — with GARCH(1,1) volatility clustering), and per symbol
 * `r = beta × market + idiosyncratic` with its own GARCH, overnight gaps and earnings-like
 * jumps, realistic High/Low ranges and volume that rises with the size of the move.
 *
 * Determinism: seeded sfc32 streams (`prng.ts`), fixed calendars (no "today"), UTC only,
 * prices rounded to cents — byte-identical on every run and machine. A symbol not in the
 * table still gets a series, seeded from its name (so `XYZ` is always the same XYZ),
 * and its label says it is synthetic data for an unknown symbol.
 */
import { floorDay, isoDate, weekdayOf } from './dates';
import { DataError } from './errors';
import { DAY_MS, INTERVAL_MS, MINUTE_MS, isIntraday, type Interval } from './interval';
import type { BarRequest, DataProvider } from './provider';
import { Rng, hashString } from './prng';
import { resampleSeries } from './resample';
import { createSeries, sliceSeries, type BarSeries, type SeriesSource } from './series';

interface SymbolModel {
  /** First close of the daily sample. */
  price: number;
  /** Sensitivity to the market factor. */
  beta: number;
  /** Annualised idiosyncratic volatility. */
  vol: number;
  /** Annualised extra drift. */
  drift: number;
  /** Typical daily volume (shares). */
  volume: number;
}

/** Known symbols: rough 2015 price levels and risk, nothing more real than that. */
const MODELS: Readonly<Record<string, SymbolModel>> = {
  SPY: { price: 205, beta: 1.0, vol: 0.015, drift: 0.0, volume: 80e6 },
  QQQ: { price: 102, beta: 1.15, vol: 0.06, drift: 0.04, volume: 35e6 },
  IWM: { price: 118, beta: 1.1, vol: 0.08, drift: -0.02, volume: 25e6 },
  DIA: { price: 178, beta: 0.95, vol: 0.04, drift: 0.0, volume: 4e6 },
  AAPL: { price: 27, beta: 1.2, vol: 0.22, drift: 0.1, volume: 150e6 },
  MSFT: { price: 46, beta: 1.1, vol: 0.18, drift: 0.1, volume: 30e6 },
  GOOGL: { price: 26, beta: 1.1, vol: 0.22, drift: 0.06, volume: 35e6 },
  AMZN: { price: 15, beta: 1.2, vol: 0.28, drift: 0.08, volume: 80e6 },
  META: { price: 78, beta: 1.2, vol: 0.3, drift: 0.05, volume: 20e6 },
  NVDA: { price: 5, beta: 1.6, vol: 0.4, drift: 0.25, volume: 400e6 },
  TSLA: { price: 14, beta: 1.5, vol: 0.5, drift: 0.1, volume: 100e6 },
  GLD: { price: 114, beta: 0.05, vol: 0.13, drift: -0.02, volume: 8e6 },
  TLT: { price: 125, beta: -0.3, vol: 0.12, drift: -0.01, volume: 10e6 },
};

export const SAMPLE_SYMBOLS: readonly string[] = Object.keys(MODELS);

/** Daily sample calendar: weekdays except Jan 1, Jul 4 and Dec 25. */
export const SAMPLE_DAILY_START = Date.UTC(2015, 0, 2);
export const SAMPLE_DAILY_END = Date.UTC(2024, 11, 31);
/** Intraday sessions: 14:30–21:00 UTC (09:30–16:00 New York standard time; DST is ignored). */
const SESSION_OPEN_MS = 14 * 3_600_000 + 30 * MINUTE_MS;
const SESSION_MINUTES = 390;
/** Days of intraday history: the last N sample days (1m/2m: 20 days; 5m and up: 250 days). */
const INTRADAY_DAYS_FINE = 20;
const INTRADAY_DAYS = 250;

const TRADING_DAYS_PER_YEAR = 252;
const MARKET_DRIFT = 0.07;
const MARKET_VOL = 0.16;

export const SAMPLE_LABEL = 'SYNTHETIC sample data (generated, not real prices)';

export function isKnownSampleSymbol(symbol: string): boolean {
  return Object.hasOwn(MODELS, symbol.toUpperCase());
}

function modelFor(symbol: string): SymbolModel {
  const known = MODELS[symbol];
  if (known) return known;
  const rng = new Rng(`model:${symbol}`);
  return {
    price: Math.round(rng.range(10, 300) * 100) / 100,
    beta: rng.range(0.6, 1.6),
    vol: rng.range(0.15, 0.45),
    drift: rng.range(-0.05, 0.12),
    volume: Math.round(rng.range(1e6, 50e6)),
  };
}

export function sampleSource(symbol: string, interval: Interval): SeriesSource {
  const label = isKnownSampleSymbol(symbol)
    ? `${SAMPLE_LABEL} · ${symbol} ${interval}`
    : `${SAMPLE_LABEL} · ${symbol} ${interval} — unknown symbol, series generated from its name`;
  return { provider: 'sample', label, synthetic: true, adjusted: true, interval };
}

let calendarCache: Float64Array | undefined;

/** The daily sample's trading days (ms at 00:00 UTC). */
export function sampleCalendar(): Float64Array {
  if (calendarCache) return calendarCache;
  const days: number[] = [];
  for (let t = SAMPLE_DAILY_START; t <= SAMPLE_DAILY_END; t += DAY_MS) {
    const wd = weekdayOf(t);
    if (wd === 0 || wd === 6) continue;
    const md = isoDate(t).slice(5);
    if (md === '01-01' || md === '07-04' || md === '12-25') continue;
    days.push(t);
  }
  calendarCache = Float64Array.from(days);
  return calendarCache;
}

/**
 * Daily market-factor log returns and volatility (regime switching + GARCH), one per
 * calendar day. The same for every symbol, which gives realistic cross-correlation.
 */
function marketFactor(days: number): { ret: Float64Array; vol: Float64Array } {
  const rng = new Rng('strategy-lab:market:v1');
  const ret = new Float64Array(days);
  const vol = new Float64Array(days);
  const baseVar = (MARKET_VOL * MARKET_VOL) / TRADING_DAYS_PER_YEAR;
  // regimes: 0 calm, 1 normal, 2 stress
  const drift = [0.0008, 0.0003, -0.0016];
  const scale = [0.7, 1.0, 2.2];
  let regime = 1;
  let variance = baseVar;
  let lastShock = 0;
  for (let i = 0; i < days; i++) {
    const u = rng.next();
    if (regime === 0) regime = u < 0.012 ? 1 : 0;
    else if (regime === 1) regime = u < 0.008 ? 0 : u < 0.013 ? 2 : 1;
    else regime = u < 0.035 ? 1 : 2;
    variance = baseVar * 0.02 + 0.08 * lastShock * lastShock + 0.9 * variance;
    if (variance > 25 * baseVar) variance = 25 * baseVar;
    const sigma = Math.sqrt(variance) * scale[regime];
    const shock = sigma * rng.normal();
    lastShock = shock / scale[regime];
    ret[i] = drift[regime] * (MARKET_DRIFT / 0.07) + shock;
    vol[i] = sigma;
  }
  return { ret, vol };
}

let marketCache: { ret: Float64Array; vol: Float64Array } | undefined;
function market(): { ret: Float64Array; vol: Float64Array } {
  return (marketCache ??= marketFactor(sampleCalendar().length));
}

const cents = (x: number): number => Math.max(0.01, Math.round(x * 100) / 100);

/** Daily bars over the whole sample calendar. */
function generateDaily(symbol: string): BarSeries {
  const days = sampleCalendar();
  const m = market();
  const model = modelFor(symbol);
  const rng = new Rng(`strategy-lab:daily:${symbol}:${hashString(symbol)}`);
  const n = days.length;
  const s = createSeries(symbol, n, false, sampleSource(symbol, '1d'));
  const idioBase = model.vol / Math.sqrt(TRADING_DAYS_PER_YEAR);
  const alpha = model.drift / TRADING_DAYS_PER_YEAR;
  let variance = idioBase * idioBase;
  let lastShock = 0;
  let prevClose = model.price;
  for (let i = 0; i < n; i++) {
    variance = idioBase * idioBase * 0.05 + 0.06 * lastShock * lastShock + 0.89 * variance;
    const idio = Math.sqrt(variance) * rng.normal();
    lastShock = idio;
    // Rare earnings-like jump, taken overnight.
    const jump = rng.next() < 0.012 ? idioBase * 4 * rng.normal() : 0;
    const r = alpha + model.beta * m.ret[i] + idio + jump;
    const dayVol = Math.sqrt(model.beta * model.beta * m.vol[i] * m.vol[i] + variance);
    const overnight = r * 0.3 + jump * 0.7 + dayVol * 0.15 * rng.normal();
    const open = cents(prevClose * Math.exp(overnight));
    const close = cents(prevClose * Math.exp(r));
    const hi = Math.max(open, close) * Math.exp(Math.abs(rng.normal()) * dayVol * 0.5);
    const lo = Math.min(open, close) * Math.exp(-Math.abs(rng.normal()) * dayVol * 0.5);
    s.time[i] = days[i];
    s.open[i] = open;
    s.close[i] = close;
    s.high[i] = Math.max(cents(hi), open, close);
    s.low[i] = Math.min(cents(lo), open, close);
    s.volume[i] = Math.round(model.volume * Math.exp(0.3 * rng.normal()) * (1 + 25 * Math.abs(r)));
    prevClose = close;
  }
  return s;
}

/**
 * Intraday bars (1m or 5m steps) for the last `dayCount` sample days, starting from the
 * daily sample's close before them, with a U-shaped volatility and volume profile.
 */
function generateIntraday(symbol: string, stepMinutes: 1 | 5, dayCount: number): BarSeries {
  const days = sampleCalendar();
  const m = market();
  const daily = generateDaily(symbol);
  const model = modelFor(symbol);
  const rng = new Rng(`strategy-lab:intraday${stepMinutes}:${symbol}:${hashString(symbol)}`);
  const steps = SESSION_MINUTES / stepMinutes;
  const first = days.length - dayCount;
  const s = createSeries(symbol, dayCount * steps, false, sampleSource(symbol, stepMinutes === 1 ? '1m' : '5m'));
  const profile = new Float64Array(steps);
  let norm = 0;
  for (let k = 0; k < steps; k++) {
    const x = (k + 0.5) / steps - 0.5;
    profile[k] = 1 + 6 * x * x; // busier at the open and the close
    norm += profile[k];
  }
  for (let k = 0; k < steps; k++) profile[k] /= norm;
  const idioBase = model.vol / Math.sqrt(TRADING_DAYS_PER_YEAR);
  const path = new Float64Array(steps + 1);
  let n = 0;
  for (let d = first; d < days.length; d++) {
    const dayVol = Math.sqrt(model.beta * model.beta * m.vol[d] * m.vol[d] + idioBase * idioBase);
    // Random walk from the daily open, bent (Brownian bridge) to end at the daily close,
    // so intraday and daily samples tell the same story.
    path[0] = 0;
    for (let k = 0; k < steps; k++) path[k + 1] = path[k] + dayVol * Math.sqrt(profile[k]) * rng.normal();
    const miss = path[steps] - Math.log(daily.close[d] / daily.open[d]);
    const dayStart = floorDay(days[d]) + SESSION_OPEN_MS;
    let open = daily.open[d];
    for (let k = 0; k < steps; k++) {
      const close = k === steps - 1 ? daily.close[d] : cents(daily.open[d] * Math.exp(path[k + 1] - (miss * (k + 1)) / steps));
      const ext = dayVol * Math.sqrt(profile[k]) * 0.6;
      s.time[n] = dayStart + k * stepMinutes * MINUTE_MS;
      s.open[n] = open;
      s.close[n] = close;
      s.high[n] = Math.max(cents(Math.max(open, close) * Math.exp(Math.abs(rng.normal()) * ext)), open, close);
      s.low[n] = Math.min(cents(Math.min(open, close) * Math.exp(-Math.abs(rng.normal()) * ext)), open, close);
      s.volume[n] = Math.round(daily.volume[d] * profile[k] * Math.exp(0.4 * rng.normal()));
      open = close;
      n++;
    }
  }
  return s;
}

/** The whole sample series of `symbol` at `interval`. Deterministic; a few ms. */
export function sampleSeries(symbol: string, interval: Interval = '1d'): BarSeries {
  const sym = symbol.trim().toUpperCase();
  if (!sym) throw new DataError('bad-request', 'Empty symbol: give a ticker such as SPY.');
  const source = sampleSource(sym, interval);
  let series: BarSeries;
  if (interval === '1d') series = generateDaily(sym);
  else if (interval === '1wk') series = resampleSeries(generateDaily(sym), '1wk');
  else if (interval === '1m') series = generateIntraday(sym, 1, INTRADAY_DAYS_FINE);
  else if (interval === '2m') series = resampleSeries(generateIntraday(sym, 1, INTRADAY_DAYS_FINE), '2m');
  else if (interval === '5m') series = generateIntraday(sym, 5, INTRADAY_DAYS);
  else series = resampleSeries(generateIntraday(sym, 5, INTRADAY_DAYS), interval);
  return { ...series, source };
}

/** Offline provider over the synthetic sample. */
export class SampleProvider implements DataProvider {
  readonly id = 'sample';

  async fetch(request: BarRequest, signal?: AbortSignal): Promise<BarSeries> {
    if (signal?.aborted) throw new DataError('aborted', 'Cancelled.', { provider: 'sample', symbol: request.symbol });
    if (!(request.interval in INTERVAL_MS)) throw new DataError('bad-interval', `Unknown interval '${request.interval}'.`);
    const full = sampleSeries(request.symbol, request.interval);
    const part = sliceSeries(full, request.start, request.end - 1);
    if (part.length === 0) {
      const covers = `${isoDate(full.time[0])} … ${isoDate(full.time[full.length - 1])}`;
      throw new DataError('empty-range',
        `The synthetic sample has no ${request.interval} bars for ${request.symbol} between ${isoDate(request.start)} and ${isoDate(request.end - 1)}: it covers ${covers}${isIntraday(request.interval) ? ' (intraday: the last sample days only)' : ''}. Widen the dates or use another source.`,
        { provider: 'sample', symbol: request.symbol });
    }
    return part;
  }
}
