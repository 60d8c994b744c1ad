import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeJsonPretty } from '../../core/report/jsonStream';

function streamed(value: unknown): { text: string; writes: number } {
  let text = '';
  let writes = 0;
  writeJsonPretty(value, (t) => {
    text += t;
    writes++;
  });
  return { text, writes };
}

/** A deterministic PRNG, so a failure names a value that can be reproduced. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth > 3 || r < 0.3) {
    const leaves = [null, true, false, 0, -0, 1.5e300, -7.25, NaN, Infinity, 'plain', 'quote " and \\ and \n and \u0001', '', undefined, new Date(Date.UTC(2020, 0, 2))];
    return leaves[Math.floor(rand() * leaves.length)];
  }
  if (r < 0.65) {
    // Large arrays hold leaves and small objects only (as a result's equity curve does), so values stay small.
    const large = depth < 2 && rand() < 0.3;
    const n = large ? 300 + Math.floor(rand() * 700) : Math.floor(rand() * 4);
    return Array.from({ length: n }, () => randomValue(rand, large ? 3 : depth + 1));
  }
  const out: Record<string, unknown> = {};
  const n = Math.floor(rand() * 5);
  for (let i = 0; i < n; i++) out[`k${i}${rand() < 0.2 ? ' "odd"' : ''}`] = randomValue(rand, depth + 1);
  if (rand() < 0.2) out.fn = () => 1;
  return out;
}

test('writeJsonPretty writes exactly what JSON.stringify(value, null, 2) does, for 300 random nested values', () => {
  const rand = prng(42);
  let split = 0;
  for (let i = 0; i < 300; i++) {
    const value = randomValue(rand, 0);
    const expected = JSON.stringify(value, null, 2);
    if (expected === undefined) continue;
    const { text } = streamed(value);
    assert.equal(text, expected, `value #${i}`);
    if (/\n {2,}/.test(expected) && JSON.stringify(value).length > 3000) split++;
  }
  assert.ok(split > 10, `the random values must include many large arrays (got ${split})`);
});

test('writeJsonPretty writes a result shaped like a backtest with 600 k equity points in 1 MB pieces', () => {
  const n = 600_000;
  const equity = { length: n } as unknown[];
  const result = { metrics: { sharpe: 1.2, trades: 3 }, equity: Array.from(equity, (_, i) => ({ time: 1e12 + i * 60_000, equity: 10_000 + i / 7, drawdownPct: -(i % 13) })) };
  const pieces: string[] = [];
  writeJsonPretty(result, (t) => pieces.push(t));
  const bytes = pieces.reduce((n, p) => n + p.length, 0);
  assert.ok(pieces.length >= Math.floor(bytes / (1 << 20)) && pieces.length > 20, `written in ~1 MB pieces (${pieces.length} writes for ${bytes} characters)`);
  assert.ok(Math.max(...pieces.map((p) => p.length)) < 2 << 20, 'no piece is much larger than 1 MB');
  assert.equal(pieces.join(''), JSON.stringify(result, null, 2));
});
