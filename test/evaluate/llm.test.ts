/** LLM evaluators against a local OpenAI-compatible server: valid, malformed-then-valid, malformed twice, HTTP errors, and no LLM. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chatClientFrom } from '../../core/evaluate/llm/client';
import { parseReview } from '../../core/evaluate/llm/schema';
import { evaluateStrategy } from '../../core/evaluate/pipeline';
import type { EvaluationReport } from '../../core/evaluate/types';
import { startChatServer, reviewerOf, type ChatMessage, type ChatReply, type ChatServer } from './chat-server';
import { byId, example, sampleAapl } from './helpers';

const FAST = { lookahead: { cutPoints: 1 }, robustness: { maxParams: 0 } };
const KEY = 'sk-test-evaluate-0123456789';

describe('LLM evaluators', () => {
  let server: ChatServer;
  let script: (messages: ChatMessage[]) => ChatReply;
  before(async () => {
    server = await startChatServer((m) => script(m));
  });
  after(() => server.close());

  const evaluate = (): Promise<EvaluationReport> =>
    evaluateStrategy({
      source: example('rsi-reversion'),
      series: [sampleAapl()],
      mode: 'none',
      settings: FAST,
      llm: chatClientFrom({ apiKey: KEY, settings: { baseUrl: server.url, model: 'test-model', maxRetries: 0, timeoutMs: 10_000 } }),
    });

  it('scores each review from valid JSON, sends the request, code and numbers, and maps findings to lines', async () => {
    server.requests.length = 0;
    const scores = { intent: 9, quality: 7, realism: 4 };
    script = (m) => {
      const who = reviewerOf(m) as keyof typeof scores;
      return `\`\`\`json\n${JSON.stringify({ score: scores[who], reasons: [`${who} reason`], findings: [{ line: 12, message: `${who} note` }] })}\n\`\`\``;
    };
    const report = await evaluate();
    assert.equal(server.requests.length, 3);
    const user = server.requests[0][1].content;
    assert.match(user, /Request: Buy AAPL when RSI drops below 35/);
    assert.match(user, / 12\| {5}const value = this\.rsi\.update\(bar\.close\);/);
    assert.match(user, /Backtest: AAPL .* trades/);
    for (const [id, s] of Object.entries(scores)) {
      const r = byId(report, id as 'intent');
      assert.equal(r.kind, 'llm');
      assert.equal(r.score, s / 10);
      assert.equal(r.status, s / 10 >= 0.6 ? 'passed' : 'failed');
      assert.deepEqual(r.reasons, [`${id} reason`]);
      assert.deepEqual(r.findings?.[0].anchor, { kind: 'line', line: 12 });
    }
    assert.equal(report.basedOn, report.evaluators.filter((e) => e.score !== null).length, 'the score rests on every evaluator that scored, the 3 reviews included');
    assert.doesNotMatch(JSON.stringify(report), new RegExp(KEY));
  });

  it('retries a malformed reply once and then scores the valid one', async () => {
    server.requests.length = 0;
    const seen = new Map<string, number>();
    script = (m) => {
      const who = reviewerOf(m);
      seen.set(who, (seen.get(who) ?? 0) + 1);
      if (who === 'quality' && seen.get(who) === 1) return 'Sure! The code looks fine, score 8 out of 10.';
      return JSON.stringify({ score: 8, reasons: ['fine'] });
    };
    const report = await evaluate();
    const q = byId(report, 'quality');
    assert.equal(q.status, 'passed');
    assert.equal(q.score, 0.8);
    assert.equal(q.details?.attempts, 2);
    const retry = server.requests.find((m) => reviewerOf(m) === 'quality' && m.length === 4)!;
    assert.match(retry[3].content, /not valid: no JSON object in the reply/);
    assert.equal(server.requests.length, 4);
  });

  it('reports two malformed replies as an error, not a score, and leaves it out of the overall score', async () => {
    script = (m) => (reviewerOf(m) === 'realism' ? JSON.stringify({ score: 42, reasons: ['too good'] }) : JSON.stringify({ score: 5, reasons: ['ok'] }));
    const report = await evaluate();
    const r = byId(report, 'realism');
    assert.equal(r.status, 'error');
    assert.equal(r.score, null);
    assert.match(r.reasons[0], /replied twice without valid review JSON \("score" must be a number from 0 to 10, got 42\)/);
    assert.equal(report.basedOn, report.evaluators.filter((e) => e.score !== null).length);
    assert.ok(report.evaluators.filter((e) => e.kind === 'llm' && e.score !== null).length === 2, 'the errored review is not counted');
    assert.match(report.summary, /1 errored/);
  });

  it('reports an HTTP failure as an error with what to check, never the key', async () => {
    script = (m) => (reviewerOf(m) === 'intent' ? { status: 500, body: { error: { message: `boom ${KEY}` } } } : JSON.stringify({ score: 6, reasons: ['ok'] }));
    const report = await evaluate();
    const r = byId(report, 'intent');
    assert.equal(r.status, 'error');
    assert.match(r.reasons[0], /LLM request failed: The model server failed \(500\).*Try again later/); // the generator's message (core/generate/llm/failures.ts)
    assert.doesNotMatch(r.reasons[0], new RegExp(KEY));
  });

  it('is skipped, never faked, with no LLM configured; the summary says how many evaluators the score rests on', async () => {
    const report = await evaluateStrategy({ source: example('rsi-reversion'), series: [sampleAapl()], mode: 'none', settings: FAST, llm: chatClientFrom({ apiKey: undefined }) });
    for (const id of ['intent', 'quality', 'realism'] as const) {
      const r = byId(report, id);
      assert.equal(r.status, 'skipped');
      assert.equal(r.score, null);
    }
    const scoredCount = report.evaluators.filter((e) => e.score !== null).length;
    assert.equal(report.basedOn, scoredCount);
    assert.match(report.summary, new RegExp(`from ${scoredCount} of 15 evaluators \\(3 LLM evaluators skipped: no LLM configured`));
  });
});

describe('review schema', () => {
  it('accepts fenced or bare JSON and drops pointers outside the file', () => {
    const ok = parseReview('Here: {"score": 7.5, "reasons": ["a"], "findings": [{"line": 3, "message": "x"}, {"line": 99, "message": "y"}]}', 10);
    assert.ok(ok.ok);
    assert.deepEqual(ok.reply.findings, [{ line: 3, message: 'x' }]);
  });
  for (const [text, problem] of [
    ['{"score": "8", "reasons": ["a"]}', /"score" must be a number/],
    ['{"score": 8, "reasons": []}', /"reasons" must be a list of 1 to 8/],
    ['{"score": 8, "reasons": ["a"], "findings": [{"line": "3"}]}', /integer "line"/],
    ['{"score": 8, "reasons": ["a"', /does not parse|no JSON object/],
  ] as const) {
    it(`rejects ${text}`, () => {
      const r = parseReview(text, 10);
      assert.equal(r.ok, false);
      assert.match((r as { problem: string }).problem, problem);
    });
  }
});
