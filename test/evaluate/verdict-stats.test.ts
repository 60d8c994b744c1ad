/**
 * The statistics behind the evidence (core/evaluate/verdict/stats.ts), against values computed by hand from the
 * published formulas (Bailey & López de Prado 2012, 2014) and against properties that must hold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bootstrapIntervals, defaultBlockLength, deflatedSharpe, expectedMaxSharpe, meanOf, moments, normalCdf, normalQuantile,
  probabilisticSharpe, quantileSorted, seededRandom, stationaryResample,
} from '../../core/evaluate/verdict/stats';

const near = (a: number | null, b: number, tol: number, what: string) => assert.ok(a !== null && Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('normal distribution', () => {
  it('Φ and Φ⁻¹ match tabulated values and invert each other', () => {
    near(normalCdf(0), 0.5, 1e-7, 'Φ(0)');
    near(normalCdf(1), 0.8413447461, 2e-7, 'Φ(1)');
    near(normalCdf(-2.5), 0.0062096653, 2e-7, 'Φ(−2.5)');
    near(normalQuantile(0.975), 1.959963985, 1e-8, 'Φ⁻¹(0.975)');
    near(normalQuantile(0.001), -3.090232306, 1e-8, 'Φ⁻¹(0.001)');
    near(normalQuantile(0.3), -0.5244005127, 1e-8, 'Φ⁻¹(0.3)');
    for (const p of [0.01, 0.2, 0.5, 0.77, 0.999]) near(normalCdf(normalQuantile(p)), p, 3e-7, `Φ(Φ⁻¹(${p}))`);
    assert.equal(normalQuantile(0), -Infinity);
    assert.equal(normalQuantile(1), Infinity);
  });
});

describe('probabilistic and deflated Sharpe ratio', () => {
  it('PSR by hand: SR 0.1 per period, 253 returns, skew −0.5, kurtosis 5', () => {
    // Variance term 1 − γ₃·SR + (γ₄ − 1)/4 · SR² = 1 + 0.05 + 0.01 = 1.06;
    // z = 0.1 · √252 / √1.06 = 1.5418685…; Φ(z) = 0.938447…
    const z = (0.1 * Math.sqrt(252)) / Math.sqrt(1.06);
    near(z, 1.5418685, 1e-7, 'z');
    near(probabilisticSharpe(0.1, 253, -0.5, 5), 0.9384472, 3e-7, 'PSR');
  });

  it('PSR is 0.5 at the benchmark, falls with negative skew and fat tails, and is null without data', () => {
    near(probabilisticSharpe(0.2, 100, 0, 3, 0.2), 0.5, 1e-7, 'PSR at the benchmark');
    assert.ok(probabilisticSharpe(0.1, 253, -1, 3)! < probabilisticSharpe(0.1, 253, 0, 3)!);
    assert.ok(probabilisticSharpe(0.1, 253, 0, 9)! < probabilisticSharpe(0.1, 253, 0, 3)!);
    assert.equal(probabilisticSharpe(0.1, 1, 0, 3), null);
  });

  it('expected maximum Sharpe of N trials (False Strategy theorem) by hand, N = 10, V = 1/252', () => {
    // √V · ((1 − γ) Φ⁻¹(1 − 1/10) + γ Φ⁻¹(1 − 1/(10e))) = 0.0629941 · ((0.4227844)(1.2815516) + (0.5772157)(1.7900245)) = 0.0991904
    near(expectedMaxSharpe(10, 1 / 252), 0.0991904, 2e-7, 'E[max SR]');
    assert.equal(expectedMaxSharpe(1, 1 / 252), 0, 'one trial: nothing was selected');
  });

  it('DSR by hand: the PSR against E[max SR] of 10 trials', () => {
    // (0.1 − 0.0991904) · √252 / √1.06 = 0.012483…; Φ = 0.504980
    near(deflatedSharpe(0.1, 253, -0.5, 5, 10), 0.5049800, 3e-7, 'DSR');
    near(deflatedSharpe(0.1, 253, -0.5, 5, 1), probabilisticSharpe(0.1, 253, -0.5, 5)!, 1e-12, 'DSR of one trial = PSR');
    assert.ok(deflatedSharpe(0.1, 253, 0, 3, 1000)! < deflatedSharpe(0.1, 253, 0, 3, 10)!, 'more trials, less evidence');
  });
});

describe('moments', () => {
  it('mean, sample std, skewness and kurtosis of a small set by hand', () => {
    const m = moments([1, 2, 3, 4, 10])!;
    // mean 4; deviations −3 −2 −1 0 6; m2 = 50/5 = 10; m3 = (−27 −8 −1 + 216)/5 = 36; m4 = (81 + 16 + 1 + 1296)/5 = 278.8
    near(m.mean, 4, 1e-12, 'mean');
    near(m.std, Math.sqrt(50 / 4), 1e-12, 'std');
    near(m.skew, 36 / Math.pow(10, 1.5), 1e-12, 'skew');
    near(m.kurtosis, 278.8 / 100, 1e-12, 'kurtosis');
    assert.equal(moments([5, 5, 5]), null, 'no spread');
    assert.equal(moments([1]), null);
  });
});

describe('seeded bootstrap', () => {
  it('the PRNG repeats itself for a seed and differs between seeds', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);
    const c = seededRandom(8);
    const xs = Array.from({ length: 5 }, () => a());
    assert.deepEqual(xs, Array.from({ length: 5 }, () => b()));
    assert.notDeepEqual(xs, Array.from({ length: 5 }, () => c()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });

  it('stationary resampling keeps blocks: with a huge mean block the resample is one circular run', () => {
    const values = Float64Array.from({ length: 50 }, (_, i) => i);
    const out = stationaryResample(values, 1e9, seededRandom(3), new Float64Array(50));
    for (let i = 1; i < 50; i++) assert.equal(out[i], (out[i - 1] + 1) % 50);
    // Mean block 1: i.i.d. draws, so runs of consecutive values are rare.
    const iid = stationaryResample(values, 1, seededRandom(3), new Float64Array(50));
    let runs = 0;
    for (let i = 1; i < 50; i++) if (iid[i] === (iid[i - 1] + 1) % 50) runs++;
    assert.ok(runs < 10, `${runs} consecutive pairs`);
    assert.equal(defaultBlockLength(5000), 17);
  });

  it('intervals are reproducible and cover the true mean of a known distribution', () => {
    const rnd = seededRandom(11);
    // Uniform(0, 1): mean 0.5.
    const values = Float64Array.from({ length: 400 }, () => rnd());
    const opts = { resamples: 1000, meanBlock: 1, level: 0.95, seed: 42 };
    const [a] = bootstrapIntervals(values, (s) => [meanOf(s)], opts);
    const [b] = bootstrapIntervals(values, (s) => [meanOf(s)], opts);
    assert.deepEqual(a, b, 'same seed, same interval');
    assert.ok(a && a.low < 0.5 && a.high > 0.5, `interval ${a?.low}…${a?.high}`);
    // Its width is about 2 · 1.96 · σ/√n = 3.92 · 0.2887 / 20 ≈ 0.0566.
    near(a!.high - a!.low, 0.0566, 0.012, 'width');
    const [none] = bootstrapIntervals(values, () => [null], opts);
    assert.equal(none, null, 'a statistic that never exists has no interval');
    assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  });
});
