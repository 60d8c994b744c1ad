/**
 * Offline generation speed: idea → parsed spec → code → validated with the
 * project validator, for every phrasing the tests cover. Target (issue 5):
 * under 50 ms per idea including validation. The validator's one-time start
 * (TypeScript lib and SDK declarations) is reported apart: an editor or CLI
 * pays it once per process.
 *
 * Run: node scripts/bench.mjs generate
 */
import { generateOffline } from '../core/generate/offline/generateOffline';
import { parseIdea } from '../core/generate/idea/parseIdea';
import { writeStrategy } from '../core/generate/offline/writeStrategy';
import { PHRASINGS } from '../test/generate/phrasings';

const TARGET_MS = 50;
const ROUNDS = 5;

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

const ideas = PHRASINGS.map((p) => p.idea);

const t0 = performance.now();
generateOffline(ideas[0]);
const coldMs = performance.now() - t0;

const full: number[] = [];
const parseWrite: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const idea of ideas) {
    const a = performance.now();
    generateOffline(idea);
    full.push(performance.now() - a);
    const b = performance.now();
    const parsed = parseIdea(idea);
    if (parsed.ok) writeStrategy(parsed.spec);
    parseWrite.push(performance.now() - b);
  }
}

const mean = full.reduce((a, b) => a + b, 0) / full.length;
console.log(`ideas: ${ideas.length} × ${ROUNDS} rounds`);
console.log(`first call (validator start-up included): ${fmt(coldMs)}`);
console.log(`per idea, parse + write + validate: mean ${fmt(mean)}, p50 ${fmt(percentile(full, 0.5))}, p95 ${fmt(percentile(full, 0.95))}, max ${fmt(Math.max(...full))}`);
console.log(`per idea, parse + write only:       mean ${fmt(parseWrite.reduce((a, b) => a + b, 0) / parseWrite.length)}, p95 ${fmt(percentile(parseWrite, 0.95))}`);
console.log(`target ${TARGET_MS} ms per idea: p95 is ${(percentile(full, 0.95) / TARGET_MS).toFixed(2)}× the target (${percentile(full, 0.95) < TARGET_MS ? 'met' : 'NOT met'}); mean ${(mean / TARGET_MS).toFixed(2)}×`);
