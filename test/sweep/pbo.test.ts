/**
 * CSCV on constructed return matrices whose answer is known: pure noise variants overfit about half the time,
 * a genuinely dominant variant almost never, and variants whose in-sample winners are systematically the
 * out-of-sample losers nearly always.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '../../core/evaluate/verdict/stats';
import { blockSums, cscv } from '../../core/sweep/pbo';

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function noise(t: number, seed: number, mean = 0): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: t }, () => mean + 0.01 * gaussian(r));
}

describe('CSCV probability of backtest overfitting', () => {
  it('block sums reproduce the Sharpe of the whole series', () => {
    const r = noise(1000, 1, 0.001);
    const b = blockSums(r, 10);
    let n = 0, s = 0, q = 0;
    for (let i = 0; i < 10; i++) { n += b[i * 3]; s += b[i * 3 + 1]; q += b[i * 3 + 2]; }
    assert.equal(n, 1000);
    const mean = r.reduce((a, x) => a + x, 0) / r.length;
    assert.ok(Math.abs(s / n - mean) < 1e-15);
    const sd = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / (r.length - 1));
    assert.ok(Math.abs(Math.sqrt((q - n * (s / n) ** 2) / (n - 1)) - sd) < 1e-12);
  });

  it('drops T mod S leading periods so blocks are even, keeping the latest', () => {
    const b = blockSums(Float64Array.from([100, 1, 2, 3, 4]), 2);
    assert.deepEqual(Array.from(b), [2, 3, 5, 2, 7, 25]);
  });

  it('pure noise: PBO near one half (averaged over independent matrices: one draw varies widely)', () => {
    const full = cscv(Array.from({ length: 40 }, (_, i) => blockSums(noise(1600, 100 + i), 16)), 16);
    assert.equal(full.totalCombinations, 12870);
    assert.equal(full.combinations, 12870, 'all combinations enumerated at this size');
    const pbos = Array.from({ length: 12 }, (_, k) => cscv(Array.from({ length: 40 }, (_, i) => blockSums(noise(800, 5000 + k * 100 + i), 10)), 10).pbo!);
    const mean = pbos.reduce((a, b) => a + b, 0) / pbos.length;
    assert.ok(mean > 0.4 && mean < 0.65, `mean PBO ${mean} (${pbos.map((p) => p.toFixed(2)).join(' ')})`);
  });

  it('a genuinely dominant variant: PBO near 0', () => {
    const variants = Array.from({ length: 40 }, (_, i) => blockSums(noise(1600, 200 + i, i === 7 ? 0.004 : 0), 16));
    const res = cscv(variants, 16);
    assert.ok(res.pbo !== null && res.pbo < 0.05, `PBO ${res.pbo}`);
    assert.ok(res.logits.every((l) => Number.isFinite(l)));
  });

  it('in-sample winners that reverse out of sample: PBO above one half', () => {
    // Each variant earns in a different half of the blocks and loses in the others: whichever wins in sample
    // was lucky in exactly the blocks it is then judged without.
    const T = 1600;
    const variants = Array.from({ length: 20 }, (_, v) => {
      const r = noise(T, 300 + v);
      for (let i = 0; i < T; i++) r[i] += ((Math.floor(i / 100) * 7 + v) % 3 === 0 ? 0.003 : -0.0015);
      return blockSums(r, 16);
    });
    const res = cscv(variants, 16);
    assert.ok(res.pbo !== null && res.pbo > 0.5, `PBO ${res.pbo}`);
  });

  it('samples combinations (seeded) when the work is too large, and says how many', () => {
    const variants = Array.from({ length: 3000 }, (_, i) => blockSums(noise(160, 1000 + i), 16));
    const a = cscv(variants, 16);
    const b = cscv(variants, 16);
    assert.ok(a.combinations < a.totalCombinations && a.combinations >= 100);
    assert.deepEqual(a.logits, b.logits, 'the same sample every time');
  });

  it('null with a reason when nothing was selected or S is invalid', () => {
    assert.match(cscv([blockSums(noise(100, 1), 4)], 4).problem ?? '', /fewer than 2 variants/);
    assert.equal(cscv([blockSums(noise(100, 1), 4), blockSums(noise(100, 2), 4)], 3).pbo, null);
  });
});
