import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StrategyValidator, ValidationCancelled } from '../../core/validate/index';

const SOURCE = "import { BaseStrategy, type Bar } from 'strategy-lab';\nexport default class S extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n  onBar(bar: Bar) { this.buy(bar.symbol); }\n}\n";

test('validateAsync stops at the next phase once its token is cancelled, and a later run still works', async () => {
  const validator = new StrategyValidator();
  const token = { isCancellationRequested: false };
  const run = validator.validateAsync('/c/s.strategy.ts', token, SOURCE);
  token.isCancellationRequested = true; // the document changed before the first yield returned
  await assert.rejects(run, ValidationCancelled);
  const fresh = await validator.validateAsync('/c/s.strategy.ts', { isCancellationRequested: false }, SOURCE.replace("'AAPL'", "'MSFT'"));
  assert.deepEqual(fresh.diagnostics, []);
});

test('re-validating an edited file sees the new text (incremental project)', () => {
  const validator = new StrategyValidator();
  const name = '/c/edit.strategy.ts';
  assert.equal(validator.validate(name, SOURCE).errorCount, 0);
  const broken = SOURCE.replace('onBar(bar: Bar)', 'onBars(bar: Bar)');
  assert.deepEqual(validator.validate(name, broken).diagnostics.map((d) => d.code).sort(), ['SL021']);
  assert.equal(validator.validate(name, SOURCE).errorCount, 0);
});
