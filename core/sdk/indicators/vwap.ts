import { IndicatorBase } from './base';
import { IndicatorError, invalidBar } from './errors';
import type { BarLike } from './types';

const FIELDS = ['high', 'low', 'close', 'volume'] as const;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Options of {@link VWAP}. */
export interface VWAPOptions {
  /**
   * Start a new VWAP at the first bar of each calendar day (default `true`), which is
   * what intraday traders mean by VWAP. `false` accumulates from the first bar ever
   * (technicalindicators' behaviour).
   */
  resetDaily?: boolean;
  /**
   * Hours added to `bar.time` (UTC) before taking the calendar day, so the reset falls
   * at local midnight; default 0 (UTC midnight, which never splits a US session).
   * E.g. 9 for Tokyo, −5 for a venue whose evening session crosses UTC midnight.
   */
  utcOffsetHours?: number;
}

/**
 * Volume-Weighted Average Price of the typical price (high + low + close) / 3.
 *
 * VWAP = Σ typicalPrice · volume / Σ volume, summed since the session start (each new
 * day by default; see {@link VWAPOptions.resetDaily}). The day is read from
 * `bar.time` (ms since epoch UTC, as on the SDK `Bar`).
 *
 * Warm-up: none — the first bar of each session returns its own typical price. It
 * returns `undefined` only while the session has had zero volume.
 *
 * @example
 * ```ts
 * vwap = new VWAP(); // resets every day
 * onBar(bar: Bar) {
 *   const v = this.vwap.update(bar);
 *   if (v !== undefined && bar.close > v) { … } // trading above VWAP
 * }
 * ```
 */
export class VWAP extends IndicatorBase<BarLike, number> {
  /** 0: the first bar with volume already has a VWAP. */
  readonly warmup = 0;
  /** Whether the sums restart each calendar day. */
  readonly resetDaily: boolean;
  /** Hours added to `bar.time` before taking the calendar day. */
  readonly utcOffsetHours: number;
  private readonly offsetMs: number;
  private priceVolume = 0;
  private volume = 0;
  private day = NaN;

  /** @param options `{ resetDaily = true, utcOffsetHours = 0 }` */
  constructor(options: VWAPOptions = {}) {
    super();
    this.resetDaily = options.resetDaily ?? true;
    this.utcOffsetHours = options.utcOffsetHours ?? 0;
    if (!Number.isFinite(this.utcOffsetHours) || Math.abs(this.utcOffsetHours) > 24) {
      throw new IndicatorError(
        `VWAP: utcOffsetHours must be a number of hours between -24 and 24, got ${String(options.utcOffsetHours)}. Example: new VWAP({ utcOffsetHours: -5 }).`,
      );
    }
    this.offsetMs = this.utcOffsetHours * HOUR_MS;
  }

  /**
   * Adds the next bar (`{ high, low, close, volume, time }`, e.g. the SDK `Bar`) and
   * returns the session VWAP, or `undefined` while the session has no volume yet.
   * @throws IndicatorError if a price or the volume is not a finite number, or if
   * `time` is missing while `resetDaily` is on.
   */
  update(bar: BarLike): number | undefined {
    const high = bar?.high;
    const low = bar?.low;
    const close = bar?.close;
    const volume = bar?.volume;
    if (
      typeof high !== 'number' || typeof low !== 'number' || typeof close !== 'number' || typeof volume !== 'number' ||
      high - high + (low - low) + (close - close) + (volume - volume) !== 0
    ) {
      throw invalidBar(this.label, bar, FIELDS);
    }
    if (this.resetDaily) {
      const time = bar.time;
      if (typeof time !== 'number' || time - time !== 0) {
        throw new IndicatorError(
          `VWAP.update: bar.time must be ms since epoch to find the session day, got ${String(time)}. Pass the SDK bar itself, or use new VWAP({ resetDaily: false }) for a VWAP that never resets.`,
        );
      }
      const day = Math.floor((time + this.offsetMs) / DAY_MS);
      if (day !== this.day) {
        this.day = day;
        this.priceVolume = 0;
        this.volume = 0;
        this.current = undefined;
      }
    }
    this.priceVolume += ((high + low + close) / 3) * volume;
    this.volume += volume;
    if (this.volume === 0) return undefined;
    return (this.current = this.priceVolume / this.volume);
  }

  protected clear(): void {
    this.priceVolume = 0;
    this.volume = 0;
    this.day = NaN;
  }

  protected get label(): string {
    return 'VWAP';
  }
}
