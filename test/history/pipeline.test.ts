import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { describeError } from '../../core/history/describeError';
import { PipelineError, STAGES, runBacktestJob, type BacktestJob, type SandboxRun } from '../../core/history/pipeline';
import { dockerUnavailable } from '../../core/sandbox/docker-client';
import { runInThisProcess } from '../../core/run/runStrategy';
import type { RunRecord } from '../../core/history/types';
import { repoRoot, sharedData } from '../helpers/paths';

const inProcess: SandboxRun = async ({ compiled, series, options, onLog, signal }) => runInThisProcess({ compiled, series, options, onLog, signal, mode: 'none' });

async function job(overrides: Partial<BacktestJob> = {}): Promise<BacktestJob> {
  return {
    source: await readFile(resolve(repoRoot, 'examples/rsi-reversion.strategy.ts'), 'utf8'),
    file: 'examples/rsi-reversion.strategy.ts',
    options: { source: 'csv', from: '2014-01-01', to: '2015-12-31', cash: 5000 },
    data: { csvPath: sharedData('AAPL_daily_1998_2021_lean.csv') },
    sandbox: { mode: 'none', run: inProcess },
    ...overrides,
  };
}

test('runs data → compile → sandbox → metrics → evaluators and returns a complete record', async () => {
  const stages: string[] = [];
  const record = await runBacktestJob({ ...(await job()), onStage: (s) => stages.push(s) });
  assert.deepEqual(stages, [...STAGES]);
  assert.equal(record.strategy.name, 'AaplRsiReversion');
  assert.equal(record.data.start, '2014-01-02');
  assert.equal(record.data.end, '2015-12-31');
  assert.equal(record.result.run.options.cash, 5000);
  assert.equal(record.sandbox.mode, 'none');
  assert.equal(record.evaluation, null, 'no evaluation pipeline given: no evaluation, not a fake one');
  assert.equal(record.chart.candles[0].symbol, 'AAPL');
});

test('strategy log lines stream while it runs and are saved with bar times', async () => {
  const source = (await readFile(resolve(repoRoot, 'examples/rsi-reversion.strategy.ts'), 'utf8'))
    .replace('if (value === undefined) return;', 'if (value === undefined) return;\n    if (bar.index % 100 === 0) this.log(`rsi ${value.toFixed(1)}`);');
  const streamed: string[] = [];
  const record = await runBacktestJob({ ...(await job({ source })), onLog: (l) => streamed.push(`${l.time} ${l.message}`) });
  assert.ok(streamed.length >= 4, streamed.join('\n'));
  assert.deepEqual(record.logs.map((l) => `${l.time} ${l.message}`), streamed);
  assert.match(streamed[0], /^\d{4}-\d{2}-\d{2} rsi \d+\.\d$/);
});

test('evaluation results are attached when an evaluation pipeline is given', async () => {
  const record = await runBacktestJob({
    ...(await job()),
    evaluate: async ({ result }) => ({ overallScore: null, basedOn: 0, evaluators: [{ id: 'trades', kind: 'deterministic', status: 'skipped', score: null, reasons: [`${result.trades.length} trades`] }] }),
  });
  assert.equal(record.evaluation?.evaluators[0].reasons[0], `${record.result.trades.length} trades`);
  // the evaluation sees the run's own options, mode and compiled code
  const seen: unknown[] = [];
  await runBacktestJob({ ...(await job()), evaluate: async (input) => { seen.push([input.options.cash, input.mode, input.fileName, typeof input.compiled.js]); return null; } });
  assert.deepEqual(seen, [[5000, 'none', 'rsi-reversion.strategy.ts', 'string']]);
});

test('an aborted run stops before the sandbox and says it was cancelled', async () => {
  const controller = new AbortController();
  let sandboxCalled = false;
  const run: SandboxRun = async (req) => { sandboxCalled = true; return inProcess(req); };
  const err = await runBacktestJob({ ...(await job({ sandbox: { mode: 'none', run } })), signal: controller.signal, onStage: (s) => { if (s === 'compile') controller.abort(); } }).catch((e) => e);
  assert.equal(sandboxCalled, false);
  assert.equal(describeError(err).title, 'Backtest cancelled');
});

test('a strategy without a literal config is refused before any code runs, with what to write', async () => {
  const err = await runBacktestJob(await job({ source: 'export default class X { onBar() {} }' })).catch((e) => e);
  assert.ok(err instanceof PipelineError);
  const shown = describeError(err);
  assert.equal(shown.title, 'Could not load the price data');
  assert.match(shown.hint ?? '', /static config = \{ symbols/);
});

test('data, compile and runtime errors each get their own title and next step', async () => {
  const data = describeError(await runBacktestJob(await job({ options: { source: 'csv', from: '1990-01-01', to: '1990-12-31' } })).catch((e) => e));
  assert.equal(data.title, 'Could not load the price data');
  assert.match(data.message, /no bars between/);
  const source = (await readFile(resolve(repoRoot, 'examples/rsi-reversion.strategy.ts'), 'utf8'));
  const compile = describeError(await runBacktestJob(await job({ source: source.replace('onBar(bar: Bar) {', 'onBar(bar: Bar) {{') })).catch((e) => e));
  assert.equal(compile.title, 'The strategy does not compile');
  const runtime = describeError(await runBacktestJob(await job({ source: source.replace('const value = ', 'if (bar.index === 50) throw new Error("boom at 50");\n    const value = ') })).catch((e) => e));
  assert.equal(runtime.title, 'The strategy failed');
  assert.match(runtime.message, /boom at 50/);
});

test('Docker being down reads as such, in editor words, with Open Settings (at the setting), the doctor and process mode as buttons', () => {
  const err = dockerUnavailable(Object.assign(new Error('connect ENOENT /nowhere/docker.sock'), { code: 'ENOENT' }), { host: 'unix:///nowhere/docker.sock' });
  assert.match(err.message, /--sandbox process/, 'the CLI keeps its advice');
  const shown = describeError(err);
  assert.equal(shown.title, 'Docker is not running');
  assert.match(shown.message, /no Docker engine socket at unix:\/\/\/nowhere/);
  assert.deepEqual(shown.actions?.map((a) => a.label), ['Open Settings', 'Run Sandbox Doctor', 'Use process mode', 'Run again']);
  assert.equal(shown.actions?.[0].setting, 'strategyLab.sandbox.mode');
  // No CLI flags or repository paths in what the editor shows.
  for (const text of [shown.message, shown.hint ?? '']) assert.doesNotMatch(text, /--sandbox|scripts\/|setup-docker/, text);
});

test('a real evaluation report becomes the saved evaluation (in-process re-runs: trusted example code only)', async () => {
  const { evaluateStrategy } = await import('../../core/evaluate/index');
  const { summarizeEvaluation } = await import('../../core/history/evaluation');
  const record = await runBacktestJob({
    ...(await job()),
    evaluate: async (input, signal) => summarizeEvaluation(await evaluateStrategy({ ...input, signal })),
  });
  const evaluation = record.evaluation!;
  assert.ok(evaluation.evaluators.length >= 8, `${evaluation.evaluators.length} evaluators`);
  const llm = evaluation.evaluators.filter((e) => e.kind === 'llm');
  assert.ok(llm.length > 0 && llm.every((e) => e.status === 'skipped' && e.score === null), 'no LLM configured: LLM evaluators are skipped, not scored');
  const ran = evaluation.evaluators.filter((e) => e.score !== null);
  assert.equal(evaluation.basedOn, ran.length);
  assert.ok(evaluation.overallScore !== null && evaluation.overallScore >= 0 && evaluation.overallScore <= 1);
  assert.equal(evaluation.evaluators.find((e) => e.id === 'lookahead')?.status, 'passed', 'the RSI example does not look ahead');
  // The two answers are saved with the run, as the report had them (plain JSON: they survive the round trip).
  assert.ok(evaluation.checks?.passed, JSON.stringify(evaluation.checks));
  assert.deepEqual(evaluation.checks!.items.map((i) => i.id), ['validation', 'execution', 'integrity', 'lookahead', 'determinism']);
  assert.ok(evaluation.verdict && evaluation.verdict.reasons.length > 0);
  assert.equal(evaluation.verdict.title, { 'do-not-trust': 'Do not trust', 'insufficient-evidence': 'Insufficient evidence', fragile: 'Fragile', 'weak-evidence': 'Weak evidence', promising: 'Promising' }[evaluation.verdict.label]);
  assert.deepEqual(JSON.parse(JSON.stringify(evaluation.verdict)), evaluation.verdict);
});

test('offline runs say so in the saved record: the cached range the bars come from is in data.note', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { DataError } = await import('../../core/data/errors');
  const { SampleProvider } = await import('../../core/data/sample');
  const cacheDir = mkdtempSync(resolve(tmpdir(), 'sl-pipeline-offline-'));
  const sample = new SampleProvider();
  let online = true;
  const yahoo = { id: 'yahoo', fetch: (r: Parameters<InstanceType<typeof SampleProvider>['fetch']>[0]) => (online ? sample.fetch(r) : Promise.reject(new DataError('network', 'Cannot reach Yahoo Finance.'))) };
  const logged: string[] = [];
  const base = await job({ data: { cacheDir, providers: { yahoo }, onWarning: (m) => logged.push(m) } });
  await runBacktestJob({ ...base, options: { source: 'yahoo', from: '2018-01-01', to: '2019-12-31' } });
  online = false;
  const record = await runBacktestJob({ ...base, options: { source: 'yahoo', from: '2018-06-01', to: '2020-12-31' } });
  assert.equal(record.data.end, '2019-12-31', 'the run got the cached bars only');
  assert.match(record.data.note ?? '', /Offline: Cannot reach Yahoo Finance\. Using the cached AAPL 1d bars \(yahoo\) from 2018-01-02 … 2019-12-31/);
  assert.equal(logged.length, 1, 'and the caller was told');
});

test('the request comes from the file\'s // Request: header when the job names none; a request given wins', async () => {
  const base = await job();
  const header = 'Buy AAPL when RSI drops below 35, sell when it rises above 65';
  assert.ok(base.source.startsWith(`// Request: ${header}\n`), 'the example keeps its request in the header');
  const seen: (string | undefined)[] = [];
  const evaluate: BacktestJob['evaluate'] = async (input) => { seen.push(input.request); return null; };
  const fromHeader = await runBacktestJob({ ...base, evaluate });
  assert.equal(fromHeader.strategy.request, header, 'saved with the run');
  const given = await runBacktestJob({ ...base, evaluate, request: 'Buy AAPL when RSI drops below 30' });
  assert.equal(given.strategy.request, 'Buy AAPL when RSI drops below 30');
  const none = await runBacktestJob({ ...base, evaluate, source: base.source.split('\n').slice(1).join('\n') });
  assert.equal('request' in none.strategy, false, 'no header, no request: none is made up');
  assert.deepEqual(seen, [header, 'Buy AAPL when RSI drops below 30', undefined], 'the evaluators get the same request');
});

test('the saved evaluation keeps each finding on its line of the source that ran, and old runs without findings still load', async () => {
  const { evaluateStrategy } = await import('../../core/evaluate/index');
  const { summarizeEvaluation } = await import('../../core/history/evaluation');
  const { RunStore } = await import('../../core/history/store');
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  // An exit that can never fire (RSI never exceeds 100): the risk evaluator says so, on the close() call.
  const source = (await job()).source.replace('sellAbove: 65', 'sellAbove: 101');
  const record = await runBacktestJob({
    ...(await job({ source })),
    evaluate: async (input, signal) => summarizeEvaluation(await evaluateStrategy({ ...input, signal }), { source: input.source, fileName: input.fileName }),
  });
  const findings = record.evaluation?.findings ?? [];
  const closeLine = source.split('\n').findIndex((l) => l.includes('this.close(')) + 1;
  const exit = findings.find((f) => f.evaluator === 'risk' && /exit condition never fired in \d+ bars/.test(f.message));
  assert.ok(exit, JSON.stringify(findings));
  assert.equal(exit.line, closeLine);
  assert.equal(exit.range.start.line, closeLine - 1);
  assert.equal(source.split('\n')[exit.range.start.line].slice(exit.range.start.character, exit.range.end.character), 'this.close(bar.symbol)');
  assert.deepEqual(findings.map((f) => f.line), [...findings.map((f) => f.line)].sort((a, b) => a - b), 'in line order');
  // without the source there is nothing to put findings on: none are kept
  assert.equal('findings' in summarizeEvaluation(await evaluateStrategy({ source, series: [], mode: 'none' })), false);

  const store = new RunStore(await mkdtemp(resolve(tmpdir(), 'sl-findings-')));
  await store.save(record);
  assert.deepEqual((await store.load(record.id)).evaluation?.findings, findings, 'saved and loaded with the run');
  // A run saved before findings were kept (same schema, no `findings`) loads as it is.
  const old = { ...record, id: `${record.id.slice(0, -4)}old0`, evaluation: { ...record.evaluation!, findings: undefined } };
  await store.save(JSON.parse(JSON.stringify(old)));
  const loaded = await store.load(old.id);
  assert.equal(loaded.evaluation?.findings, undefined);
  assert.equal(loaded.evaluation?.overallScore, record.evaluation?.overallScore);
});

test('results first: the record reaches onResult (no evaluation yet) before the evaluators start, and is the one returned', async () => {
  const order: string[] = [];
  let early: RunRecord | undefined;
  const record = await runBacktestJob({
    ...(await job()),
    onStage: (s) => order.push(`stage:${s}`),
    onResult: (r) => { early = r; order.push(`result:${r.evaluation === null ? 'no evaluation' : 'evaluated'}`); },
    evaluate: async ({ result }) => { order.push('evaluate'); return { overallScore: null, basedOn: 0, evaluators: [{ id: 'trades', kind: 'deterministic', status: 'skipped', score: null, reasons: [`${result.trades.length} trades`] }] }; },
  });
  assert.deepEqual(order, ['stage:data', 'stage:compile', 'stage:sandbox', 'stage:metrics', 'result:no evaluation', 'stage:evaluators', 'evaluate']);
  assert.equal(early, record, 'the same record: the evaluation fills in the one the panel already shows');
  assert.equal(record.evaluation?.evaluators[0].id, 'trades');
});

test('the evaluation reports "n of N" steps that count up to every evaluator, re-runs included', async () => {
  const { evaluateStrategy } = await import('../../core/evaluate/index');
  const { summarizeEvaluation } = await import('../../core/history/evaluation');
  const steps: { done: number; total: number; current: string }[] = [];
  const record = await runBacktestJob({
    ...(await job()),
    evaluate: async (input, signal) => summarizeEvaluation(await evaluateStrategy({ ...input, signal, onStep: (s) => steps.push(s) })),
  });
  const total = record.evaluation!.evaluators.length;
  assert.ok(steps.length > 3, JSON.stringify(steps));
  assert.ok(steps.every((s) => s.total === total), `every step counts against all ${total} evaluators: ${JSON.stringify(steps.map((s) => s.total))}`);
  assert.deepEqual(steps.at(-1), { done: total, total, current: 'done' });
  const dones = steps.map((s) => s.done);
  assert.deepEqual(dones, [...dones].sort((a, b) => a - b), 'the count never goes back');
  const reruns = steps.filter((s) => /^re-run \d+ of \d+/.test(s.current));
  assert.ok(reruns.length > 0, 'each re-run is a step');
  const last = reruns.at(-1)!.current.match(/^re-run (\d+) of (\d+)/)!;
  assert.equal(last[1], last[2], 'the last re-run step says all of them ended');
});
