import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RULE_CODES, validateStrategySource, type StrategyDiagnostic } from '../../core/validate/index';

const fixtureDir = resolve(__dirname, '..', 'fixtures', 'validate');
const fixtures = readdirSync(fixtureDir).filter((f) => f.endsWith('.strategy.ts')).sort();

/** `// ^SL030 ^SL030` on a line: two SL030 diagnostics must start on that line. */
function expectedMarkers(source: string): string[] {
  const out: string[] = [];
  source.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(/\^(SL\d{3})/g)) out.push(`${i + 1}:${m[1]}`);
  });
  return out.sort();
}

function actual(diagnostics: StrategyDiagnostic[]): string[] {
  return diagnostics.map((d) => `${d.range.start.line + 1}:${d.code}`).sort();
}

function describe(diagnostics: StrategyDiagnostic[]): string {
  return diagnostics.map((d) => `  ${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`).join('\n');
}

test('every rule has a failing and a passing fixture', () => {
  for (const code of RULE_CODES) {
    assert.ok(fixtures.some((f) => f.startsWith(`${code}.`) && f.includes('.fail.')), `missing failing fixture for ${code}`);
    assert.ok(fixtures.some((f) => f.startsWith(`${code}.`) && f.endsWith('.pass.strategy.ts')), `missing passing fixture for ${code}`);
  }
});

for (const fixture of fixtures) {
  const code = fixture.split('.')[0];
  const failing = fixture.includes('.fail.');
  test(`${fixture}: ${failing ? `reports ${code} exactly where marked` : 'has no diagnostics'}`, () => {
    const source = readFileSync(join(fixtureDir, fixture), 'utf8');
    const result = validateStrategySource(source, fixture);
    if (failing) {
      const expected = expectedMarkers(source);
      assert.ok(expected.some((e) => e.endsWith(code)), `${fixture} marks no ${code} line`);
      assert.deepEqual(actual(result.diagnostics), expected, `diagnostics of ${fixture}:\n${describe(result.diagnostics)}`);
      for (const d of result.diagnostics) {
        assert.ok(d.length > 0 || d.code === 'SL001', `${d.code} at ${d.range.start.line + 1} has an empty range`);
        assert.match(d.message, /\S{3,}/);
      }
    } else {
      assert.deepEqual(result.diagnostics, [], `expected no diagnostics in ${fixture}:\n${describe(result.diagnostics)}`);
      assert.equal(result.errorCount, 0);
    }
  });
}
