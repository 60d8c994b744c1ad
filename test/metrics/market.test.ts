import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { alphaPct, beta } from '../../core/metrics/market';

const near = (actual: number | null, expected: number, tol = 1e-12) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < tol, `expected ${expected}, got ${actual}`);
/** Values from a start and bar-to-bar log returns. */
const fromLogReturns = (start: number, logReturns: number[]) => {
  const out = [start];
  for (const r of logReturns) out.push(out[out.length - 1] * Math.exp(r));
  return out;
};

describe('beta', () => {
  test('hand case: market log returns [0.1, −0.1, 0.3], equity [0.2, 0, 0.1] → 0.02 / 0.08 = 0.25', () => {
    // means: market 0.1, equity 0.1; deviations: market [0, −0.2, 0.2], equity [0.1, −0.1, 0]
    // Σ dm·de = 0 + 0.02 + 0 = 0.02; Σ dm² = 0 + 0.04 + 0.04 = 0.08
    near(beta(fromLogReturns(1000, [0.2, 0, 0.1]), fromLogReturns(50, [0.1, -0.1, 0.3])), 0.25);
  });

  test('equity = benchmark² (twice the log returns) has beta 2; constant equity has beta 0', () => {
    const market = [100, 110, 99, 108.9];
    near(beta(market.map((m) => (m * m) / 100), market), 2);
    near(beta([500, 500, 500, 500], market), 0);
  });

  test('what the two-pass definition computes with the returns kept in arrays, to 1e-12, and null where it is null (2,000 random cases)', () => {
    // The definition as first written: both log-return series built, their means by numeric.ts mean(), then one pass.
    const reference = (e: number[], m: number[]): number | null => {
      const lr = (v: number[]) => v.slice(1).map((x, i) => Math.log(x / v[i]));
      const re = lr(e), rm = lr(m);
      const meanE = re.reduce((a, b) => a + b, 0) / re.length, meanM = rm.reduce((a, b) => a + b, 0) / rm.length;
      if (!Number.isFinite(meanE) || !Number.isFinite(meanM)) return null;
      let cov = 0, varM = 0;
      for (let i = 0; i < re.length; i++) { const dm = rm[i] - meanM; cov += (re[i] - meanE) * dm; varM += dm * dm; }
      return Number.isFinite(cov) && Number.isFinite(varM) && varM !== 0 ? cov / varM : null;
    };
    let seed = 11;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    for (let c = 0; c < 2000; c++) {
      const n = 3 + Math.floor(rand() * 300);
      const e = fromLogReturns(1000, Array.from({ length: n - 1 }, () => (rand() - 0.5) * 0.1));
      const m = fromLogReturns(50, Array.from({ length: n - 1 }, () => (rand() - 0.48) * 0.05));
      if (c % 97 === 0) e[Math.floor(rand() * n)] = 0; // now and then no log return at all
      // Flat stretches (out of the market: log(1) = 0 without the logarithm), and equal pairs that are not 1 as a
      // ratio (0/0, ∞/∞) or are negative.
      if (c % 3 === 0) for (let i = 1; i < n; i++) if (rand() < 0.5) e[i] = e[i - 1];
      if (c % 3 === 0 && rand() < 0.5) m[1] = m[0];
      const j = 1 + Math.floor(rand() * (n - 2));
      if (c % 11 === 0) e[j] = e[j + 1] = [0, Infinity, -5, NaN][(c / 11) % 4];
      const got = beta(e, m), want = reference(e, m);
      if (want === null || got === null) assert.equal(got, want, `case ${c}`);
      else assert.ok(Math.abs(got - want) <= 1e-12 * Math.max(1, Math.abs(want)), `case ${c}: ${got} against ${want}`);
    }
  });

  test('null: fewer than two returns, a flat benchmark, a non-positive value', () => {
    assert.equal(beta([100, 110], [10, 11]), null);
    assert.equal(beta([100, 110, 120], [10, 10, 10]), null);
    assert.equal(beta([100, 0, 120], [10, 11, 12]), null);
    assert.equal(beta([100, 110, 120], [10, -1, 12]), null);
    // Equal values whose ratio is not 1 are no flat bar: 0/0 and ∞/∞ have no log return either.
    assert.equal(beta([0, 0, 0], [10, 11, 12]), null);
    assert.equal(beta([Infinity, Infinity, Infinity], [10, 11, 12]), null);
  });
});

describe('alpha', () => {
  test('R − rf − β(R_bh − rf): 18.5921 − 2 × 8.9 = 0.7921; with rf 1 %: 17.5921 − 2 × 7.9 = 1.7921', () => {
    near(alphaPct(18.5921, 8.9, 2, 0), 0.7921);
    near(alphaPct(18.5921, 8.9, 2, 1), 1.7921);
  });

  test('null when beta, the return or the buy-and-hold return is null', () => {
    assert.equal(alphaPct(10, 5, null, 0), null);
    assert.equal(alphaPct(null, 5, 1, 0), null);
    assert.equal(alphaPct(10, null, 1, 0), null);
  });
});
