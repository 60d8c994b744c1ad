/**
 * The LLM path against a local fake server that misbehaves (hangs, answers
 * HTML, refuses connections): where requests go (flag/setting, then
 * OPENAI_BASE_URL), one timeout for generation and the judges with no retry
 * on it, a distinct message per failure, accurate progress text, and
 * `evaluate --timeout`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { chatClientFrom } from '../../core/evaluate/llm/client';
import { runEvaluateCommand } from '../../core/cli/commands/evaluate';
import { CliError } from '../../core/cli/io';
import { describeEvent, generateStrategy, GenerateError, resolveBaseUrl, OPENAI_DEFAULT_BASE_URL, type GenerateEvent } from '../../core/generate/index';
import { startFakeOpenAI, type Step } from './fakeOpenAI';
import { cli, withDir } from './generateCli';
import { BAD_CODE, GOOD_CODE, fenced } from './modelReplies';

const KEY = 'sk-llmpath-SECRET-0123456789abcdef';
const IDEA = 'Buy AAPL when the 10-day SMA is above the 30-day SMA, sell when it is below';
const HTML = '<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>';
const MESSAGES = [{ role: 'user' as const, content: 'review this' }];

/** A base URL where nothing listens: a fake server started, then closed. */
async function refusingUrl(): Promise<string> {
  const server = await startFakeOpenAI([{ reply: 'x' }]);
  await server.close();
  return server.baseUrl;
}

async function judge(script: Step[] | 'refused', timeoutMs = 300, maxRetries = 3) {
  const server = script === 'refused' ? undefined : await startFakeOpenAI(script);
  const baseUrl = server?.baseUrl ?? (await refusingUrl());
  const client = chatClientFrom({ apiKey: KEY, settings: { baseUrl, timeoutMs, maxRetries, retryBaseMs: 1, model: 'judge-model' } })!;
  const started = Date.now();
  try {
    const text = await client.complete(MESSAGES).then((t) => ({ t }), (e: Error) => ({ e }));
    return { ...text, ms: Date.now() - started, requests: server?.requests.length ?? 0, baseUrl };
  } finally {
    await server?.close();
  }
}

test('base URL: the flag or setting wins, then OPENAI_BASE_URL, then OpenAI; a trailing slash is dropped', () => {
  assert.equal(resolveBaseUrl('http://127.0.0.1:1/v1/', { OPENAI_BASE_URL: 'http://127.0.0.1:2/v1' }), 'http://127.0.0.1:1/v1');
  assert.equal(resolveBaseUrl(undefined, { OPENAI_BASE_URL: ' http://127.0.0.1:2/v1 ' }), 'http://127.0.0.1:2/v1');
  assert.equal(resolveBaseUrl('', { OPENAI_BASE_URL: 'http://127.0.0.1:2/v1' }), 'http://127.0.0.1:2/v1', 'an empty setting is no setting');
  assert.equal(resolveBaseUrl(undefined, {}), OPENAI_DEFAULT_BASE_URL);
});

test('generate (CLI): OPENAI_BASE_URL is where the request goes when no --base-url is given', () =>
  withDir(async (dir) => {
    const server = await startFakeOpenAI([{ reply: fenced(GOOD_CODE) }]);
    try {
      const r = await cli([IDEA, '--provider', 'openai', '--model', 'test-model', '--print'], dir, { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrl });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(server.requests.length, 1);
      assert.equal(server.requests[0].path, '/v1/chat/completions');
    } finally {
      await server.close();
    }
  }));

test('generate and judges (in-process): OPENAI_BASE_URL of the environment is honoured by both', async () => {
  const server = await startFakeOpenAI([{ reply: fenced(GOOD_CODE) }]);
  const saved = process.env.OPENAI_BASE_URL;
  process.env.OPENAI_BASE_URL = server.baseUrl;
  try {
    const result = await generateStrategy(IDEA, { provider: 'openai', apiKey: KEY, llm: { model: 'test-model' } });
    assert.equal(result.provider, 'openai');
    await chatClientFrom({ apiKey: KEY })!.complete(MESSAGES);
    assert.equal(server.requests.length, 2, 'both requests reached the fake server, none the public host');
  } finally {
    if (saved === undefined) delete process.env.OPENAI_BASE_URL;
    else process.env.OPENAI_BASE_URL = saved;
    await server.close();
  }
});

test('judges: a hung server is waited for once (the timeout), not retried', async () => {
  const r = await judge([{ hang: true }], 300, 3);
  assert.ok('e' in r);
  assert.match(r.e.message, /did not finish its reply within 0\.3 s.*timeoutMs.*Not retried/);
  assert.doesNotMatch(r.e.message, /could not reach/i);
  assert.equal(r.requests, 1, 'one request');
  assert.ok(r.ms < 3_000, `gave up after ${r.ms} ms`);
});

test('judges: an HTML page is reported as such, not as an unreachable server', async () => {
  const r = await judge([{ raw: HTML, contentType: 'text/html' }]);
  assert.ok('e' in r);
  assert.match(r.e.message, /answered, but not with a chat completion \(an HTML page\).*baseUrl/);
  assert.doesNotMatch(r.e.message, /could not reach/i);
  assert.equal(r.requests, 1, 'not retried');
});

test('judges: a refused connection says so, with the URL', async () => {
  const r = await judge('refused');
  assert.ok('e' in r);
  assert.match(r.e.message, /Could not reach the model server at http:\/\/127\.0\.0\.1:\d+\/v1 \(connection refused\)/);
});

test('judges: a 503 is retried and then answered; a 429 that never clears gives up after maxRetries', async () => {
  const ok = await judge([{ status: 503 }, { reply: '{"score": 8}' }]);
  assert.ok('t' in ok && ok.t === '{"score": 8}');
  assert.equal(ok.requests, 2);
  const limited = await judge([{ status: 429 }], 300, 2);
  assert.ok('e' in limited);
  assert.match(limited.e.message, /rate-limiting/);
  assert.equal(limited.requests, 3, 'first try and 2 retries');
  assert.ok(!limited.e.message.includes(KEY));
});

for (const stream of [true, false]) {
  test(`generate: HTML, refused connection and timeout each get their own message (${stream ? 'streaming' : 'non-streaming'})`, async () => {
    const kinds: [Step[] | 'refused', string, RegExp][] = [
      [[{ raw: HTML, contentType: 'text/html' }], 'bad-response', /not with a chat completion/],
      ['refused', 'connection', /Could not reach .*connection refused/],
      [[{ hang: true }], 'timeout', /did not finish its reply within 0\.3 s/],
    ];
    for (const [script, kind, message] of kinds) {
      const server = script === 'refused' ? undefined : await startFakeOpenAI(script);
      const baseUrl = server?.baseUrl ?? (await refusingUrl());
      try {
        const error = await generateStrategy(IDEA, { provider: 'openai', apiKey: KEY, llm: { baseUrl, timeoutMs: 300, stream, retryBaseMs: 1 } }).then(
          () => undefined,
          (e: unknown) => e,
        );
        assert.ok(error instanceof GenerateError, String(error));
        assert.equal(error.kind, kind, error.message);
        assert.match(error.message, message);
        if (server) assert.equal(server.requests.length, 1, `${kind}: not retried`);
      } finally {
        await server?.close();
      }
    }
  });
}

test('progress: the real wait, and no "asking for a repair" after the last attempt', async () => {
  assert.equal(describeEvent({ type: 'retrying', attempt: 1, reason: 'rate limited (429).', delayMs: 300 }), 'Attempt 1: rate limited (429). Retrying in 300 ms…');
  assert.equal(describeEvent({ type: 'retrying', attempt: 1, reason: 'server error (503).', delayMs: 1500 }), 'Attempt 1: server error (503). Retrying in 1.5 s…');
  const server = await startFakeOpenAI([{ reply: fenced(BAD_CODE) }]);
  const events: GenerateEvent[] = [];
  try {
    await generateStrategy(IDEA, { provider: 'openai', apiKey: KEY, llm: { baseUrl: server.baseUrl, maxAttempts: 2, model: 'm' }, onEvent: (e) => events.push(e) }).catch(() => {});
  } finally {
    await server.close();
  }
  const invalid = events.filter((e) => e.type === 'invalid').map(describeEvent);
  assert.equal(invalid.length, 2);
  assert.match(invalid[0], /asking for a repair…$/);
  assert.match(invalid[1], /no attempts left\.$/);
  assert.doesNotMatch(invalid[1], /repair/);
});

test('evaluate --timeout: the LLM judges give up on a hung server after that timeout, each after one request', async () => {
  const server = await startFakeOpenAI([{ hang: true }]);
  let stdout = '';
  let stderr = '';
  try {
    const example = resolve(__dirname, '..', '..', 'examples', 'rsi-reversion.strategy.ts');
    const args = [example, '--sandbox', 'none', '--trust', '--source', 'sample', '--timeout', '400', '--set', 'lookahead.cutPoints=1,robustness.maxParams=0', '--json'];
    const started = Date.now();
    const code = await runEvaluateCommand(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, { env: { OPENAI_API_KEY: KEY, OPENAI_BASE_URL: server.baseUrl } });
    const ms = Date.now() - started;
    assert.ok(code === 0 || code === 1, stderr);
    const report = JSON.parse(stdout) as { evaluators: { id: string; status: string; reasons: string[] }[] };
    const llm = report.evaluators.filter((e) => ['intent', 'quality', 'realism'].includes(e.id));
    assert.equal(llm.length, 3);
    for (const e of llm) {
      assert.equal(e.status, 'error', JSON.stringify(e));
      assert.match(e.reasons.join(' '), /within 0\.4 s/);
    }
    assert.equal(server.requests.length, 3, 'one request per judge: no retries on a timeout');
    assert.ok(ms < 60_000, `took ${ms} ms`);
  } finally {
    await server.close();
  }
  await assert.rejects(
    runEvaluateCommand([resolve(__dirname, '..', '..', 'examples', 'rsi-reversion.strategy.ts'), '--timeout=-5'], { stdout: () => {}, stderr: () => {} }, { env: {} }),
    (e: unknown) => e instanceof CliError && e.code === 2 && /--timeout is in milliseconds/.test(e.message),
  );
});
