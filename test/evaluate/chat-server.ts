/**
 * A local OpenAI-compatible chat server on 127.0.0.1 for the LLM evaluator and
 * refine tests: each POST /v1/chat/completions body is parsed and handed to the
 * test's handler, which returns the reply text (or an HTTP error). Every
 * request is recorded. Never any real network.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
  role: string;
  content: string;
}

export type ChatReply = string | { status: number; body?: unknown };

export interface ChatServer {
  /** Base URL ending in /v1. */
  url: string;
  requests: ChatMessage[][];
  close(): Promise<void>;
}

export async function startChatServer(handler: (messages: ChatMessage[]) => ChatReply): Promise<ChatServer> {
  const requests: ChatMessage[][] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
        return;
      }
      const body = JSON.parse(raw) as { model: string; messages: ChatMessage[]; stream?: boolean };
      requests.push(body.messages);
      let reply: ChatReply;
      try {
        reply = handler(body.messages);
      } catch (err) {
        reply = { status: 500, body: { error: { message: String(err) } } };
      }
      if (typeof reply !== 'string') {
        res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body ?? { error: { message: 'test error' } }));
        return;
      }
      if (body.stream) {
        // Server-sent events, as the OpenAI API streams them.
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (delta: object, finish: string | null) =>
          `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 0, model: body.model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
        res.write(chunk({ role: 'assistant', content: reply }, null));
        res.write(chunk({}, 'stop'));
        res.end('data: [DONE]\n\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id: 'c1', object: 'chat.completion', created: 0, model: body.model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Which reviewer a request is for, from its system prompt. */
export function reviewerOf(messages: ChatMessage[]): 'intent' | 'quality' | 'realism' | 'generate' {
  const system = messages[0]?.content ?? '';
  if (/Judge whether the code does what the user asked/.test(system)) return 'intent';
  if (/Judge the code as a maintainer would/.test(system)) return 'quality';
  if (/Judge whether the backtest result is believable/.test(system)) return 'realism';
  return 'generate';
}
