import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics } from '../../core/metrics';
import type { Metrics, MetricsInput, TradeStat } from '../../core/metrics/types';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const utc = (date: string) => Date.parse(`${date}T00:00:00Z`);
/** Relative comparison (figures here range from 0.01 to 1e7). */
const near = (actual: number | null, expected: number, rtol = 1e-10) =>
  assert.ok(actual !== null && Math.abs(actual - expected) <= rtol * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);

function input(time: number[], equity: number[], benchmark: number[], trades: TradeStat[] = [], extra: Partial<MetricsInput> = {}): MetricsInput {
  return {
    time: Float64Array.from(time), equity: Float64Array.from(equity), benchmark: Float64Array.from(benchmark),
    trades, commissionsPaid: 0, ...extra,
  };
}

/** Every numeric field is finite or null: no NaN or ±Infinity leaks. */
function assertNoNonFinite(m: Metrics) {
  for (const [key, value] of Object.entries(m)) {
    if (typeof value === 'number') assert.ok(Number.isFinite(value), `${key} is ${value}`);
    else assert.ok(value === null || typeof value === 'string', `${key} is ${String(value)}`);
  }
}

describe('computeMetrics: five weekday bars by hand', () => {
  // Mon 2024-01-01 … Fri 2024-01-05
  // equity:    100    110    99     108.9  119.79   daily returns +10 %, −10 %, +10 %, +10 %
  // benchmark: 50     50     55     55     60.5
  // One trade: bars 1 → 3 (Tue → Thu), +8.9 %, P&L 8.9; commissions 1.5.
  const time = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05'].map(utc);
  const trade: TradeStat = { entryBar: 1, exitBar: 3, entryTime: time[1], exitTime: time[3], pnl: 8.9, returnPct: 8.9 };
  const m = computeMetrics({ ...input(time, [100, 110, 99, 108.9, 119.79], [50, 50, 55, 55, 60.5], [trade]), commissionsPaid: 1.5 });

  // Growth 1.1 × 0.9 × 1.1 × 1.1 = 1.1979 over 4 daily returns: a = 1 + g = 1.1979^(1/4); N = 252 (no weekend bars).
  const a = Math.pow(1.1979, 1 / 4);
  const returnAnn = Math.pow(a, 252) - 1;
  // Sample variance: mean 0.05, deviations .05 −.15 .05 .05, squares sum 0.03, / 3 = 0.01
  const volAnn = Math.sqrt(Math.pow(0.01 + a * a, 252) - Math.pow(a, 504));

  test('calendar figures', () => {
    assert.equal(m.start, '2024-01-01');
    assert.equal(m.end, '2024-01-05');
    assert.equal(m.durationDays, 4);
    assert.equal(m.exposureTimePct, 60); // bars 1, 2, 3 of 5
  });

  test('equity, return and buy & hold', () => {
    assert.equal(m.equityFinal, 119.79);
    assert.equal(m.equityPeak, 119.79);
    near(m.returnPct, 19.79); // 119.79 / 100 − 1
    near(m.buyHoldReturnPct, 21); // 60.5 / 50 − 1
    assert.equal(m.commissionsPaid, 1.5);
  });

  test('annualised return, volatility, CAGR (252 days; CAGR over 4 / 365.25 years)', () => {
    near(m.returnAnnPct, returnAnn * 100);
    near(m.volatilityAnnPct, volAnn * 100);
    near(m.cagrPct, (Math.pow(1.1979, 365.25 / 4) - 1) * 100);
  });

  test('Sharpe, Sortino, Calmar', () => {
    near(m.sharpeRatio, returnAnn / volAnn);
    // Downside: mean of [0, 0.01, 0, 0] = 0.0025 → √ = 0.05, × √252
    near(m.sortinoRatio, returnAnn / (0.05 * Math.sqrt(252)));
    near(m.calmarRatio, returnAnn / 0.1); // max drawdown 10 %
  });

  test('drawdowns: peak 110 on bar 1, 99 on bar 2 (−10 %), back to a peak on bar 4: one period of 3 days', () => {
    near(m.maxDrawdownPct, -10);
    near(m.avgDrawdownPct, -10);
    assert.equal(m.maxDrawdownDurationDays, 3);
    assert.equal(m.avgDrawdownDurationDays, 3);
  });

  test('beta = ln(9/11) / (2 ln 1.1) and alpha = 19.79 − β × 21', () => {
    // Log returns: equity [u, v, u, u] with u = ln 1.1, v = ln 0.9; benchmark [0, u, 0, u].
    // Benchmark deviations ±u/2 (variance sum u²); covariance sum (u/2)(v − u) → β = (v − u) / (2u).
    const beta = Math.log(9 / 11) / (2 * Math.log(1.1));
    near(m.beta, beta);
    near(m.alphaPct, 19.79 - beta * 21);
  });

  test('trade figures from the one trade', () => {
    assert.equal(m.tradeCount, 1);
    assert.equal(m.winRatePct, 100);
    near(m.avgTradePct, 8.9);
    assert.equal(m.maxTradeDurationDays, 2);
    assert.equal(m.sqn, null);
    assertNoNonFinite(m);
  });
});

describe('computeMetrics: annualisation follows the calendar', () => {
  const equity = [100, 110, 99, 108.9, 119.79, 125, 120];
  // Growth 1.2 over 6 daily returns: a = 1.2^(1/6)
  const a = Math.pow(1.2, 1 / 6);

  test('weekday bars annualise over 252 days', () => {
    const time = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04', '2024-01-05', '2024-01-08', '2024-01-09'].map(utc);
    near(computeMetrics(input(time, equity, equity)).returnAnnPct, (Math.pow(a, 252) - 1) * 100);
  });

  test('bars on every calendar day (weekends included) annualise over 365 days', () => {
    const time = equity.map((_, i) => utc('2024-01-01') + i * DAY);
    near(computeMetrics(input(time, equity, equity)).returnAnnPct, (Math.pow(a, 365) - 1) * 100);
  });

  test('intraday equity: several bars per day, one return per day from each day\'s last bar', () => {
    // Mon: 100 101 110 | Tue: 109 125 121 | Wed: 115 108.9 → day closes 110, 121, 108.9: +10 %, −10 %
    const hours = [14, 15, 16, 38, 39, 40, 62, 63];
    const time = hours.map((h) => utc('2024-01-01') + h * HOUR);
    const eq = [100, 101, 110, 109, 125, 121, 115, 108.9];
    const m = computeMetrics(input(time, eq, eq));
    // a = √(1.1 × 0.9) = √0.99; N = 252
    near(m.returnAnnPct, (Math.pow(0.99, 252 / 2) - 1) * 100);
    // Variance of [0.1, −0.1] = 0.02
    const a2 = 0.99;
    near(m.volatilityAnnPct, Math.sqrt(Math.pow(0.02 + a2, 252) - Math.pow(a2, 252)) * 100);
    // Duration 63 − 14 = 49 hours; CAGR on 49/24 days
    near(m.durationDays, 49 / 24);
    near(m.cagrPct, (Math.pow(1.089, 365.25 / (49 / 24)) - 1) * 100);
    // Drawdown: peak 125 (hour 39) → 121, 115, 108.9 to the end: one period of 24 hours, deepest 1 − 108.9/125
    assert.equal(m.maxDrawdownDurationDays, 1);
    near(m.maxDrawdownPct, -(1 - 108.9 / 125) * 100);
    near(m.beta, 1); // equity is its own benchmark
    near(m.alphaPct, 0, 1e-9);
  });
});

describe('computeMetrics: options', () => {
  const time = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'].map(utc);
  const equity = [100, 110, 99, 121];

  test('risk-free rate lowers Sharpe and Sortino by rf / risk, and alpha as R − rf − β(R_bh − rf)', () => {
    const m0 = computeMetrics(input(time, equity, [10, 11, 12, 13]));
    const m2 = computeMetrics(input(time, equity, [10, 11, 12, 13], [], { riskFreeRate: 0.02 }));
    assert.equal(m2.returnAnnPct, m0.returnAnnPct);
    near(m2.sharpeRatio, (m0.returnAnnPct! - 2) / m0.volatilityAnnPct!);
    near(m2.alphaPct, 21 - 2 - m0.beta! * (30 - 2));
  });

  test('benchmarkStartBar: buy & hold from that bar (10 → 13 is 30 %; from bar 2, 12 → 13 is 8.33 %)', () => {
    const m = computeMetrics(input(time, equity, [10, 11, 12, 13], [], { benchmarkStartBar: 2 }));
    near(m.buyHoldReturnPct, (13 / 12 - 1) * 100);
    near(m.alphaPct, 21 - m.beta! * (13 / 12 - 1) * 100);
  });
});

describe('computeMetrics: figures that cannot be computed are null', () => {
  test('no bars: everything null, no trades', () => {
    const m = computeMetrics(input([], [], []));
    assert.equal(m.tradeCount, 0);
    assert.equal(m.commissionsPaid, 0);
    for (const [key, value] of Object.entries(m)) if (key !== 'tradeCount' && key !== 'commissionsPaid') assert.equal(value, null, key);
  });

  test('one bar: zero return and duration, no annualised figures, no CAGR, no beta', () => {
    const m = computeMetrics(input([utc('2024-01-01')], [100], [10]));
    assert.equal(m.start, '2024-01-01');
    assert.equal(m.end, '2024-01-01');
    assert.equal(m.durationDays, 0);
    assert.equal(m.returnPct, 0);
    assert.equal(m.buyHoldReturnPct, 0);
    for (const key of ['returnAnnPct', 'volatilityAnnPct', 'cagrPct', 'sharpeRatio', 'sortinoRatio', 'calmarRatio', 'beta', 'alphaPct',
      'avgDrawdownPct', 'maxDrawdownDurationDays', 'avgDrawdownDurationDays'] as const) assert.equal(m[key], null, key);
    assert.equal(m.maxDrawdownPct, 0);
    assertNoNonFinite(m);
  });

  test('flat equity (never traded): zero volatility → Sharpe, Sortino, Calmar null; beta 0; no trade figures', () => {
    const time = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'].map(utc);
    const m = computeMetrics(input(time, [100, 100, 100, 100], [10, 11, 10, 12]));
    assert.equal(m.returnAnnPct, 0);
    assert.equal(m.volatilityAnnPct, 0);
    assert.equal(m.sharpeRatio, null);
    assert.equal(m.sortinoRatio, null);
    assert.equal(m.calmarRatio, null);
    assert.equal(m.maxDrawdownPct, 0);
    assert.equal(Object.is(m.maxDrawdownPct, -0), false, 'no −0');
    assert.equal(m.beta, 0);
    assert.equal(m.alphaPct, 0);
    assert.equal(m.exposureTimePct, 0);
    assert.equal(m.winRatePct, null);
    assert.equal(m.profitFactor, null);
    assertNoNonFinite(m);
  });

  test('equity wiped out (0): return −100 %, CAGR −100 %, annualised figures and beta null', () => {
    const time = ['2024-01-01', '2024-01-02', '2024-01-03'].map(utc);
    const m = computeMetrics(input(time, [100, 50, 0], [10, 11, 12]));
    assert.equal(m.returnPct, -100);
    assert.equal(m.cagrPct, -100);
    assert.equal(m.returnAnnPct, null);
    assert.equal(m.volatilityAnnPct, null);
    assert.equal(m.beta, null);
    assert.equal(m.maxDrawdownPct, -100);
    assertNoNonFinite(m);
  });

  test('negative equity (a short gone wrong): no NaN or Infinity anywhere', () => {
    const time = ['2024-01-01', '2024-01-02', '2024-01-03', '2024-01-04'].map(utc);
    const m = computeMetrics(input(time, [100, 40, -20, -5], [10, 20, 40, 30]));
    assert.equal(m.cagrPct, null);
    assert.equal(m.returnAnnPct, null);
    near(m.returnPct, -105);
    near(m.maxDrawdownPct, -120); // 1 − (−20 / 100)
    assertNoNonFinite(m);
  });

  test('flat benchmark: beta and alpha null', () => {
    const time = ['2024-01-01', '2024-01-02', '2024-01-03'].map(utc);
    const m = computeMetrics(input(time, [100, 110, 105], [10, 10, 10]));
    assert.equal(m.beta, null);
    assert.equal(m.alphaPct, null);
    assert.equal(m.buyHoldReturnPct, 0);
  });
});

describe('computeMetrics: invalid input is reported, not computed', () => {
  const time = ['2024-01-01', '2024-01-02', '2024-01-03'].map(utc);
  const cases: [string, MetricsInput, RegExp][] = [
    ['equity length', input(time, [100, 101], [1, 1, 1]), /equity has 2 points but time has 3/],
    ['benchmark length', input(time, [100, 101, 102], [1, 1]), /benchmark has 2 points/],
    ['time order', input([time[0], time[2], time[1]], [100, 101, 102], [1, 1, 1]), /not strictly increasing at index 2/],
    ['NaN equity', input(time, [100, NaN, 102], [1, 1, 1]), /equity\[1\] is NaN/],
    ['zero start', input(time, [0, 1, 2], [1, 1, 1]), /starting equity must be positive/],
    ['risk-free rate in percent', input(time, [100, 101, 102], [1, 1, 1], [], { riskFreeRate: 2 }), /fraction between -1 and 1/],
    ['benchmark start', input(time, [100, 101, 102], [1, 1, 1], [], { benchmarkStartBar: 3 }), /benchmarkStartBar is 3/],
    ['trade bars', input(time, [100, 101, 102], [1, 1, 1], [{ entryBar: 2, exitBar: 1, entryTime: time[2], exitTime: time[1], pnl: 0, returnPct: 0 }]),
      /trades\[0\] has entryBar 2 and exitBar 1/],
  ];
  for (const [name, bad, message] of cases) {
    test(name, () => assert.throws(() => computeMetrics(bad), (e: unknown) => e instanceof RangeError && message.test(e.message)));
  }
});
