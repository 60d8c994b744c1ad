/**
 * Issue 13.7: no API key, whole or partial, in any output. A hostile server on 127.0.0.1 echoes the key in every
 * place it can — malformed streamed `data:` lines (the openai package logs those), `thread.*` events (logged with
 * console.error whatever the logger), error bodies, response headers, and replies used as generated code and as
 * LLM judges' reasons — and the real CLI binary runs against it in a child process so every byte written to
 * stdout/stderr (including the openai package's own console output) and every file written is checked.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedData } from '../helpers/paths';
import { hasPiece } from '../helpers/secrets';
import { generateWithOpenAI } from '../../core/generate/index';
import { runEvaluateCommand } from '../../core/cli/commands/evaluate';

const KEY = 'sk-proj-Hx7Qm2Vt9Lr4Wz8Kp3Nd6Fb1Jc5Gs0Ya';
const BIN = join(repoRoot, 'dist', 'cli.js');
const EXAMPLE = join(repoRoot, 'examples', 'rsi-reversion.strategy.ts');
const partials = [KEY, KEY.slice(0, 6) + '*'.repeat(20) + KEY.slice(-4), KEY.slice(3, 17), KEY.slice(-10), `${KEY.slice(0, 8)}...${KEY.slice(-4)}`];
const echo = partials.join(' | ');

type Mode = 'malformed-data' | 'thread-event' | 'error-401' | 'error-400' | 'error-500' | 'code-reply' | 'judge-reply';
let mode: Mode = 'malformed-data';
let server: Server;
let baseUrl = '';

const strategyCode = `\`\`\`ts
import { BaseStrategy, type Bar } from 'strategy-lab';
// key: ${echo}
export default class Leaky extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' };
  private note = '${KEY}';
  onBar(bar: Bar) { if (bar.close > 0 && this.note.length > 0) this.buy(bar.symbol); }
}
\`\`\``;

function handle(body: { stream?: boolean; messages: { content: string }[] }, res: import('node:http').ServerResponse): void {
  const headers = { 'x-echo-key': KEY, 'www-authenticate': `Bearer ${KEY}`, 'x-request-id': echo.replace(/[^ -~]/g, '') };
  const sse = (lines: string[]) => {
    res.writeHead(200, { ...headers, 'content-type': 'text/event-stream' });
    for (const line of lines) res.write(line);
    res.end();
  };
  const error = (status: number): void => void res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `Incorrect API key provided: ${echo}`, type: 'invalid_request_error', code: KEY } }));
  const reply = (content: string) => {
    if (body.stream) {
      const chunk = (delta: object) => `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`;
      // The key split across writes: the redaction must see it whole.
      const text = JSON.stringify({ content }).slice(12, -2);
      sse([chunk({ role: 'assistant', content: '' }).slice(0, 40), chunk({ role: 'assistant', content: '' }).slice(40), chunk({ content: JSON.parse(`"${text}"`) }), 'data: [DONE]\n\n']);
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify({ id: 'c', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] }));
  };
  switch (mode) {
    case 'malformed-data': return sse([`data: {"choices": [ ${echo}\n\n`]);
    case 'thread-event': return sse([`event: thread.message\ndata: not json ${echo}\n\n`]);
    case 'error-401': return error(401);
    case 'error-400': return error(400);
    case 'error-500': return error(500);
    case 'code-reply': return reply(strategyCode);
    case 'judge-reply': {
      const isJudge = body.messages.some((m) => /You review trading strategies/.test(m.content));
      return reply(isJudge ? JSON.stringify({ score: 7, reasons: [`The key is ${KEY}`, `partial ${echo}`], findings: [{ line: 1, message: `leak ${KEY.slice(2, 20)}` }] }) : strategyCode);
    }
  }
}

before(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => handle(JSON.parse(raw || '{}'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
after(() => new Promise<void>((resolve) => {
  server.closeAllConnections();
  server.close(() => resolve());
}));

function runBin(args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    // OPENAI_LOG=debug would make the openai package log requests (headers included) with its default logger.
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH, HOME: cwd, OPENAI_API_KEY: KEY, OPENAI_LOG: 'debug' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

function assertClean(label: string, out: string, cwd: string): void {
  assert.ok(!hasPiece(out, KEY), `${label}: the key (or part of it) is in the output:\n${out}`);
  for (const file of filesUnder(cwd)) assert.ok(!hasPiece(readFileSync(file, 'utf8'), KEY), `${label}: the key is in ${file}`);
}

/**
 * Runs `fn` with this process's stderr (where console.error/warn and the openai package's logging go) captured, and
 * gives it a CLI io writing into the same buffer. stdout stays alone: the test runner reports through it.
 */
async function capturing<T>(fn: (io: { stdout: (t: string) => void; stderr: (t: string) => void }) => Promise<T>): Promise<{ value?: T; error?: unknown; out: string }> {
  let out = '';
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((out += String(chunk)), true)) as typeof process.stderr.write;
  const io = { stdout: (t: string) => (out += t), stderr: (t: string) => (out += t) };
  try {
    return { value: await fn(io), out };
  } catch (error) {
    return { error, out };
  } finally {
    process.stderr.write = original;
  }
}

describe('no key, whole or partial, under a hostile server', () => {
  for (const m of ['malformed-data', 'thread-event', 'error-401', 'error-400', 'error-500', 'code-reply'] as const) {
    for (const stream of [true, false]) {
      test(`generate: ${m}${stream ? '' : ' (no streaming)'}: messages, events, console and the code`, async () => {
        mode = m;
        const events: unknown[] = [];
        const r = await capturing(() => generateWithOpenAI({ idea: 'Buy AAPL when RSI drops below 30', apiKey: KEY, settings: { baseUrl, stream, maxAttempts: 1, maxRetries: 0, timeoutMs: 5000 }, onEvent: (e) => events.push(e) }));
        if (m === 'code-reply') assert.ok(r.value, String(r.error));
        else assert.ok(r.error instanceof Error, `expected a failure, got ${JSON.stringify(r.value)}`);
        const seen = [r.out, r.error instanceof Error ? `${r.error.message} ${JSON.stringify(r.error)}` : '', JSON.stringify(r.value ?? null), JSON.stringify(events)].join('\n');
        if (m === 'thread-event' || m === 'malformed-data') assert.ok(r.out.length > 0 || stream === false, 'the openai package logged nothing: the echo path was not exercised');
        assert.ok(!hasPiece(seen, KEY), `the key (or part of it) leaked:\n${seen}`);
      });
    }
  }

  test('the real binary: generated code and every printed line are clean (thread event, then a reply with the key)', async () => {
    for (const m of ['thread-event', 'code-reply'] as const) {
      mode = m;
      const cwd = mkdtempSync(join(tmpdir(), 'sl-secrets-'));
      const r = await runBin(['generate', 'Buy AAPL when RSI drops below 30', '--provider', 'openai', '--base-url', baseUrl, '--max-attempts', '1', '--timeout', '5000'], cwd);
      assert.equal(r.code === 0, m === 'code-reply', r.out);
      if (m === 'code-reply') assert.equal(filesUnder(cwd).filter((f) => f.endsWith('.strategy.ts')).length, 1, 'no strategy file was written, so this proves nothing');
      assertClean(`generate ${m}`, r.out, cwd);
    }
  });

  test('evaluate with LLM judges whose reasons echo the key (the binary, text; in process, --json)', async () => {
    mode = 'judge-reply';
    const cwd = mkdtempSync(join(tmpdir(), 'sl-secrets-'));
    const data = ['--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--from', '2019-01-01', '--to', '2020-12-31'];
    const r = await runBin(['evaluate', EXAMPLE, ...data, '--sandbox', 'none', '--trust', '--base-url', baseUrl], cwd);
    assert.match(r.out, /partial/, `the judges' reasons are not in the output, so this proves nothing:\n${r.out.slice(0, 2000)}`);
    assertClean('evaluate', r.out, cwd);
    const json = await capturing((io) => runEvaluateCommand([EXAMPLE, ...data, '--sandbox', 'none', '--trust', '--base-url', baseUrl, '--json'], io, { env: { OPENAI_API_KEY: KEY } }));
    assert.match(json.out, /partial/, 'the reasons are not in the JSON report');
    assert.ok(!hasPiece(json.out, KEY), `the key leaked into evaluate --json:\n${json.out.slice(0, 3000)}`);
  });

  test('evaluate when the judges get error bodies echoing the key', async () => {
    mode = 'error-401';
    const r = await capturing((io) => runEvaluateCommand([EXAMPLE, '--source', 'sample', '--sandbox', 'none', '--trust', '--base-url', baseUrl], io, { env: { OPENAI_API_KEY: KEY } }));
    assert.match(r.out, /401|rejected/, r.out.slice(0, 2000));
    assert.ok(!hasPiece(r.out, KEY), `the key leaked:\n${r.out}`);
  });
});
