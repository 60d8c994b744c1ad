import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { annualise, cagr, calmar, simpleReturn } from '../../core/metrics/returns';
import { geometricMeanReturn, sampleVariance } from '../../core/metrics/numeric';

const close = (actual: number | null, expected: number, tol = 1e-12) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);

describe('simple return and CAGR', () => {
  test('simple return: 100 → 125 is +25 %; a non-positive start has none', () => {
    close(simpleReturn(100, 125), 0.25);
    close(simpleReturn(100, 0), -1);
    assert.equal(simpleReturn(0, 10), null);
    assert.equal(simpleReturn(-5, 10), null);
  });

  test('CAGR: 100 → 121 over 2 years is 10 % a year; 100 → 150 over half a year is 125 %', () => {
    close(cagr(100, 121, 2), 0.1); // 1.21^(1/2) − 1 = 0.1
    close(cagr(100, 150, 0.5), 1.25); // 1.5^2 − 1 = 1.25
    close(cagr(100, 0, 3), -1); // wiped out: −100 %
  });

  test('CAGR is null for zero elapsed time, a non-positive start or a negative end', () => {
    assert.equal(cagr(100, 121, 0), null);
    assert.equal(cagr(0, 121, 1), null);
    assert.equal(cagr(100, -1, 1), null);
  });
});

describe('geometric mean and variance', () => {
  test('geometric mean of +60 % and −10 % is +20 % (1.6 × 0.9 = 1.44 = 1.2²)', () => {
    close(geometricMeanReturn([0.6, -0.1]), 0.2);
  });

  test('geometric mean is null with no returns or a loss of 100 % or more', () => {
    assert.equal(geometricMeanReturn([]), null);
    assert.equal(geometricMeanReturn([0.1, -1]), null);
    assert.equal(geometricMeanReturn([0.1, -1.5]), null);
  });

  test('sample variance uses n − 1: [0.6, −0.1] → mean 0.25, (0.35² + 0.35²) / 1 = 0.245', () => {
    close(sampleVariance([0.6, -0.1]), 0.245);
    assert.equal(sampleVariance([0.6]), null);
  });
});

describe('annualise', () => {
  // Period returns [+60 %, −10 %] with N = 2 periods a year:
  //   g = 0.2 (above); return (ann.) = 1.2² − 1 = 0.44
  //   s² = 0.245; volatility = √((s² + 1.2²)² − 1.2⁴) = √(1.685² − 1.44²)
  //      = √((1.685 − 1.44)(1.685 + 1.44)) = √(0.245 × 3.125) = √0.765625 = 0.875
  //   Sharpe = 0.44 / 0.875 = 0.502857142857…
  //   downside deviation = √(mean([0, 0.1²])) × √2 = √0.005 × √2 = 0.1; Sortino = 0.44 / 0.1 = 4.4
  test('hand case [+60 %, −10 %], N = 2, risk-free 0', () => {
    const a = annualise(Float64Array.from([0.6, -0.1]), 2, 0);
    close(a.returnAnn, 0.44);
    close(a.volatilityAnn, 0.875);
    close(a.sharpe, 0.44 / 0.875);
    close(a.sortino, 4.4);
  });

  test('risk-free rate 4 %: Sharpe = (0.44 − 0.04) / 0.875, Sortino = 0.40 / 0.1 = 4', () => {
    const a = annualise(Float64Array.from([0.6, -0.1]), 2, 0.04);
    close(a.returnAnn, 0.44); // the return itself is not reduced
    close(a.sharpe, 0.4 / 0.875);
    close(a.sortino, 4);
  });

  test('[+21 %, 0 %], N = 2: g = √1.21 − 1 = 0.1, return 0.21, s² = 0.02205, vol = √(1.23205² − 1.4641) = 0.23205', () => {
    const a = annualise(Float64Array.from([0.21, 0]), 2, 0);
    close(a.returnAnn, 0.21);
    close(a.volatilityAnn, 0.23205);
    close(a.sharpe, 0.21 / 0.23205);
    assert.equal(a.sortino, null, 'no negative return: downside deviation 0, Sortino undefined');
  });

  test('constant returns have exactly zero volatility even with N = 252 (no cancellation noise), so Sharpe is null', () => {
    const a = annualise(Float64Array.from([0.01, 0.01, 0.01, 0.01]), 252, 0);
    close(a.returnAnn, 1.01 ** 252 - 1, 1e-9);
    assert.equal(a.volatilityAnn, 0);
    assert.equal(a.sharpe, null);
    assert.equal(a.sortino, null);
  });

  test('one period return: return (ann.) exists, volatility (needs n − 1 ≥ 1) and Sharpe are null', () => {
    const a = annualise(Float64Array.from([0.1]), 12, 0);
    close(a.returnAnn, 1.1 ** 12 - 1, 1e-12);
    assert.equal(a.volatilityAnn, null);
    assert.equal(a.sharpe, null);
    assert.equal(a.sortino, null, 'no negative return: downside deviation 0');
  });

  test('no period returns or a −100 % period: everything null', () => {
    for (const returns of [[], [0.1, -1, 0.2]]) {
      const a = annualise(Float64Array.from(returns), 252, 0);
      assert.deepEqual(a, { returnAnn: null, volatilityAnn: null, sharpe: null, sortino: null });
    }
  });
});

describe('Calmar', () => {
  test('0.44 annual return over a 20 % max drawdown is 2.2; no drawdown is null', () => {
    close(calmar(0.44, 0.2), 2.2);
    assert.equal(calmar(0.44, 0), null);
    assert.equal(calmar(null, 0.2), null);
  });
});
