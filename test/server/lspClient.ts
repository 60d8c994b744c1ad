/** Test helper: the built language server (dist/server.js) over stdio, driven by vscode-languageserver-protocol. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  IPCMessageReader,
  IPCMessageWriter,
  InitializeRequest,
  InitializedNotification,
  DidOpenTextDocumentNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { VALIDATED, type ValidatedParams } from '../../server/protocol';

/** The folder with package.json above this file (found by walking up: the bench bundler redefines __dirname as bench/). */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'server'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No repository root (package.json + server/) above ${from}.`);
  }
}

export const repoRoot = findRepoRoot(__dirname);
export const serverPath = join(repoRoot, 'dist', 'server.js');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/server.js (as esbuild.mjs does) when it is missing or older than its sources. */
export async function ensureServerBuilt(): Promise<void> {
  const sources = Math.max(...['server', 'core/validate', 'core/sdk'].map((d) => newestMtime(join(repoRoot, d))));
  if (existsSync(serverPath) && statSync(serverPath).mtimeMs >= sources) return;
  await esbuild.build({
    entryPoints: [{ in: join(repoRoot, 'server/server.ts'), out: 'server' }],
    outdir: join(repoRoot, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: true,
    tsconfig: join(repoRoot, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
  });
}

export interface LspSession {
  connection: ProtocolConnection;
  process: ChildProcess;
  open(uri: string, text: string): Promise<PublishDiagnosticsParams>;
  change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): void;
  close(uri: string): void;
  /** Resolves with the next diagnostics published for `uri` (at `version` when given). */
  nextDiagnostics(uri: string, version?: number, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  stop(): Promise<void>;
  stderr(): string;
  /**
   * The diagnostics of `version` once the server says it validated them (strategyLab/validated): the quick
   * result of a long file (`complete: false`) or the complete one (`complete: true`, the default).
   */
  nextValidated(uri: string, version: number, complete?: boolean, timeoutMs?: number): Promise<PublishDiagnosticsParams>;
  /** Every publishDiagnostics received, in order. */
  published: PublishDiagnosticsParams[];
}

/** Starts dist/server.js over stdio (as tests and the bench use it) or node IPC (as the VS Code client does). */
export async function startServer(initializationOptions: Record<string, unknown> = {}, transport: 'stdio' | 'ipc' = 'stdio'): Promise<LspSession> {
  await ensureServerBuilt();
  // e.g. STRATEGY_LAB_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server under a test or the bench.
  const nodeArgs = (process.env.STRATEGY_LAB_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child =
    transport === 'stdio'
      ? spawn(process.execPath, [...nodeArgs, serverPath, '--stdio'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn(process.execPath, [...nodeArgs, serverPath, '--node-ipc'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const connection =
    transport === 'stdio'
      ? createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!))
      : createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const waiters: { uri: string; version?: number; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  const published: PublishDiagnosticsParams[] = [];
  const lastPublished = new Map<string, PublishDiagnosticsParams>();
  connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
    published.push(params);
    lastPublished.set(params.uri, params);
    for (const w of [...waiters]) {
      if (w.uri === params.uri && (w.version === undefined || w.version === params.version)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(params);
      }
    }
  });
  const validatedWaiters: { uri: string; version: number; complete: boolean; resolve: (p: PublishDiagnosticsParams) => void }[] = [];
  connection.onNotification(VALIDATED, (params: ValidatedParams) => {
    const last = lastPublished.get(params.uri);
    for (const w of [...validatedWaiters]) {
      if (w.uri === params.uri && w.version === params.version && w.complete === params.complete && last?.version === params.version) {
        validatedWaiters.splice(validatedWaiters.indexOf(w), 1);
        w.resolve(last);
      }
    }
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: pathToFileURL(repoRoot).href,
    capabilities: { textDocument: { publishDiagnostics: { versionSupport: true } } },
    initializationOptions,
    workspaceFolders: null,
  });
  await connection.sendNotification(InitializedNotification.type, {});

  const nextDiagnostics = (uri: string, version?: number, timeoutMs = 20_000) =>
    new Promise<PublishDiagnosticsParams>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`No diagnostics for ${uri}${version === undefined ? '' : ` v${version}`} within ${timeoutMs} ms. Server stderr:\n${stderr}`)), timeoutMs);
      waiters.push({ uri, version, resolve: (p) => (clearTimeout(timer), resolvePromise(p)) });
    });

  const nextValidated = (uri: string, version: number, complete = true, timeoutMs = 20_000) =>
    new Promise<PublishDiagnosticsParams>((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`${uri} v${version} was not validated (${complete ? 'complete' : 'quick'}) within ${timeoutMs} ms. Server stderr:\n${stderr}`)), timeoutMs);
      validatedWaiters.push({ uri, version, complete, resolve: (p) => (clearTimeout(timer), resolvePromise(p)) });
    });

  return {
    connection,
    process: child,
    open(uri, text) {
      const published = nextDiagnostics(uri, 1);
      void connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text } });
      return published;
    },
    change(uri, version, changes) {
      void connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: changes });
    },
    close(uri) {
      void connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    },
    nextDiagnostics,
    nextValidated,
    async stop() {
      try {
        await connection.sendRequest(ShutdownRequest.type);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        // already gone
      }
      connection.dispose();
      await new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        const kill = setTimeout(() => child.kill(), 2000);
        child.once('exit', () => (clearTimeout(kill), r()));
      });
    },
    stderr: () => stderr,
    published,
  };
}

/** Applies LSP text edits to a text (edits must not overlap). */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => (lineStarts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
