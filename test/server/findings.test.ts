import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findingsToDiagnostics } from '../../core/evaluate/code/diagnostics';
import type { Finding } from '../../core/evaluate/types';
import { evaluateStrategy } from '../../core/evaluate/index';
import { summarizeEvaluation } from '../../core/history/evaluation';
import { runBacktestJob } from '../../core/history/pipeline';
import { runInThisProcess } from '../../core/run/runStrategy';
import { EVALUATION_FINDINGS, evaluationFindingsParams, type EvaluationFindingsParams } from '../../server/protocol';
import { sharedData } from '../helpers/paths';
import { repoRoot, startServer, type LspSession } from './lspClient';

let lsp: LspSession;
before(async () => {
  lsp = await startServer({ debounceMs: 5 });
});
after(async () => {
  await lsp?.stop();
});

test('evaluator findings are published on their lines while the text is unchanged, and dropped after an edit', async () => {
  const uri = 'file:///work/strategies/findings.strategy.ts';
  const source = readFileSync(join(repoRoot, 'examples/rsi-reversion.strategy.ts'), 'utf8');
  const opened = await lsp.open(uri, source);
  assert.deepEqual(opened.diagnostics, []);

  // A real finding mapped by the evaluation pipeline: "the exit never fired" points at the close() call.
  const findings = findingsToDiagnostics(source, [{ severity: 'warning', message: 'The exit condition never fired in 1,842 bars.', anchor: { kind: 'call', method: 'close' } } as Finding], 'findings.strategy.ts');
  assert.ok(findings.length >= 1, 'the finding maps to at least one line');
  const published = lsp.nextDiagnostics(uri, 1);
  void lsp.connection.sendNotification(EVALUATION_FINDINGS, { uri, source, findings } satisfies EvaluationFindingsParams);
  const withFindings = (await published).diagnostics;
  assert.equal(withFindings.length, findings.length);
  assert.equal(withFindings[0].source, 'strategy-lab-evaluate');
  assert.equal(withFindings[0].message, 'The exit condition never fired in 1,842 bars.');
  const closeLine = source.split('\n').findIndex((l) => l.includes('this.close('));
  assert.equal(withFindings[0].range.start.line, closeLine);

  // Any edit makes the lines stale: the findings go, the validator's diagnostics stay.
  const edited = lsp.nextDiagnostics(uri, 2);
  lsp.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '// edited\n' }]);
  assert.deepEqual((await edited).diagnostics, []);
});

test('a saved run\'s findings, sent as the extension sends them, appear on their lines of the source that ran', async () => {
  const uri = 'file:///work/strategies/never-exits.strategy.ts';
  // An exit that can never fire (RSI never exceeds 100): the risk evaluator puts a finding on the close() call.
  const source = readFileSync(join(repoRoot, 'examples/rsi-reversion.strategy.ts'), 'utf8').replace('sellAbove: 65', 'sellAbove: 101');
  // The run the extension makes (client/backtest.ts), with the sandbox in this process (trusted example code).
  const record = await runBacktestJob({
    source,
    file: 'strategies/never-exits.strategy.ts',
    options: { source: 'csv', from: '2014-01-01', to: '2015-12-31' },
    data: { csvPath: sharedData('AAPL_daily_1998_2021_lean.csv') },
    sandbox: { mode: 'none', run: async (req) => runInThisProcess({ ...req, mode: 'none' }) },
    evaluate: async (input, signal) => summarizeEvaluation(await evaluateStrategy({ ...input, signal }), { source: input.source, fileName: input.fileName }),
  });
  const params = evaluationFindingsParams(uri, record);
  assert.equal(params.uri, uri);
  assert.equal(params.source, source, 'the exact source that ran');
  assert.equal(params.findings.length, record.evaluation?.findings?.length);
  assert.ok(params.findings.length >= 1);

  assert.deepEqual((await lsp.open(uri, source)).diagnostics.filter((d) => d.severity === 1), []);
  const published = lsp.nextDiagnostics(uri, 1);
  void lsp.connection.sendNotification(EVALUATION_FINDINGS, params);
  const shown = (await published).diagnostics.filter((d) => d.source === 'strategy-lab-evaluate');
  assert.equal(shown.length, params.findings.length);
  const closeLine = source.split('\n').findIndex((l) => l.includes('this.close('));
  const exit = shown.find((d) => /exit condition never fired/.test(String(d.message)));
  assert.ok(exit, JSON.stringify(shown.map((d) => d.message)));
  assert.equal(exit.range.start.line, closeLine);
  assert.equal(exit.severity, 2, 'a warning');

  // The next run without findings (or without an evaluation) clears them.
  const cleared = lsp.nextDiagnostics(uri, 1);
  void lsp.connection.sendNotification(EVALUATION_FINDINGS, evaluationFindingsParams(uri, { ...record, evaluation: null }));
  assert.deepEqual((await cleared).diagnostics.filter((d) => d.source === 'strategy-lab-evaluate'), []);
});
