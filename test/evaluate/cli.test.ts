/** `strategy-lab evaluate`: text and JSON output, exit codes, bad input. */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runEvaluateCommand } from '../../core/cli/commands/evaluate';
import { CliError } from '../../core/cli/io';
import { repoRoot, sharedData } from '../helpers/paths';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runEvaluateCommand(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { env: {} });
  return { code, stdout, stderr };
}

const EXAMPLE = resolve(repoRoot, 'examples', 'rsi-reversion.strategy.ts');

describe('strategy-lab evaluate', () => {
  it('prints every evaluator, per-trade reasons and the overall score', async () => {
    const { code, stdout, stderr } = await run([EXAMPLE, '--sandbox', 'none', '--source', 'sample', '--trades', '2']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^PASS {2}Code validation/m);
    assert.match(stdout, /^PASS {2}Look-ahead check/m);
    assert.match(stdout, /^SKIP {2}Intent alignment \(LLM\)/m);
    assert.match(stdout, /Trades \(2 of \d+\):\n {2}1\. Entered \d{4}-\d{2}-\d{2} because RSI\(14\)=/);
    assert.match(stdout, /Overall \d\.\d\d from 8 of 11 evaluators \(3 LLM evaluators skipped: no LLM configured\)\./);
    assert.match(stderr, /no sandbox: trusted code only/);
  });

  it('--json gives the report with diagnostics on lines, on real data from --data', async () => {
    const { code, stdout } = await run([EXAMPLE, '--sandbox', 'none', '--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--from', '2010-01-01', '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.evaluators.length, 11);
    assert.equal(report.basedOn, 8);
    assert.ok(Array.isArray(report.diagnostics));
    for (const d of report.diagnostics) assert.ok(d.line >= 1 && typeof d.message === 'string');
    assert.equal(report.evaluators.find((e: { id: string }) => e.id === 'execution').details.start, '2010-01-04');
  });

  it('uses --request over the file header', async () => {
    const { stdout } = await run([EXAMPLE, '--sandbox', 'none', '--request', 'Buy MSFT when RSI drops below 35', '--json']);
    const alignment = JSON.parse(stdout).evaluators.find((e: { id: string }) => e.id === 'alignment');
    assert.equal(alignment.status, 'failed');
    assert.match(alignment.reasons.join(' '), /ticker MSFT/);
  });

  it('exits 1 when a critical evaluator fails', async () => {
    delete (globalThis as { __evaluateFixtureCloses?: unknown }).__evaluateFixtureCloses;
    const { code, stdout } = await run([resolve(import.meta.dirname, 'fixtures', 'leaky-cache.strategy.ts'), '--sandbox', 'none']);
    assert.equal(code, 1);
    assert.match(stdout, /^FAIL {2}Look-ahead check/m);
    assert.match(stdout, /Do not trust these numbers: .*lookahead failed/);
  });

  it('rejects bad input with a usage error', async () => {
    await assert.rejects(run([EXAMPLE, '--sandbox', 'vm']), (e: unknown) => e instanceof CliError && e.code === 2 && /--sandbox must be one of docker, process, none/.test(e.message));
    await assert.rejects(run(['nope.strategy.ts']), (e: unknown) => e instanceof CliError && /Strategy file not found/.test(e.message));
    await assert.rejects(run([EXAMPLE, '--trades', '-1']), (e: unknown) => e instanceof CliError && e.code === 2);
  });
});
