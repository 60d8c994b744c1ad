/** The display rules of core/report/format.ts (docs/metrics.md, "How figures are shown"), case by case. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCompact, formatDuration, formatNumber, formatPercent, formatSigned, pricePrecision } from '../../core/report/format';
import { formatMetric } from '../../core/report/metricCatalog';

test('numbers: thousands separators, fixed decimals, no "-0.00"', () => {
  assert.equal(formatNumber(80000, 2), '80,000.00');
  assert.equal(formatNumber(1234567.891, 0), '1,234,568');
  assert.equal(formatNumber(-0.001, 2), '0.00');
  assert.equal(formatNumber(-12.5, 1), '-12.5');
});

/** What Intl.NumberFormat writes, with formatNumber's one rule on top (no "-0.00"). */
function intlReference(value: number, digits: number): string {
  const text = new Intl.NumberFormat('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

test('numbers read exactly as Intl.NumberFormat writes them: ties, tiny and huge values, every precision', () => {
  // Intl rounds the shortest decimal of the double (1.005 → 1.01), not its binary value as toFixed does (1.00).
  assert.equal(formatNumber(1.005, 2), '1.01');
  assert.equal(formatNumber(2.675, 2), '2.68');
  assert.equal(formatNumber(-1.5, 0), '-2', 'half away from zero');
  assert.equal(formatNumber(999.995, 2), '1,000.00', 'a carry that adds a digit and a separator');
  assert.equal(formatNumber(1.5e21, 0), '1,500,000,000,000,000,000,000');
  assert.equal(formatNumber(1e-7, 8), '0.00000010');
  assert.equal(formatNumber(NaN, 2), 'NaN');
  assert.equal(formatNumber(-Infinity, 2), '-∞');
  const cases: [number, number][] = [];
  for (const v of [0, -0, 0.5, 1.5, 2.5, -0.5, 0.045, 0.95, 99.5, 4.35, 1.45, 8.345, 999999.5, 5e-324, -1e-300, 1e300, 123456789012345680000]) {
    for (let d = 0; d <= 20; d++) cases.push([v, d]);
  }
  let seed = 7;
  const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const bits = new Float64Array(1);
  const words = new Uint32Array(bits.buffer);
  for (let i = 0; i < 60_000; i++) {
    const digits = i % 7;
    switch (i % 4) {
      case 0: cases.push([(rnd() - 0.5) * 10 ** Math.floor(rnd() * 30 - 10), digits]); break;
      case 1: cases.push([(Math.floor(rnd() * 1e5) + 0.5) / 10 ** Math.floor(rnd() * 6), digits]); break; // decimal ties
      case 2: cases.push([Math.floor((rnd() - 0.5) * 2e7) / 10 ** Math.floor(rnd() * 6), digits]); break;
      default:
        words[0] = rnd() * 2 ** 32;
        words[1] = rnd() * 2 ** 32;
        if (Number.isFinite(bits[0])) cases.push([bits[0], digits]); // any double
    }
  }
  const wrong = cases.filter(([v, d]) => formatNumber(v, d) !== intlReference(v, d));
  assert.deepEqual(wrong.slice(0, 5).map(([v, d]) => `${v} (${d}): ${formatNumber(v, d)} vs ${intlReference(v, d)}`), []);
  assert.ok(cases.length > 60_000);
});

test('signed: + for gains, a real minus for losses, no sign on zero', () => {
  assert.equal(formatSigned(2683.244, 2), '+2,683.24');
  assert.equal(formatSigned(-916.87, 2), '−916.87');
  assert.equal(formatSigned(0.001, 2), '0.00');
});

test('durations as people write them: hours under a day, days under two years, years beyond', () => {
  assert.equal(formatDuration(0), '0 days');
  assert.equal(formatDuration(0.25), '6 hours');
  assert.equal(formatDuration(1 / 24), '1 hour');
  assert.equal(formatDuration(1), '1 day');
  assert.equal(formatDuration(2.5), '2.5 days');
  assert.equal(formatDuration(45), '45 days');
  assert.equal(formatDuration(729), '729 days');
  assert.equal(formatDuration(3651), '10.0 years');
  assert.equal(formatDuration(730.5), '2.0 years');
  assert.equal(formatDuration(-79), '-79 days');
  assert.equal(formatDuration(Number.NaN), 'n/a');
});

test('price precision from the data: four significant digits of the smallest price, 2 to 8 decimals', () => {
  assert.equal(pricePrecision([0.28, 0.31, 12]), 4);
  assert.equal(pricePrecision([28, 31]), 2);
  assert.equal(pricePrecision([2.8, 3.1]), 3);
  assert.equal(pricePrecision([0.0001234]), 7);
  assert.equal(pricePrecision([1e-12]), 8);
  assert.equal(pricePrecision([1500, 0, -3]), 3, 'zeros are ignored; the magnitude of a negative counts (3 → 3.000)');
  assert.equal(pricePrecision([]), 2);
});

test('compact amounts: k, M, B, never "12000000.00"', () => {
  assert.equal(formatCompact(950), '950');
  assert.equal(formatCompact(18_600), '18.6 k');
  assert.equal(formatCompact(8_400_000), '8.4 M');
  assert.equal(formatCompact(12_000_000), '12.0 M');
  assert.equal(formatCompact(250_000_000), '250 M');
  assert.equal(formatCompact(2.1e9), '2.1 B');
  assert.equal(formatCompact(-30_803), '-30.8 k');
  assert.equal(formatCompact(3.14159), '3.14');
});

test('percent: 2 decimals up to 1,000 %, none beyond, separators, optional sign', () => {
  assert.equal(formatPercent(12.345), '12.35 %');
  assert.equal(formatPercent(84_090.4), '84,090 %');
  assert.equal(formatPercent(208.03, true), '+208.03 %');
  assert.equal(formatPercent(-59.81, true), '−59.81 %');
});

test('formatMetric uses the same rules per unit; null and non-finite read "n/a"', () => {
  assert.equal(formatMetric(3651, 'days'), '10.0 years');
  assert.equal(formatMetric(80000, '$'), '80,000.00');
  assert.equal(formatMetric(-16599.63, 'pp'), '-16,600 pp');
  assert.equal(formatMetric(-12.34, 'pp'), '-12.34 pp');
  assert.equal(formatMetric(42.5, 'bars'), '42.5');
  assert.equal(formatMetric(51, 'bars'), '51');
  assert.equal(formatMetric(1234, 'count'), '1,234');
  assert.equal(formatMetric(null, '%'), 'n/a');
  assert.equal(formatMetric(Number.POSITIVE_INFINITY, 'ratio'), 'n/a');
  assert.equal(formatMetric('2021-03-31', 'date'), '2021-03-31');
});
