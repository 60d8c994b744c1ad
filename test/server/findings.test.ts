import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findingsToDiagnostics } from '../../core/evaluate/code/diagnostics';
import type { Finding } from '../../core/evaluate/types';
import { EVALUATION_FINDINGS, type EvaluationFindingsParams } from '../../server/protocol';
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
