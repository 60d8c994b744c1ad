import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { computeMetrics, METRIC_DEFINITIONS } from '../../core/metrics';
import { repoRoot } from '../helpers/paths';

const fields = Object.keys(computeMetrics({
  time: Float64Array.from([0, 86_400_000]), equity: Float64Array.from([1, 2]), benchmark: Float64Array.from([1, 2]),
  trades: [], commissionsPaid: 0,
})).sort();

test('every field computeMetrics returns has a one-line definition, and no definition is for a field that does not exist', () => {
  assert.deepEqual(Object.keys(METRIC_DEFINITIONS).sort(), fields);
  for (const [key, text] of Object.entries(METRIC_DEFINITIONS)) assert.ok(text.length > 10 && text.endsWith('.'), key);
});

test('docs/metrics.md defines every field (as **field**)', () => {
  const doc = readFileSync(resolve(repoRoot, 'docs', 'metrics.md'), 'utf8');
  const missing = fields.filter((key) => !doc.includes(`**${key}**`));
  assert.deepEqual(missing, []);
});
