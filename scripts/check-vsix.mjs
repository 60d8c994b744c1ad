#!/usr/bin/env node
// Smoke test of a packaged extension (unpacked .vsix folder `extension/`), run by scripts/e2e.sh: the packaged
// language server starts from a folder with no node_modules anywhere above it, finds TypeScript's lib files
// in dist/typescript-lib, and reports a real type error in a strategy. Exits non-zero with the reason otherwise.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter, InitializeRequest, InitializedNotification, DidOpenTextDocumentNotification, PublishDiagnosticsNotification } from 'vscode-languageserver-protocol/node';

const ext = process.argv[2];
if (!ext) { console.error('usage: node scripts/check-vsix.mjs <unpacked>/extension'); process.exit(2); }
const server = spawn(process.execPath, [join(ext, 'dist', 'server.js'), '--stdio'], { cwd: ext, stdio: ['pipe', 'pipe', 'pipe'] });
let stderr = '';
server.stderr.on('data', (d) => (stderr += d));
const connection = createProtocolConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
const uri = pathToFileURL(join(ext, 'check.strategy.ts')).href;
const text = "import { BaseStrategy, type Bar } from 'strategy-lab';\nexport default class Check extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n  private seen = new Map<string, number[]>();\n  onBar(bar: Bar) { const last = (this.seen.get(bar.symbol) ?? []).at(-1); const s: string = last; if (s) this.buy(bar.symbol); }\n}\n";
const timer = setTimeout(() => { console.error(`check-vsix: no diagnostics within 30 s. Server stderr:\n${stderr}`); server.kill(); process.exit(1); }, 30_000);
connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
  if (p.uri !== uri) return;
  clearTimeout(timer);
  const codes = p.diagnostics.map((d) => `${d.code}: ${d.message}`);
  const ok = codes.length === 1 && /^SL002: Type 'number \| undefined' is not assignable to type 'string'/.test(codes[0]);
  console.log(`check-vsix: packaged language server ${ok ? 'ok' : 'WRONG'}: ${codes.join(' | ') || 'no diagnostics'}`);
  server.kill();
  process.exit(ok ? 0 : 1);
});
connection.listen();
await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(ext).href, capabilities: {}, workspaceFolders: null });
await connection.sendNotification(InitializedNotification.type, {});
await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'typescript', version: 1, text } });
