import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateStrategySource } from '../../core/validate/index';
import { readStrategyInfo } from '../../core/strategy/config';

const examplesDir = resolve(__dirname, '..', '..', 'examples');
const fixtureDir = resolve(__dirname, '..', 'fixtures', 'validate');

test('every example strategy validates with zero errors and zero warnings', () => {
  const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.strategy.ts'));
  assert.ok(examples.length > 0, `no *.strategy.ts in ${examplesDir}: the examples are missing`);
  for (const example of examples) {
    const result = validateStrategySource(readFileSync(join(examplesDir, example), 'utf8'), example);
    const problems = result.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning');
    assert.deepEqual(problems.map((d) => `${example}:${d.range.start.line + 1} ${d.code} ${d.message}`), []);
  }
});

test('whatever passes SL030 is a config the host can read before running the strategy', () => {
  const passing = readdirSync(fixtureDir).filter((f) => f.endsWith('.pass.strategy.ts'));
  assert.ok(passing.length > 10);
  for (const fixture of passing) {
    const info = readStrategyInfo(readFileSync(join(fixtureDir, fixture), 'utf8'), fixture);
    assert.ok(info.config?.symbols?.length, `${fixture}: ${info.problem}`);
    assert.ok(info.config?.timeframe, fixture);
  }
});
