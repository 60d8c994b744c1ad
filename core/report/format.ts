/**
 * How numbers read on every surface (results view, HTML report, compare, CLI): thousands separators always,
 * durations as people write them, prices with the precision their data has. The rules are written in
 * docs/metrics.md, "How figures are shown"; test/webview/format.test.ts checks each one.
 */

/** `value` with `digits` decimals and thousands separators (en-US: 1,234.56), exactly as Intl.NumberFormat writes it. */
export function formatNumber(value: number, digits: number): string {
  const text = groupedDecimal(value, digits) ?? intlFormat(value, digits);
  // −0.00 reads like a loss that is not there.
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

/**
 * Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }), written out: ICU
 * rounds the shortest decimal that reads back as the same double (what `String(value)` prints, not the double's
 * exact binary value that `toFixed` rounds: 1.005 → "1.01"), half away from zero, and groups the integer digits
 * by three. Building the first Intl.NumberFormat of a process costs ~15 ms (ICU's locale data), a sizeable part of
 * a short CLI run; test/webview/format.test.ts checks this against Intl on a million values. undefined for what
 * is left to Intl itself (NaN, ±Infinity, more than 20 decimals).
 */
function groupedDecimal(value: number, digits: number): string | undefined {
  if (!Number.isFinite(value) || !Number.isInteger(digits) || digits < 0 || digits > 20) return undefined;
  const negative = value < 0 || Object.is(value, -0);
  const shortest = String(Math.abs(value)); // "1234.5", "1e-7", "1.5e+21"
  const e = shortest.indexOf('e');
  const mantissa = e < 0 ? shortest : shortest.slice(0, e);
  const dot = mantissa.indexOf('.');
  // All significant digits, and where the decimal point falls among them.
  let ds = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  let point = (dot < 0 ? mantissa.length : dot) + (e < 0 ? 0 : Number(shortest.slice(e + 1)));
  if (point < 0) {
    ds = '0'.repeat(-point) + ds;
    point = 0;
  }
  const keep = point + digits;
  if (ds.length > keep) {
    const up = ds.charCodeAt(keep) >= 53; // the first digit dropped is 5 or more: away from zero
    ds = ds.slice(0, keep);
    if (up) {
      const carried = incrementDigits(ds);
      if (carried.length > ds.length) point++;
      ds = carried;
    }
  } else ds = ds.padEnd(keep, '0');
  const whole = ds.slice(0, point).replace(/^0+/, '') || '0';
  const fraction = ds.slice(point);
  return `${negative ? '-' : ''}${whole.replace(/\B(?=(\d{3})+$)/g, ',')}${digits > 0 ? `.${fraction}` : ''}`;
}

/** A string of decimal digits plus one ("" + 1 = "1"; "99" + 1 = "100"). */
function incrementDigits(ds: string): string {
  let i = ds.length - 1;
  while (i >= 0 && ds[i] === '9') i--;
  if (i < 0) return `1${'0'.repeat(ds.length)}`;
  return ds.slice(0, i) + String.fromCharCode(ds.charCodeAt(i) + 1) + '0'.repeat(ds.length - i - 1);
}

/** One formatter per precision: `toLocaleString` builds a new Intl.NumberFormat at every call (~0.3 ms each). */
const formatters = new Map<number, Intl.NumberFormat>();

function intlFormat(value: number, digits: number): string {
  let f = formatters.get(digits);
  if (!f) formatters.set(digits, (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })));
  return f.format(value);
}

/** A signed number: "+1,234.50" / "−12.00" (a real minus sign, so columns of signed figures line up). */
export function formatSigned(value: number, digits: number): string {
  const text = formatNumber(Math.abs(value), digits);
  if (/^0(\.0+)?$/.test(text)) return text;
  return `${value < 0 ? '−' : '+'}${text}`;
}

/** Days in a year for showing durations (calendar years, leap years averaged), as CAGR uses. */
const DAYS_PER_YEAR = 365.25;

/**
 * A duration given in days, as people write it:
 * - 0: "0 days"; under 1 day: hours ("6 hours", "1 hour", "0.5 hours");
 * - under 2 years: whole days with separators ("1 day", "45 days", "2.5 days" below 10 days);
 * - from 2 years: years with one decimal ("10.0 years").
 */
export function formatDuration(days: number): string {
  if (!Number.isFinite(days)) return 'n/a';
  const abs = Math.abs(days);
  if (days === 0) return '0 days';
  if (abs < 1) {
    const hours = days * 24;
    const text = formatNumber(hours, Number.isInteger(hours) ? 0 : 1);
    return `${text} ${text === '1' ? 'hour' : 'hours'}`;
  }
  if (abs < 2 * DAYS_PER_YEAR) {
    const text = formatNumber(days, abs < 10 && !Number.isInteger(days) ? 1 : 0);
    return `${text} ${text === '1' ? 'day' : 'days'}`;
  }
  return `${formatNumber(days / DAYS_PER_YEAR, 1)} years`;
}

/**
 * Decimals that show a price series as precisely as it moves: four significant digits of its smallest
 * positive price, at least 2 and at most 8 decimals (AAPL at 0.28 → 4 decimals; 28 → 2; 0.0001234 → 7).
 */
export function pricePrecision(prices: ArrayLike<number>): number {
  let min = Infinity;
  for (let i = 0; i < prices.length; i++) {
    const p = Math.abs(prices[i]);
    if (p > 0 && p < min) min = p;
  }
  if (!Number.isFinite(min)) return 2;
  return Math.max(2, Math.min(8, 3 - Math.floor(Math.log10(min))));
}

/** A price with the precision of its series (see pricePrecision). */
export function formatPrice(value: number, precision: number): string {
  return formatNumber(value, precision);
}

/**
 * Large amounts compactly for axis labels and cards where space is short: 950 → "950", 18,600 → "18.6 k",
 * 8,400,000 → "8.4 M", 2.1e9 → "2.1 B" (never "80000.00").
 */
export function formatCompact(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  const units: [number, string][] = [[1e12, ' T'], [1e9, ' B'], [1e6, ' M'], [1e3, ' k']];
  for (const [size, suffix] of units) {
    if (abs >= size) return `${formatNumber(value / size, abs / size >= 100 ? 0 : 1)}${suffix}`;
  }
  return formatNumber(value, abs >= 100 || Number.isInteger(value) ? 0 : 2);
}

/**
 * A percentage: 2 decimals up to 1,000 %, none beyond (a buy & hold of 84,000 % needs no decimals), with
 * thousands separators; `signed` adds + to gains.
 */
export function formatPercent(value: number, signed = false): string {
  const digits = Math.abs(value) >= 1000 ? 0 : 2;
  return `${signed ? formatSigned(value, digits) : formatNumber(value, digits)} %`;
}
