import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateStrategy, GenerateError, readRequestFromSource, type GenerateEvent, type GenerateErrorKind, type LlmSettings } from '../../core/generate/index';
import { checkStrategySource } from '../../core/generate/check';
import { startFakeOpenAI, type Step } from './fakeOpenAI';
import { BAD_CODE, GOOD_CODE, fenced } from './modelReplies';

const KEY = 'sk-test-SECRET-0123456789abcdef';
const IDEA = 'Buy AAPL when the 10-day SMA is above the 30-day SMA, sell when it is below';

/** Settings for fast tests: tiny backoff and timeout. */
const FAST: Partial<LlmSettings> = { model: 'test-model', retryBaseMs: 1, timeoutMs: 5_000, maxAttempts: 3, maxRetries: 3 };

async function run(script: Step[], settings: Partial<LlmSettings> = {}, signal?: AbortSignal) {
  const server = await startFakeOpenAI(script);
  const events: GenerateEvent[] = [];
  try {
    const result = await generateStrategy(IDEA, {
      provider: 'openai',
      apiKey: KEY,
      llm: { ...FAST, ...settings, baseUrl: server.baseUrl },
      onEvent: (e) => events.push(e),
      signal,
    }).then(
      (value) => ({ value, error: undefined }),
      (error: unknown) => ({ value: undefined, error }),
    );
    return { ...result, events, requests: server.requests };
  } finally {
    await server.close();
  }
}

function assertFails(error: unknown, kind: GenerateErrorKind, message: RegExp): GenerateError {
  assert.ok(error instanceof GenerateError, `expected a GenerateError, got ${String(error)}`);
  assert.equal(error.kind, kind, error.message);
  assert.match(error.message, message);
  assert.ok(!error.message.includes(KEY) && !error.message.includes('SECRET'), 'the key is not in the message');
  return error;
}

for (const stream of [false, true]) {
  const mode = stream ? 'streaming' : 'non-streaming';

  test(`openai (${mode}): a good reply is extracted, validated and headed with the request`, async () => {
    const { value, error, events, requests } = await run([{ reply: fenced(GOOD_CODE) }], { stream });
    assert.equal(error, undefined);
    assert.ok(value);
    assert.equal(value.provider, 'openai');
    assert.equal(value.attempts, 1);
    assert.equal(readRequestFromSource(value.source), IDEA);
    assert.ok(value.source.includes('class ModelSmaTrend extends BaseStrategy'));
    assert.deepEqual(checkStrategySource(value.source).errors, []);
    assert.equal(requests.length, 1);
    const req = requests[0];
    assert.equal(req.path, '/v1/chat/completions');
    assert.equal(req.headers.authorization, `Bearer ${KEY}`);
    assert.equal(req.body.model, 'test-model');
    assert.equal(req.body.stream === true, stream);
    const system = req.body.messages[0].content;
    assert.match(system, /declare module 'strategy-lab'/, 'the prompt carries the SDK .d.ts');
    assert.match(system, /SL030/, 'the prompt carries the validation rules');
    assert.match(system, /extends BaseStrategy/, 'the prompt carries an example');
    assert.ok(req.body.messages.at(-1)!.content.includes(IDEA));
    if (stream) assert.ok(events.some((e) => e.type === 'receiving' && e.chars > 0), 'streaming reports progress');
    assert.ok(events.some((e) => e.type === 'valid'));
  });

  test(`openai (${mode}): invalid code is repaired on the second attempt`, async () => {
    const { value, error, events, requests } = await run([{ reply: fenced(BAD_CODE) }, { reply: fenced(GOOD_CODE) }], { stream });
    assert.equal(error, undefined);
    assert.equal(value!.attempts, 2);
    assert.ok(!value!.source.includes('purchase'));
    assert.equal(requests.length, 2);
    const repair = requests[1].body.messages;
    assert.equal(repair.at(-2)!.role, 'assistant');
    assert.ok(repair.at(-2)!.content.includes('this.purchase'), 'the bad reply is sent back');
    assert.match(repair.at(-1)!.content, /SL002.*purchase/, "the validator's error is sent back");
    const invalid = events.find((e) => e.type === 'invalid');
    assert.ok(invalid && invalid.type === 'invalid' && invalid.attempt === 1 && invalid.problems.length > 0);
    assert.deepEqual(events.filter((e) => e.type === 'attempt').map((e) => (e as { attempt: number }).attempt), [1, 2], 'the user sees each attempt');
  });
}

test('openai: code that never validates fails clearly after the attempt limit (default 3)', async () => {
  const { error, requests } = await run([{ reply: fenced(BAD_CODE) }], { maxAttempts: undefined });
  const e = assertFails(error, 'invalid-code', /after 3 attempt\(s\)[\s\S]*purchase/);
  assert.ok(e.details?.problems?.length);
  assert.equal(requests.length, 3);
});

test('openai: the attempt limit is configurable', async () => {
  const { error, requests } = await run([{ reply: fenced(BAD_CODE) }], { maxAttempts: 2 });
  assertFails(error, 'invalid-code', /after 2 attempt/);
  assert.equal(requests.length, 2);
});

test('openai: 429 is retried with backoff, then succeeds', async () => {
  const { value, error, events, requests } = await run([{ status: 429, error: 'Rate limit reached' }, { status: 429 }, { reply: fenced(GOOD_CODE) }]);
  assert.equal(error, undefined);
  assert.equal(value!.attempts, 1, 'retries of one request are not repair attempts');
  assert.equal(requests.length, 3);
  const retries = events.filter((e) => e.type === 'retrying');
  assert.equal(retries.length, 2);
  assert.deepEqual(retries.map((e) => (e as { delayMs: number }).delayMs), [1, 2], 'exponential backoff from retryBaseMs');
});

test('openai: a Retry-After hint sets the delay', async () => {
  const { error, events } = await run([{ status: 429, headers: { 'retry-after-ms': '7' } }, { reply: fenced(GOOD_CODE) }]);
  assert.equal(error, undefined);
  assert.equal((events.find((e) => e.type === 'retrying') as { delayMs: number }).delayMs, 7);
});

test('openai: 429 that never clears fails with its own message after the retries', async () => {
  const { error, requests } = await run([{ status: 429 }], { maxRetries: 2 });
  assertFails(error, 'rate-limited', /rate-limiting.*\(429\).*Gave up after 2 retries/);
  assert.equal(requests.length, 3);
});

test('openai: 5xx is retried, then succeeds', async () => {
  const { value, error, requests } = await run([{ status: 503, error: 'overloaded' }, { reply: fenced(GOOD_CODE) }]);
  assert.equal(error, undefined);
  assert.ok(value);
  assert.equal(requests.length, 2);
});

test('openai: 401 says the key was rejected, without retrying or echoing the key', async () => {
  const { error, requests } = await run([{ status: 401, error: `Incorrect API key provided: ${KEY}` }]);
  assertFails(error, 'auth', /API key was rejected \(401.*Set API Key.*OPENAI_API_KEY/);
  assert.equal(requests.length, 1);
});

test('openai: a missing model (404) names the model and the setting', async () => {
  const { error } = await run([{ status: 404, error: 'The model `test-model` does not exist' }]);
  assertFails(error, 'model-not-found', /Model 'test-model' was not found.*strategyLab\.llm\.model/);
});

for (const stream of [false, true]) {
  test(`openai: a server that does not answer in time gives a timeout message (${stream ? 'streaming' : 'non-streaming'})`, async () => {
    const started = Date.now();
    const { error, requests } = await run([{ hang: true }], { timeoutMs: 300, stream });
    assertFails(error, 'timeout', /did not finish its reply within 0\.3 s.*timeoutMs/);
    assert.equal(requests.length, 1, 'a timeout is not retried');
    assert.ok(Date.now() - started < 4_000, 'the timeout cuts the wait');
  });
}

test('openai: a garbage (non-JSON) response gets its own message', async () => {
  const { error } = await run([{ raw: '<html>502 Bad Gateway</html>', contentType: 'text/html' }]);
  assertFails(error, 'bad-response', /not.*chat completion.*baseUrl/);
});

test('openai: an invalid JSON body gets the same message', async () => {
  const { error } = await run([{ raw: '{"choices": [', contentType: 'application/json' }], { stream: false });
  assertFails(error, 'bad-response', /OpenAI-compatible/);
});

test('openai: an empty reply gets its own message', async () => {
  const { error, requests } = await run([{ reply: '' }]);
  assertFails(error, 'empty-reply', /empty reply/);
  assert.equal(requests.length, 3, 'asked again up to the attempt limit');
});

test('openai: a reply without code gets its own message, and the model is asked again', async () => {
  const { error, requests } = await run([{ reply: 'I cannot help with trading, sorry.' }]);
  assertFails(error, 'no-code', /without a strategy file.*I cannot help/);
  assert.match(requests[1].body.messages.at(-1)!.content, /no TypeScript code/);
});

test('openai: a code-less first reply followed by code succeeds', async () => {
  const { value, error } = await run([{ reply: 'Sure! What ticker?' }, { reply: fenced(GOOD_CODE) }]);
  assert.equal(error, undefined);
  assert.equal(value!.attempts, 2);
});

test('openai: cancelling stops a pending request', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const { error } = await run([{ hang: true }], { timeoutMs: 10_000 }, controller.signal);
  assertFails(error, 'cancelled', /cancelled/);
});

test('openai: without a key the openai provider explains where to set one; auto falls back to offline', async () => {
  await assert.rejects(generateStrategy(IDEA, { provider: 'openai' }), (e: unknown) => e instanceof GenerateError && e.kind === 'no-api-key' && /Set API Key/.test(e.message));
  const offline = await generateStrategy(IDEA, { provider: 'auto' });
  assert.equal(offline.provider, 'offline');
});

test('openai: the key never appears in events or messages across every scenario', async () => {
  const scripts: Step[][] = [
    [{ reply: fenced(GOOD_CODE) }],
    [{ reply: fenced(BAD_CODE) }],
    [{ status: 401, error: `Incorrect API key provided: ${KEY}` }],
    [{ status: 500, error: `internal error for key ${KEY}` }],
    [{ status: 400, error: `bad request from ${KEY}` }],
    [{ reply: `no code, but here is your key ${KEY}` }],
  ];
  for (const script of scripts) {
    const { error, events } = await run(script, { maxRetries: 1, maxAttempts: 1 });
    const text = JSON.stringify(events) + (error instanceof Error ? error.message + JSON.stringify(error) : '');
    assert.ok(!text.includes(KEY), `key leaked in: ${text.slice(0, 300)}`);
  }
});
