/**
 * Issue 13.6: `--sandbox none` runs only code the user marked trusted (`--trust`, with a warning); generated code
 * never runs in this process unless asked for exactly that. The probe strategy reaches this process's global
 * object through the Function constructor (what a hostile strategy would do) and marks it: a refused run must
 * leave no mark.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { sharedData } from '../helpers/paths';
import { cli, withDir } from '../generate/generateCli';
import { refine } from '../../core/evaluate/refine';
import { UntrustedInProcessError } from '../../core/run/trust';

const PROBE = `import { BaseStrategy, type Bar } from 'strategy-lab';
export default class Probe extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' };
  onBar(bar: Bar) {
    const g = (this.log as any).constructor('return globalThis')();
    g.__slTrustProbe = (g.__slTrustProbe ?? 0) + 1;
    if (bar.index === 0) this.buy(bar.symbol);
  }
}
`;
const dir = mkdtempSync(join(tmpdir(), 'sl-trust-'));
const probe = join(dir, 'probe.strategy.ts');
writeFileSync(probe, PROBE);
const data = ['--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--from', '2020-01-01', '--to', '2020-03-01'];
const marks = () => (globalThis as { __slTrustProbe?: number }).__slTrustProbe;

afterEach(() => {
  delete (globalThis as { __slTrustProbe?: number }).__slTrustProbe;
});

for (const command of ['backtest', 'evaluate']) {
  test(`${command} --sandbox none without --trust refuses, says what to do, and runs nothing`, async () => {
    const r = await runCli([command, probe, ...data, '--sandbox', 'none', '--no-llm'].filter((a) => command === 'evaluate' || a !== '--no-llm'));
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Refusing to run the strategy in this process/);
    assert.match(r.stderr, /--sandbox docker \(the default\) or --sandbox process, or add --trust/);
    assert.equal(r.stdout, '');
    assert.equal(marks(), undefined, 'the strategy ran although it was refused');
  });

  test(`${command} --sandbox none --trust runs it in this process and warns`, async () => {
    const r = await runCli([command, probe, ...data, '--sandbox', 'none', '--trust', '--json', '--no-llm'].filter((a) => command === 'evaluate' || a !== '--no-llm'));
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.match(r.stderr, /warning: --sandbox none --trust: the strategy runs in this process with your permissions/);
    assert.ok((marks() ?? 0) > 0, 'the trusted strategy did not run in this process');
  });
}

test('--trust with an isolating sandbox is a usage error', async () => {
  const r = await runCli(['backtest', probe, ...data, '--sandbox', 'process', '--trust']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--trust only applies with --sandbox none/);
});

test('generate --refine --sandbox none refuses generated code without --trust', async () => {
  await withDir(async (cwd) => {
    const r = await cli(['Buy AAPL when RSI drops below 30, sell when it rises above 70', '--refine', '2', '--sandbox', 'none', ...data], cwd);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /Refusing to run generated \(model-written\) code in this process/);
    assert.doesNotMatch(r.stdout, /iteration/i);
  });
});

test('generate --refine --sandbox none --trust warns that generated code runs unisolated', async () => {
  await withDir(async (cwd) => {
    const r = await cli(['Buy AAPL when RSI drops below 30, sell when it rises above 70', '--refine', '1', '--sandbox', 'none', '--trust', ...data], cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /code written by the generator\/model runs in this process/);
  });
});

test('the refine API refuses in-process runs of generated code unless trustGeneratedCode is set', async () => {
  let loaded = false;
  const loadSeries = async () => {
    loaded = true;
    return [];
  };
  await assert.rejects(refine({ idea: 'Buy AAPL when RSI drops below 30', iterations: 1, provider: 'offline', loadSeries, mode: 'none' }), UntrustedInProcessError);
  assert.equal(loaded, false, 'nothing is done before the refusal');
});
