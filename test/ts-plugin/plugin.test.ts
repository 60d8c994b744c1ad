/**
 * The TypeScript server plugin in a real tsserver (the repo's typescript), loaded exactly as VS Code loads it:
 * `--globalPlugins strategy-lab-ts-plugin --pluginProbeLocations <extension folder>`. Needs dist/ (the plugin
 * bundle and dist/sdk/strategy-lab.d.ts): run without SKIP_BUILD, or after `node ts-plugin/build.mjs`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { importsSdk, projectUsesSdk } from '../../ts-plugin/detect';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const TSSERVER = path.join(ROOT, 'node_modules', 'typescript', 'lib', 'tsserver.js');
const STRATEGY = readFileSync(path.join(ROOT, 'e2e', 'fixtures', 'ws', 'rsi.strategy.ts'), 'utf8');

interface Diag { text: string; code: number }

/** Opens the files in one tsserver session and returns each one's semantic diagnostics. */
async function diagnostics(files: Record<string, string>, plugin: boolean): Promise<Record<string, Diag[]>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sl-tsplugin-'));
  const args = [TSSERVER, '--disableAutomaticTypingAcquisition', ...(plugin ? ['--globalPlugins', 'strategy-lab-ts-plugin', '--pluginProbeLocations', ROOT] : [])];
  const server = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    let seq = 0;
    let buffer = '';
    const waiting = new Map<number, (body: unknown) => void>();
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      for (let i; (i = buffer.indexOf('\n')) >= 0;) {
        const line = buffer.slice(0, i).trim();
        buffer = buffer.slice(i + 1);
        if (!line.startsWith('{')) continue;
        const msg = JSON.parse(line) as { type: string; request_seq: number; body: unknown };
        if (msg.type === 'response') waiting.get(msg.request_seq)?.(msg.body);
      }
    });
    const request = (command: string, args: unknown) => new Promise<unknown>((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve);
      server.stdin.write(JSON.stringify({ seq: id, type: 'request', command, arguments: args }) + '\n');
    });
    const out: Record<string, Diag[]> = {};
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      await request('updateOpen', { openFiles: [{ file, fileContent: text, projectRootPath: dir }] });
    }
    for (const name of Object.keys(files)) {
      out[name] = (await request('semanticDiagnosticsSync', { file: path.join(dir, name) })) as Diag[];
    }
    return out;
  } finally {
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the plugin bundle and its package are built', () => {
  assert.ok(existsSync(path.join(ROOT, 'dist', 'ts-plugin', 'index.js')), 'run node ts-plugin/build.mjs (or the build)');
  assert.ok(existsSync(path.join(ROOT, 'node_modules', 'strategy-lab-ts-plugin', 'package.json')));
});

test('without the plugin tsserver cannot resolve strategy-lab (the problem it fixes)', async () => {
  const d = await diagnostics({ 'rsi.strategy.ts': STRATEGY }, false);
  assert.ok(d['rsi.strategy.ts'].some((x) => x.code === 2307), JSON.stringify(d));
});

test('with the plugin a valid strategy has no TypeScript errors, and real type errors still show', async () => {
  const broken = STRATEGY.replace('class E2eRsiReversion', 'class Broken').replace(/this\.buy\(([^)]*)\)/, 'this.buy($1, { shares: "ten" })');
  assert.notEqual(broken, STRATEGY);
  const d = await diagnostics({ 'rsi.strategy.ts': STRATEGY, 'broken.strategy.ts': broken }, true);
  assert.deepEqual(d['rsi.strategy.ts'].map((x) => x.text), []);
  assert.ok(d['broken.strategy.ts'].some((x) => x.code === 2322), JSON.stringify(d['broken.strategy.ts']));
});

test('a file importing the SDK resolves too; ordinary TypeScript is left alone', async () => {
  const d = await diagnostics({
    'uses.ts': "import { RSI } from 'strategy-lab/indicators';\nexport const r: number | undefined = new RSI(14).update(1);\n",
  }, true);
  assert.deepEqual(d['uses.ts'].map((x) => x.text), []);
  const plain = await diagnostics({ 'plain.ts': "import { BaseStrategy } from 'strategy-lab';\nexport const x = BaseStrategy;\n".replace(/strategy-lab/g, 'not-strategy-lab') }, true);
  assert.ok(plain['plain.ts'].some((x) => x.code === 2307), 'other unresolved modules stay unresolved');
});

test('projectUsesSdk: strategy file names, open importers; closed files are not read', () => {
  const file = (name: string, open: boolean, text: string) => ({ name, isOpen: () => open, importsSdk: () => { if (!open) throw new Error(`read closed ${name}`); return importsSdk(text); } });
  assert.equal(projectUsesSdk([file('/a/x.strategy.ts', false, '')]), true);
  assert.equal(projectUsesSdk([file('/a/x.ts', true, "import { BaseStrategy } from 'strategy-lab';")]), true);
  assert.equal(projectUsesSdk([file('/a/x.ts', true, 'import { EMA } from "strategy-lab/indicators";')]), true);
  assert.equal(projectUsesSdk([file('/a/x.ts', true, "import x from 'strategy-lab-extra';"), file('/a/y.ts', false, '')]), false);
  assert.equal(projectUsesSdk([]), false);
});
