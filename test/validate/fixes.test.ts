import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { validateStrategySource } from '../../core/validate/index';
import { applyEdits } from '../server/lspClient';

const fixtureDir = resolve(__dirname, '..', 'fixtures', 'validate');

/** Applies the first fix offered for `code` in `fixture`, re-validates, and returns the new text and result. */
function fixOnce(source: string, code: string, name: string) {
  const before = validateStrategySource(source, name);
  const diagnostic = before.diagnostics.find((d) => d.code === code && d.fixes.length);
  assert.ok(diagnostic, `no ${code} diagnostic with a fix in ${name}: ${before.diagnostics.map((d) => d.code).join(', ')}`);
  const text = applyEdits(source, diagnostic.fixes[0].edits);
  return { text, title: diagnostic.fixes[0].title, after: validateStrategySource(text, name) };
}

const cases: { fixture: string; code: string; title: RegExp; contains: RegExp }[] = [
  { fixture: 'SL010.fail.strategy.ts', code: 'SL010', title: /default/, contains: /export default class NotExported/ },
  { fixture: 'SL010.separate.fail.strategy.ts', code: 'SL010', title: /export default class Exported/, contains: /export default class Exported extends BaseStrategy \{[\s\S]*\}\n+$/ },
  { fixture: 'SL011.fail.strategy.ts', code: 'SL011', title: /Extend BaseStrategy/, contains: /class Standalone extends BaseStrategy[\s\S]*import type \{ Bar \} from 'strategy-lab';\nimport \{ BaseStrategy \} from 'strategy-lab';|import \{ BaseStrategy \} from 'strategy-lab'/ },
  { fixture: 'SL020.fail.strategy.ts', code: 'SL020', title: /onBar/, contains: /onBar\(bar: Bar\): void \{/ },
  { fixture: 'SL021.fail.strategy.ts', code: 'SL021', title: /Rename 'onstart' to 'onStart'/, contains: /\n  onStart\(\) \{/ },
  { fixture: 'SL021.bars.fail.strategy.ts', code: 'SL021', title: /Rename 'onBars' to 'onBar'/, contains: /\n  onBar\(bar: Bar\) \{/ },
  { fixture: 'SL030.missing.fail.strategy.ts', code: 'SL030', title: /SPY/, contains: /static config = \{ symbols: \['SPY'\], timeframe: '1d' \};/ },
  { fixture: 'SL040.fail.strategy.ts', code: 'SL040', title: /Remove the import of 'technicalindicators'/, contains: /^import \{ BaseStrategy, type Bar \} from 'strategy-lab';\nimport \{ helper \}/ },
  { fixture: 'SL041.fail.strategy.ts', code: 'SL041', title: /Remove the import of 'node:fs'/, contains: /^import \{ BaseStrategy, type Bar \} from 'strategy-lab';\nimport \* as cp/ },
];

for (const c of cases) {
  test(`quick fix for ${c.code} in ${c.fixture}: ${c.title}`, () => {
    const source = readFileSync(join(fixtureDir, c.fixture), 'utf8');
    const before = validateStrategySource(source, c.fixture).diagnostics.filter((d) => d.code === c.code).length;
    const { text, title, after } = fixOnce(source, c.code, c.fixture);
    assert.match(title, c.title);
    assert.match(text, c.contains);
    assert.equal(after.diagnostics.filter((d) => d.code === c.code).length, before - 1, `one ${c.code} fixed:\n${text}`);
    assert.ok(!after.diagnostics.some((d) => d.code === 'SL001'), `the fix broke the syntax:\n${text}`);
  });
}

test('SL011 fix adds BaseStrategy to an existing SDK import', () => {
  const source = "import { type Bar } from 'strategy-lab';\n\nexport default class S {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n  onBar(bar: Bar) {}\n}\n";
  const { text, after } = fixOnce(source, 'SL011', 's.strategy.ts');
  assert.match(text, /^import \{ type Bar, BaseStrategy \} from 'strategy-lab';/);
  assert.match(text, /export default class S extends BaseStrategy \{/);
  assert.deepEqual(after.diagnostics.map((d) => d.code), []);
});

test('SL020 fix on a class without members and without a Bar import compiles cleanly', () => {
  const source = "import { BaseStrategy } from 'strategy-lab';\n\nexport default class Empty extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n}\n";
  const { text, after } = fixOnce(source, 'SL020', 'e.strategy.ts');
  assert.match(text, /import \{ BaseStrategy, type Bar \} from 'strategy-lab';/);
  assert.deepEqual(after.diagnostics.map((d) => `${d.code} ${d.message}`), []);
});

test('SL030 fix without any ticker in the code says the symbol is a placeholder', () => {
  const source = "import { BaseStrategy, type Bar } from 'strategy-lab';\n\nexport default class S extends BaseStrategy {\n  onBar(bar: Bar) {\n    this.buy(bar.symbol);\n  }\n}\n";
  const { title, after } = fixOnce(source, 'SL030', 's.strategy.ts');
  assert.match(title, /placeholder/);
  assert.deepEqual(after.diagnostics, []);
});
