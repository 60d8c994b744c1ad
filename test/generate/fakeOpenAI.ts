/**
 * A scripted OpenAI-compatible chat-completions server on 127.0.0.1 for the
 * provider tests: each request takes the next step of the script (the last
 * step repeats), and every request is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Step =
  /** A normal completion; streamed as SSE when the request asks for `stream: true`. */
  | { reply: string }
  | { status: number; error?: string; headers?: Record<string, string> }
  /** Never answers (streaming: sends headers and one chunk, then stalls). */
  | { hang: true }
  /** Raw body with a content type, e.g. not JSON at all. */
  | { raw: string; contentType: string };

export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: { model: string; stream?: boolean; temperature?: number; messages: { role: string; content: string }[] };
}

export interface FakeServer {
  baseUrl: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeOpenAI(script: Step[]): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = JSON.parse(data || '{}');
      requests.push({ path: req.url ?? '', headers: req.headers, body });
      const step = script[Math.min(requests.length - 1, script.length - 1)];
      respond(step, body.stream === true, res, open);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function respond(step: Step, stream: boolean, res: ServerResponse, open: Set<ServerResponse>): void {
  if ('hang' in step) {
    open.add(res);
    if (stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify(chunk('// thinking'))}\n\n`);
    }
    return;
  }
  if ('raw' in step) {
    res.writeHead(200, { 'content-type': step.contentType });
    res.end(step.raw);
    return;
  }
  if ('status' in step) {
    res.writeHead(step.status, { 'content-type': 'application/json', ...step.headers });
    res.end(JSON.stringify({ error: { message: step.error ?? `error ${step.status}`, type: 'error', code: null } }));
    return;
  }
  if (!stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: 'chatcmpl-test', object: 'chat.completion', created: 0, model: 'test-model',
        choices: [{ index: 0, message: { role: 'assistant', content: step.reply }, finish_reason: 'stop' }],
      }),
    );
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  // Several chunks, split mid-line, as real servers do.
  const size = Math.max(1, Math.ceil(step.reply.length / 5));
  for (let i = 0; i < step.reply.length; i += size) res.write(`data: ${JSON.stringify(chunk(step.reply.slice(i, i + size)))}\n\n`);
  res.write(`data: ${JSON.stringify({ ...chunk(''), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
  res.end('data: [DONE]\n\n');
}

function chunk(content: string) {
  return { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 0, model: 'test-model', choices: [{ index: 0, delta: { content }, finish_reason: null }] };
}
