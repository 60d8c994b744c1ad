/** The refine loop end to end: offline (deterministic adjustments, said in words) and through a local OpenAI-compatible server. */
import { namesForIdea } from '../../core/generate/naming';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleSeries } from '../../core/data/sample';
import { adjustSpec } from '../../core/evaluate/adjust';
import { chatClientFrom } from '../../core/evaluate/llm/client';
import { refine, type RefineEvent } from '../../core/evaluate/refine';
import { judgeCandidate } from '../../core/evaluate/refineObjective';
import { stripRequestHeader as stripRequestHeaderForTest } from '../../core/generate/header';
import { generateOffline, readRequestFromSource } from '../../core/generate/index';
import { reviewerOf, startChatServer, type ChatServer } from './chat-server';

const loadSeries = async (symbols: string[]) => symbols.map((s) => sampleSeries(s));
const FAST = { lookahead: { cutPoints: 1 }, robustness: { maxParams: 1 } };
const STRICT = 'Buy AAPL when RSI drops below 10, sell when it rises above 90';

describe('refine loop, offline', () => {
  it('relaxes thresholds when nothing traded, says what it changed, keeps every iteration and returns the last kept one', async () => {
    const events: RefineEvent[] = [];
    const r = await refine({ idea: STRICT, iterations: 6, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true, settings: FAST, onEvent: (e) => events.push(e) });
    assert.ok(r.iterations.length >= 3);
    const [first, second] = r.iterations;
    assert.equal(first.report!.evaluators.find((e) => e.id === 'risk')!.details!.checks instanceof Array, true);
    assert.equal(first.changes.length, 0);
    assert.match(first.source, /entryRsiBelow: 10,/);
    assert.deepEqual(second.changes, ['entry: RSI(14) < 10 → RSI(14) < 15 (nothing traded)']);
    assert.match(second.source, /entryRsiBelow: 15,/);
    // Every iteration keeps the user's request as its header.
    for (const it of r.iterations) assert.equal(readRequestFromSource(it.source), STRICT);
    // The loop's rule, whatever the pipeline's verdicts: each iteration after the baseline is kept exactly when
    // judgeCandidate says so against the kept one before it, and the best is the last kept one.
    let kept = first;
    assert.equal(first.decision.kept, true);
    for (const it of r.iterations.slice(1)) {
      assert.deepEqual(it.decision, judgeCandidate(it, kept), `iteration ${it.iteration}`);
      if (it.decision.kept) kept = it;
    }
    assert.equal(r.best, kept);
    assert.deepEqual(second.aimResults.map((a) => a.flaw), ['too few trades (nothing traded)']);
    assert.match(r.stoppedBecause, /nothing left to adjust|ran all|reached the verdict/);
    assert.equal(events.filter((e) => e.type === 'scored').length, r.iterations.length);
  });

  it('adds a stop-loss when the drawdown is beyond the limit and there is none', () => {
    const spec = generateOffline('Buy AAPL when RSI drops below 35, sell when it rises above 65').spec!;
    const report = { evaluators: [{ id: 'risk', details: { checks: [{ name: 'trades', ok: true, value: 9 }, { name: 'max drawdown', ok: false, value: 52 }] } }], findings: [] } as never;
    const a = adjustSpec(spec, report);
    assert.equal(a.spec.risk.stopLossPct, 8);
    assert.deepEqual(a.changes, ['risk: added a 8% stop-loss (max drawdown −52.0% was beyond the limit and there was no stop)']);
    assert.deepEqual(a.aims, [{ flaw: 'a drawdown beyond the limit (−52.0%)', target: { kind: 'risk-check', name: 'max drawdown' } }]);
    assert.equal(spec.risk.stopLossPct, undefined, 'the input spec is not modified');
  });

  it('rejects a bad iteration count', async () => {
    await assert.rejects(refine({ idea: STRICT, iterations: 0, provider: 'offline', loadSeries, mode: 'none', trustGeneratedCode: true }), /whole number of iterations ≥ 1/);
  });
});

describe('refine loop through a local OpenAI-compatible server', () => {
  let server: ChatServer;
  const strictCode = stripRequestHeaderForTest(generateOffline('Buy AAPL when RSI drops below 5, sell when it rises above 65').source);
  const looseCode = stripRequestHeaderForTest(generateOffline('Buy AAPL when RSI drops below 35, sell when it rises above 65').source);
  before(async () => {
    server = await startChatServer((messages) => {
      if (reviewerOf(messages) !== 'generate') return JSON.stringify({ score: 8, reasons: ['reviewed'] });
      const asked = messages[messages.length - 1].content;
      // First generation: too strict; once told about zero trades, a looser version.
      return `\`\`\`ts\n${/Zero trades/.test(asked) ? looseCode : strictCode}\`\`\``;
    });
  });
  after(() => server.close());

  it('feeds the findings back to the model, aims at what failed, and keeps the second version only by the verdict rule', async () => {
    const llm = { baseUrl: server.url, model: 'test-model', maxRetries: 0, timeoutMs: 10_000 };
    const idea = 'Buy AAPL when RSI is low, sell when it is high';
    const r = await refine({
      idea,
      iterations: 2,
      provider: 'openai',
      apiKey: 'sk-test-refine-000000',
      llm,
      judge: chatClientFrom({ apiKey: 'sk-test-refine-000000', settings: llm }),
      loadSeries,
      mode: 'none',
      trustGeneratedCode: true,
      settings: FAST,
    });
    assert.equal(r.iterations.length, 2);
    const generates = server.requests.filter((m) => reviewerOf(m) === 'generate');
    assert.equal(generates.length, 2);
    const feedback = generates[1][generates[1].length - 1].content;
    assert.match(feedback, /Zero trades/);
    assert.match(feedback, /line \d+: The entry condition never fired in 2,588 bars/);
    assert.match(feedback, /The previous code:[\s\S]*entryRsiBelow: 5,/);
    // The class is named from the user's request, never from the findings appended to it.
    assert.equal(feedback, `Request: ${idea}\n\n${r.iterations[1].feedback}\nName the default-exported class ${namesForIdea(idea).className}.`);
    assert.doesNotMatch(namesForIdea(idea).className, /Your|Previous/);
    assert.deepEqual(r.iterations[1].decision, judgeCandidate(r.iterations[1], r.iterations[0]));
    assert.equal(r.best, r.iterations[1].decision.kept ? r.iterations[1] : r.iterations[0]);
    assert.match(r.iterations[1].source, /entryRsiBelow: 35,/);
    // The regeneration aimed at every evaluator that failed in iteration 1 (risk: zero trades among them).
    const failedFirst = r.iterations[0].report!.evaluators.filter((e) => e.status === 'failed').map((e) => `${e.name} failing`);
    assert.ok(failedFirst.length > 0);
    assert.deepEqual(r.iterations[1].aimResults.map((a) => a.flaw).slice(0, failedFirst.length), failedFirst);
    assert.match(r.iterations[0].source, /entryRsiBelow: 5,/);
    for (const it of r.iterations) assert.equal(readRequestFromSource(it.source), idea, 'the header holds the request, not the feedback');
    const llmScores = r.iterations[1].report!.evaluators.filter((e) => e.kind === 'llm').map((e) => e.score);
    assert.deepEqual(llmScores, [0.8, 0.8, 0.8]);
  });
});
