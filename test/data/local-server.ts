/**
 * A tiny HTTP server on 127.0.0.1 that answers provider requests from a handler and
 * records every request, so tests count what a provider sent. Never any real network.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  body?: unknown; // objects are sent as JSON, strings as-is
  headers?: Record<string, string>;
}

export interface Recorded {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

export interface LocalServer {
  url: string;
  requests: Recorded[];
  handler: (req: Recorded) => Reply;
  close(): Promise<void>;
}

export async function startServer(handler: (req: Recorded) => Reply): Promise<LocalServer> {
  const state: LocalServer = { url: '', requests: [], handler, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const recorded: Recorded = { path: url.pathname, query: url.searchParams, headers: req.headers };
    state.requests.push(recorded);
    let reply: Reply;
    try {
      reply = state.handler(recorded);
    } catch (error) {
      reply = { status: 500, body: String(error) };
    }
    const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
    res.writeHead(reply.status ?? 200, { 'content-type': typeof reply.body === 'string' ? 'text/plain' : 'application/json', ...reply.headers });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return state;
}

/**
 * A fetch for yahoo-finance2 that sends Yahoo's URLs to the local server instead, and
 * refuses any other host (so a test can never reach the internet by accident).
 */
export function redirectingFetch(server: LocalServer, allowedOrigin = 'https://query2.finance.yahoo.com'): typeof fetch {
  return (async (input: Parameters<typeof fetch>[0] | URL, init?: RequestInit) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.startsWith(`${allowedOrigin}/`)) throw new Error(`test fetch refused a non-local URL: ${url}`);
    return fetch(server.url + url.slice(allowedOrigin.length), init);
  }) as typeof fetch;
}
