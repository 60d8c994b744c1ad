/** `strategy-lab evaluate`: text and JSON output, exit codes, bad input. */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { runEvaluateCommand } from '../../core/cli/commands/evaluate';
import { CliError } from '../../core/cli/io';
import { cliSandboxRunner } from '../../core/cli/sandboxArgs';
import type { SandboxRunner } from '../../core/sandbox/runner';
import { assertNoContainersLeft, requireDocker, runtimeBundle } from '../sandbox/helpers';
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
    const { code, stdout, stderr } = await run([EXAMPLE, '--sandbox', 'none', '--trust', '--source', 'sample', '--trades', '2']);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^PASS {2}Code validation/m);
    assert.match(stdout, /^PASS {2}Look-ahead check/m);
    assert.match(stdout, /^SKIP {2}Intent alignment \(LLM\)/m);
    assert.match(stdout, /Trades \(2 of \d+\):\n {2}1\. Entered \d{4}-\d{2}-\d{2} because RSI\(14\)=/);
    assert.match(stdout, /Results from \d+ of 15 evaluators \(3 LLM evaluators skipped: no LLM configured/);
    assert.doesNotMatch(stdout, /Overall \d/, 'no weighted score in the text: the verdict is the answer');
    assert.match(stderr, /no sandbox: trusted code only/);
  });

  it('--json gives the report with diagnostics on lines, on real data from --data', async () => {
    const { code, stdout } = await run([EXAMPLE, '--sandbox', 'none', '--trust', '--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--from', '2010-01-01', '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.evaluators.length, 15);
    assert.equal(report.basedOn, report.evaluators.filter((e: { score: number | null }) => e.score !== null).length);
    assert.ok(['do-not-trust', 'insufficient-evidence', 'fragile', 'weak-evidence', 'promising'].includes(report.verdict.label));
    assert.ok(report.checks.passed, 'an honest example passes every check');
    assert.ok(report.verdict.evidence.sharpeCI.low < report.verdict.evidence.sharpeCI.high);
    assert.ok(Array.isArray(report.diagnostics));
    for (const d of report.diagnostics) assert.ok(d.line >= 1 && typeof d.message === 'string');
    assert.equal(report.evaluators.find((e: { id: string }) => e.id === 'execution').details.start, '2010-01-04');
  });

  it('uses --request over the file header', async () => {
    const { stdout } = await run([EXAMPLE, '--sandbox', 'none', '--trust', '--request', 'Buy MSFT when RSI drops below 35', '--json']);
    const alignment = JSON.parse(stdout).evaluators.find((e: { id: string }) => e.id === 'alignment');
    assert.equal(alignment.status, 'failed');
    assert.match(alignment.reasons.join(' '), /ticker MSFT/);
  });

  it('exits 1 when the verdict is "do not trust" (a failed check)', async () => {
    delete (globalThis as { __evaluateFixtureCloses?: unknown }).__evaluateFixtureCloses;
    const { code, stdout } = await run([resolve(import.meta.dirname, 'fixtures', 'leaky-cache.strategy.ts'), '--sandbox', 'none', '--trust', '--trust']);
    assert.equal(code, 1);
    assert.match(stdout, /^FAIL {2}Determinism/m);
    assert.match(stdout, /state survives from one run into the next/);
    assert.match(stdout, /Do not trust these numbers: .*determinism failed/);
  });

  it('exits 0 for a result that can be believed even when the strategy is not worth trading (insufficient evidence)', async () => {
    const { code, stdout } = await run([EXAMPLE, '--sandbox', 'none', '--trust', '--json', '--from', '2020-01-01', '--to', '2020-06-30']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.verdict.label, 'insufficient-evidence');
    assert.ok(report.checks.passed);
  });

  it('takes the costs and fill options of backtest, and the trial count', async () => {
    const { code, stdout } = await run([EXAMPLE, '--sandbox', 'none', '--trust', '--json', '--commission', '0.001', '--commission-fixed', '1', '--slippage-bps', '3', '--fill', 'close', '--cash', '50000', '--trials', '40']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    const execution = report.evaluators.find((e: { id: string }) => e.id === 'execution');
    const costs = report.evaluators.find((e: { id: string }) => e.id === 'costs');
    // The run's commission (10 bps) is above the realistic 5 bps: the cost stress starts from the run's own costs.
    assert.deepEqual(costs.details.realistic, { commissionBps: 10, slippageBps: 5 });
    assert.equal(report.verdict.evidence.trials, 40 + report.evaluators.find((e: { id: string }) => e.id === 'robustness').details.reruns - 2);
    assert.ok(execution.status === 'passed');
    const integrity = report.evaluators.find((e: { id: string }) => e.id === 'integrity');
    assert.equal(integrity.status, 'passed', 'fills at the close with 3 bps slippage are what the orders allow');
    await assert.rejects(run([EXAMPLE, '--sandbox', 'none', '--trust', '--commission', 'lots']), (e: unknown) => e instanceof CliError && e.code === 2 && /--commission must be a number/.test(e.message));
    await assert.rejects(run([EXAMPLE, '--sandbox', 'none', '--trust', '--fill', 'noon']), (e: unknown) => e instanceof CliError && e.code === 2 && /fill/.test(e.message));
    await assert.rejects(run([EXAMPLE, '--sandbox', 'none', '--trust', '--trials', '0']), (e: unknown) => e instanceof CliError && e.code === 2 && /--trials must be a whole number ≥ 1/.test(e.message));
  });

  it('--set changes weights and thresholds (the strategyLab.evaluate.* names)', async () => {
    const zero = ['validation', 'execution', 'integrity', 'lookahead', 'determinism', 'risk', 'costs', 'evidence', 'toogood', 'alignment', 'conformance'].map((id) => `weights.${id}=0`).join(',');
    const { code, stdout } = await run([EXAMPLE, '--sandbox', 'none', '--trust', '--json', '--set', zero, '--set', 'lookahead.cutPoints=2', '--set', 'risk.minTrades=1000']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    const byId = Object.fromEntries(report.evaluators.map((e: { id: string }) => [e.id, e]));
    assert.equal(byId.lookahead.details.reruns, 2, '2 cuts');
    assert.equal(byId.determinism.details.reruns, 1, 'the repeat run');
    assert.equal(byId.risk.status, 'failed');
    assert.match(byId.risk.reasons.join(' '), /fewer than 1000, too few/);
    assert.equal(report.overallScore, byId.robustness.score, 'every other evaluator that ran weighs 0');
  });

  it('rejects a bad --set with the setting name, what is allowed and where the table is', async () => {
    await assert.rejects(run([EXAMPLE, '--sandbox', 'none', '--trust', '--set', 'risk.maxDrawdownPct=-30']),
      (e: unknown) => e instanceof CliError && e.code === 2 && e.message === 'Bad --set: risk.maxDrawdownPct must be a number > 0 and ≤ 100, got -30. See the settings table in docs/evaluate.md.');
    await assert.rejects(run([EXAMPLE, '--sandbox', 'none', '--trust', '--set', 'weights.risk=heavy']), (e: unknown) => e instanceof CliError && e.code === 2 && /weights\.risk must be a number ≥ 0, got "heavy"/.test(e.message));
    await assert.rejects(run([EXAMPLE, '--sandbox', 'none', '--trust', '--set', 'risk.maxDrawdown=30']), (e: unknown) => e instanceof CliError && e.code === 2 && /unknown setting 'risk\.maxDrawdown'/.test(e.message));
    await assert.rejects(run([EXAMPLE, '--sandbox', 'none', '--trust', '--set', 'weights.risk']), (e: unknown) => e instanceof CliError && e.code === 2 && /--set expects setting=value/.test(e.message));
  });

  it('--docker-host reaches the sandbox runs (an engine that is not there is named)', async () => {
    const { code, stdout } = await run([EXAMPLE, '--sandbox', 'docker', '--docker-host', 'unix:///nowhere/strategy-lab-cli.sock', '--set', 'lookahead.cutPoints=1']);
    assert.equal(code, 1, 'execution failed: the numbers cannot be trusted');
    assert.match(stdout, /^FAIL {2}Execution/m);
    assert.match(stdout, /\/nowhere\/strategy-lab-cli\.sock/);
  });

  it('in docker mode one runner built from the flags runs the backtest and every re-run', async () => {
    await requireDocker();
    await runtimeBundle();
    let built: SandboxRunner | undefined;
    let jobs = 0;
    let batches = 0;
    let variants = 0;
    const runner: typeof cliSandboxRunner = (mode, values, io, quiet) => {
      built = cliSandboxRunner(mode, values, io, quiet);
      const run = built.run.bind(built);
      built.run = (req) => { jobs++; return run(req); };
      const runBatch = built.runBatch.bind(built);
      built.runBatch = (req) => { batches++; variants += req.batch.variants.length; return runBatch(req); };
      return built;
    };
    let stdout = '';
    const code = await runEvaluateCommand([EXAMPLE, '--sandbox', 'docker', '--memory-mb', '256', '--warm', '1', '--set', 'lookahead.cutPoints=1,robustness.maxParams=0,costs.realisticCommissionBps=0,costs.realisticSlippageBps=0', '--json'],
      { stdout: (t) => (stdout += t), stderr: () => {} }, { env: {}, runner });
    assert.equal(code, 0);
    assert.equal(jobs, 1, 'the backtest');
    assert.equal(batches, 1, 'every re-run in one batched sandbox job');
    assert.equal(variants, 2 + 2, '1 cut + the repeat, the sample split (no cost stress at zero realistic costs)');
    assert.equal(built!.settings.limits?.memoryMb, 256);
    assert.equal(built!.settings.poolSize, 1);
    const report = JSON.parse(stdout);
    assert.equal(report.evaluators.find((e: { id: string }) => e.id === 'lookahead').status, 'passed');
    await built!.idle();
    await assertNoContainersLeft(await requireDocker());
  });

  it('rejects bad input with a usage error', async () => {
    await assert.rejects(run([EXAMPLE, '--sandbox', 'vm']), (e: unknown) => e instanceof CliError && e.code === 2 && /--sandbox must be one of docker, process, none/.test(e.message));
    await assert.rejects(run(['nope.strategy.ts']), (e: unknown) => e instanceof CliError && /Strategy file not found/.test(e.message));
    await assert.rejects(run([EXAMPLE, '--trades', '-1']), (e: unknown) => e instanceof CliError && e.code === 2);
    await assert.rejects(run([EXAMPLE, '--warm', '9']), (e: unknown) => e instanceof CliError && e.code === 2 && /--warm must be a whole number from 0 to 8/.test(e.message));
  });
});
