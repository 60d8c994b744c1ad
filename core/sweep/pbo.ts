/**
 * Probability of backtest overfitting by combinatorially symmetric cross-validation (Bailey, Borwein, López de
 * Prado & Zhu 2017). The T × N matrix of period returns (T periods, N variants) is cut into S even blocks of
 * rows; for every way of picking S/2 blocks as in-sample (the other S/2 out-of-sample), the variant with the
 * best in-sample Sharpe is found and its out-of-sample Sharpe ranked among all N: ω = rank / (N + 1),
 * λ = ln(ω / (1 − ω)). PBO = the share of splits with λ ≤ 0 (the in-sample winner at or below the
 * out-of-sample median). docs/optimize.md, "PBO".
 *
 * Each variant keeps only [count, Σr, Σr²] per block, so a Sharpe over any union of blocks is exact from sums
 * and the journal stays small.
 */
import { seededRandom } from '../evaluate/verdict/stats';

export const DEFAULT_SPLITS = 16;
/** Work bound (variants × combinations × blocks) before combinations are sampled instead of enumerated. */
export const MAX_CSCV_WORK = 20_000_000;
const CSCV_SEED = 20261204;

/**
 * [count, Σr, Σr²] for each of `splits` even blocks of `returns`. T mod S leading periods are dropped so the
 * blocks are equal (the most recent data is always kept).
 */
export function blockSums(returns: ArrayLike<number>, splits: number): Float64Array {
  const size = Math.floor(returns.length / splits);
  const skip = returns.length - size * splits;
  const out = new Float64Array(splits * 3);
  for (let b = 0; b < splits; b++) {
    let s = 0;
    let q = 0;
    for (let i = skip + b * size; i < skip + (b + 1) * size; i++) {
      s += returns[i];
      q += returns[i] * returns[i];
    }
    out[b * 3] = size;
    out[b * 3 + 1] = s;
    out[b * 3 + 2] = q;
  }
  return out;
}

export interface PboResult {
  /** Share of splits whose in-sample winner is at or below the out-of-sample median; null when not computable. */
  pbo: number | null;
  splits: number;
  /** Combinations evaluated (all C(S, S/2), or a seeded sample of them when that is too much work). */
  combinations: number;
  totalCombinations: number;
  /** λ of each evaluated combination. */
  logits: number[];
  /** Variants in the matrix (those that ran and have every block). */
  variants: number;
  /** Why pbo is null. */
  problem?: string;
}

function sharpeFromSums(n: number, s: number, q: number): number {
  if (n < 2) return 0;
  const mean = s / n;
  const variance = (q - n * mean * mean) / (n - 1);
  // No spread: a flat curve (no trades) has Sharpe 0; a constant non-zero return is infinitely good or bad.
  if (!(variance > 1e-300)) return mean === 0 ? 0 : mean > 0 ? Infinity : -Infinity;
  return mean / Math.sqrt(variance);
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** CSCV over each variant's block sums (same `splits` for all). Needs ≥ 2 variants and an even S ≥ 2. */
export function cscv(blocks: readonly ArrayLike<number>[], splits: number): PboResult {
  const total = binomial(splits, splits / 2);
  const base = { splits, totalCombinations: total, variants: blocks.length, logits: [] as number[], combinations: 0 };
  if (!(Number.isInteger(splits) && splits >= 2 && splits % 2 === 0 && splits <= 24)) return { ...base, pbo: null, problem: `S must be an even whole number from 2 to 24, got ${splits}` };
  if (blocks.length < 2) return { ...base, pbo: null, problem: 'fewer than 2 variants ran: nothing was selected' };
  if (blocks[0][0] < 2) return { ...base, pbo: null, problem: `too few periods for ${splits} blocks` };
  let masks: number[] = [];
  for (let mask = 0; mask < 1 << splits; mask++) if (popcount(mask) === splits / 2) masks.push(mask);
  const limit = Math.max(100, Math.floor(MAX_CSCV_WORK / (blocks.length * splits)));
  if (masks.length > limit) {
    const random = seededRandom(CSCV_SEED);
    for (let i = masks.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [masks[i], masks[j]] = [masks[j], masks[i]];
    }
    masks = masks.slice(0, limit).sort((a, b) => a - b);
  }
  const n = blocks.length;
  // Whole-series sums per variant: out-of-sample sums are these minus the in-sample ones.
  const sums = blocks.map((b) => {
    let c = 0, s = 0, q = 0;
    for (let k = 0; k < splits; k++) { c += b[k * 3]; s += b[k * 3 + 1]; q += b[k * 3 + 2]; }
    return [c, s, q];
  });
  const oos = new Float64Array(n);
  const logits: number[] = [];
  let below = 0;
  for (const mask of masks) {
    let best = 0;
    let bestIs = -Infinity;
    for (let v = 0; v < n; v++) {
      const b = blocks[v];
      let c = 0, s = 0, q = 0;
      for (let k = 0; k < splits; k++) {
        if ((mask >> k) & 1) { c += b[k * 3]; s += b[k * 3 + 1]; q += b[k * 3 + 2]; }
      }
      const isSr = sharpeFromSums(c, s, q);
      if (isSr > bestIs) {
        bestIs = isSr;
        best = v;
      }
      oos[v] = sharpeFromSums(sums[v][0] - c, sums[v][1] - s, sums[v][2] - q);
    }
    const chosen = oos[best];
    // Rank 1…N of the chosen variant out of sample; ties share the average rank.
    let less = 0;
    let equal = 0;
    for (let v = 0; v < n; v++) {
      if (v === best) continue;
      if (oos[v] < chosen) less++;
      else if (oos[v] === chosen) equal++;
    }
    const omega = (less + 1 + equal / 2) / (n + 1);
    const lambda = Math.log(omega / (1 - omega));
    logits.push(lambda);
    if (lambda <= 0) below++;
  }
  return { ...base, pbo: below / masks.length, combinations: masks.length, logits };
}

function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}
