// The one results panel follows a run until the user opens something else in it: a run that finishes (or logs,
// or moves to its next stage) in the background never takes the panel back from a comparison or an older run
// the user opened meanwhile. The panel runs here on a fake webview: what it posts is what the webview would get.
import assert from 'node:assert/strict';
import test from 'node:test';
import type * as vscode from 'vscode';
import type { RunRecord } from '../../core/history/types';
import type { ToWebview } from '../../media/protocol';
import { ResultsPanel } from '../../client/resultsPanel';

function fakePanel() {
  const posted: ToWebview[] = [];
  let receive: (msg: unknown) => void = () => {};
  const panel = {
    title: '',
    webview: {
      postMessage: async (m: ToWebview) => { posted.push(structuredClone(m)); return true; },
      onDidReceiveMessage: (listener: (msg: unknown) => void) => { receive = listener; return { dispose() {} }; },
    },
    onDidDispose: () => ({ dispose() {} }),
    reveal: () => {},
  };
  const results = new ResultsPanel('results', panel as unknown as vscode.WebviewPanel, async () => {});
  receive({ type: 'ready' });
  posted.length = 0;
  return { results, posted, panel };
}

function record(id: string, name = 'RsiStrategy', evaluated = false): RunRecord {
  return { id, strategy: { name, file: `${name}.strategy.ts`, source: '' }, logs: [{ time: null, message: `log of ${id}` }], ...(evaluated ? { evaluation: { verdict: 'pass' } } : {}) } as unknown as RunRecord;
}

const start = (runId: string) => ({ runId, strategy: 'RsiStrategy', file: 'RsiStrategy.strategy.ts', uri: {} as vscode.Uri, startedAt: '2026-12-05T00:00:00.000Z' });
const running = (runId: string, stage: 'data' | 'sandbox' | 'evaluators') => ({ state: 'running' as const, stage, runId, strategy: 'RsiStrategy', startedAt: '2026-12-05T00:00:00.000Z' });
const lastModel = (posted: ToWebview[]) => (posted.filter((m) => m.type === 'model').at(-1) as Extract<ToWebview, { type: 'model' }>).model;

test('a run the panel follows: running, logs, results first, then the evaluated run', async () => {
  const { results, posted } = fakePanel();
  results.startRun(start('attempt-1'));
  results.setStatus(running('attempt-1', 'sandbox'));
  results.appendLog({ time: null, message: 'bar 1' });
  results.showResult('attempt-1', record('R1'));
  results.setEvaluatorProgress({ done: 1, total: 3, current: 'lookahead' });
  assert.equal(results.model.status.evaluators?.current, 'lookahead');
  assert.equal(results.finishRun('attempt-1', record('R1', 'RsiStrategy', true)), true);
  const model = lastModel(posted);
  assert.equal(model.run?.id, 'R1');
  assert.ok(model.run?.evaluation, 'the evaluated record replaced the first result');
  assert.equal(model.status.state, 'done');
  assert.ok(posted.some((m) => m.type === 'log' && m.lines.some((l) => l.message === 'bar 1')), 'the log line reached the webview');
});

test('opening a comparison while a run goes on: the run\'s stages, logs, progress and end leave it on screen', async () => {
  const { results, posted } = fakePanel();
  results.startRun(start('attempt-2'));
  results.showResult('attempt-2', record('R2'));
  // the user compares two saved runs in the panel while the evaluators of R2 run
  results.showRun(record('OLD-A', 'Macd'), record('OLD-B', 'Macd'));
  const shown = structuredClone(lastModel(posted));
  const postedBefore = posted.length;
  results.setStatus(running('attempt-2', 'evaluators'));
  results.setEvaluatorProgress({ done: 2, total: 3, current: 're-run 1 of 4' });
  results.appendLog({ time: null, message: 'late line' });
  assert.equal(results.finishRun('attempt-2', record('R2', 'RsiStrategy', true)), false, 'the panel no longer follows the run');
  assert.equal(posted.length, postedBefore, `nothing was posted after the comparison opened: ${JSON.stringify(posted.slice(postedBefore).map((m) => m.type))}`);
  assert.deepEqual(results.model, shown, 'the model is still the comparison');
  assert.equal(results.model.compareWith?.id, 'OLD-B');
  assert.equal(results.panel.title, 'Compare: Macd');
});

test('opening an older run while a run goes on keeps it; the next run is followed again', async () => {
  const { results, posted } = fakePanel();
  results.startRun(start('attempt-3'));
  results.showRun(record('OLDER'));
  results.showResult('attempt-3', record('R3'));
  assert.equal(lastModel(posted).run?.id, 'OLDER', 'the first result of the background run does not replace it');
  assert.equal(results.finishRun('attempt-3', record('R3')), false);
  results.startRun(start('attempt-4'));
  results.showResult('attempt-4', record('R4'));
  assert.equal(results.finishRun('attempt-4', record('R4', 'RsiStrategy', true)), true);
  assert.equal(lastModel(posted).run?.id, 'R4');
  // a stale attempt's end (an earlier run's late message) never replaces a newer run
  assert.equal(results.finishRun('attempt-3', record('R3')), false);
  assert.equal(results.model.run?.id, 'R4');
});

test('an error or a cancel is the run\'s outcome: shown even over what the user opened', async () => {
  const { results } = fakePanel();
  results.startRun(start('attempt-5'));
  results.showRun(record('OLD-A'), record('OLD-B'));
  results.setStatus({ state: 'error' });
  results.showError({ title: 'Backtest failed', message: 'the sandbox stopped' } as never);
  assert.equal(results.model.status.state, 'error');
  assert.equal(results.model.error?.title, 'Backtest failed');
  // and a later running status of that failed attempt is ignored
  results.setStatus(running('attempt-5', 'sandbox'));
  assert.equal(results.model.status.state, 'error');
});
