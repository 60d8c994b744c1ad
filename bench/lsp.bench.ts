/**
 * Edit-to-diagnostics latency over LSP: the built dist/server.js over stdio,
 * a one-character edit, time until publishDiagnostics for that version
 * arrives (debounce, type check against the SDK and every rule included).
 * Targets: p95 < 50 ms on a 300-line strategy, < 150 ms on 1,500 lines.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { HoverRequest } from 'vscode-languageserver-protocol/node';
import { StrategyProject, StrategyValidator } from '../core/validate/index';
import { generateSdkDeclarations, parseSdkDeclarationsFile } from '../core/sdk/declarations/index';
import { repoRoot, startServer } from '../test/server/lspClient';
import { hugeStrategy, SMALL_HOVER, SMALL_STRATEGY } from '../test/server/hostileInputs';
import { cpuMs, rssMb } from '../test/server/procStats';

function strategyOfLines(lines: number): string {
  const head = [
    "import { BaseStrategy, type Bar } from 'strategy-lab';",
    "import { RSI, SMA, EMA, ATR, BollingerBands } from 'strategy-lab/indicators';",
    '',
    '/** Synthetic strategy for the latency benchmark: many small helpers, like a grown strategy. */',
    'export default class Big extends BaseStrategy {',
    "  static config = { symbols: ['AAPL', 'MSFT'], timeframe: '1d' };",
    '  params = { period: 14, fast: 10, slow: 30, band: 2, stopPct: 3 };',
    '  private rsi = new RSI(this.params.period);',
    '  private fast = new SMA(this.params.fast);',
    '  private slow = new EMA(this.params.slow);',
    '  private atr = new ATR(14);',
    '  private bands = new BollingerBands(20, this.params.band);',
    '  private closes: number[] = [];',
    '',
    '  onBar(bar: Bar): void {',
    '    this.closes.push(bar.close);',
    '    const r = this.rsi.update(bar.close);',
    '    const f = this.fast.update(bar.close);',
    '    const s = this.slow.update(bar.close);',
    '    const a = this.atr.update(bar);',
    '    const b = this.bands.update(bar.close);',
    '    if (r === undefined || f === undefined || s === undefined || a === undefined || b === undefined) return;',
    '    if (this.signal0(bar, r, f, s) && !this.position(bar.symbol)) this.buy(bar.symbol, { stopLossPct: this.params.stopPct });',
    '    else if (bar.close > b.upper && this.position(bar.symbol)) this.close(bar.symbol);',
    '  }',
    '',
  ];
  const body: string[] = [];
  for (let i = 0; head.length + body.length + 8 + 1 <= lines; i++) {
    body.push(
      `  private signal${i}(bar: Bar, r: number, f: number, s: number): boolean {`,
      `    const window = this.closes.slice(-${(i % 20) + 2});`,
      '    const mean = window.reduce((sum, x) => sum + x, 0) / Math.max(1, window.length);',
      `    const spread = Math.abs(f - s) / Math.max(1e-9, mean) * ${i + 1};`,
      `    if (r < ${20 + (i % 30)} && spread > 0.0${(i % 9) + 1}) return bar.close > mean;`,
      `    return ${i % 2 === 0 ? 'f > s' : 'this.position(bar.symbol) > 0 && r > 50'};`,
      '  }',
      '',
    );
  }
  while (head.length + body.length + 1 < lines) body.push('  // (padding to the exact line count)');
  return [...head, ...body, '}', ''].join('\n');
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measure(lines: number, edits: number, targetP95: number): Promise<void> {
  const lsp = await startServer();
  try {
    const text = strategyOfLines(lines);
    const uri = `file:///bench/big-${lines}.strategy.ts`;
    const t0 = performance.now();
    const first = await lsp.open(uri, text);
    const firstMs = performance.now() - t0;
    const errors = first.diagnostics.filter((d) => d.severity === 1);
    if (errors.length) throw new Error(`benchmark strategy has errors: ${errors.map((d) => `${d.code} ${d.message}`).join('; ')}`);
    // Edit the threshold in the middle helper: `r < 2x` ↔ `r < 3x`, one character each time.
    const lineNo = text.split('\n').findIndex((l, i) => i > text.split('\n').length / 2 && /if \(r < \d/.test(l));
    const column = text.split('\n')[lineNo].indexOf('r < ') + 4;
    const quick: number[] = [];
    const full: number[] = [];
    const cpuBefore = cpuMs(lsp.process.pid);
    for (let v = 2; v < edits + 2; v++) {
      const first = lsp.nextDiagnostics(uri, v);
      const complete = lsp.nextValidated(uri, v, true);
      const start = performance.now();
      lsp.change(uri, v, [{ range: { start: { line: lineNo, character: column }, end: { line: lineNo, character: column + 1 } }, text: v % 2 ? '2' : '3' }]);
      await first;
      quick.push(performance.now() - start);
      await complete;
      full.push(performance.now() - start);
    }
    const cpuAfter = cpuMs(lsp.process.pid);
    const cpuPerEdit = cpuBefore === undefined || cpuAfter === undefined ? 'n/a' : `${((cpuAfter - cpuBefore) / full.length).toFixed(1)} ms`;
    const stats = (samples: number[]) => {
      const sorted = [...samples].sort((a, b) => a - b);
      return { median: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted[sorted.length - 1] };
    };
    const q = stats(quick);
    const f = stats(full);
    const n = String(text.split('\n').length - 1).padStart(5);
    console.log(`${n} lines: first diagnostics ${firstMs.toFixed(0)} ms (cold); ${full.length} one-character edits; server CPU per edit ${cpuPerEdit} (all threads, GC included)`);
    console.log(
      `        edit → first publish (edited region type-checked, every rule): median ${q.median.toFixed(1)} ms, p95 ${q.p95.toFixed(1)} ms, max ${q.max.toFixed(1)} ms; ` +
        `p95/target ${(q.p95 / targetP95).toFixed(2)} (target ${targetP95} ms) ${q.p95 < targetP95 ? 'OK' : 'OVER'}`,
    );
    console.log(
      `        edit → whole-file type check published:                    median ${f.median.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, max ${f.max.toFixed(1)} ms; ` +
        `p95/target ${(f.p95 / targetP95).toFixed(2)} ${f.p95 < targetP95 ? 'OK' : 'OVER'}`,
    );
  } finally {
    await lsp.stop();
  }
}

const STARTUP_TARGET_MS = 1500;
const FIRST_CHECK_TARGET_MS = 500;

function median(samples: number[]): number {
  return percentile([...samples].sort((a, b) => a - b), 50);
}

/** Spawn → initialize → open a strategy → its first publishDiagnostics, in fresh servers (what a user waits for). */
async function startup(runs: number): Promise<void> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const lsp = await startServer();
    try {
      await lsp.open('file:///bench/startup.strategy.ts', SMALL_STRATEGY);
      wall.push(performance.now() - started);
      cpu.push(cpuMs(lsp.process.pid) ?? NaN);
    } finally {
      await lsp.stop();
    }
  }
  const m = median(wall);
  console.log(
    `spawn → first diagnostics (${runs} fresh servers): median ${m.toFixed(0)} ms wall (${wall.map((w) => w.toFixed(0)).join(', ')}), ` +
      `server CPU ${median(cpu).toFixed(0)} ms; median/target ${(m / STARTUP_TARGET_MS).toFixed(2)} (target ${STARTUP_TARGET_MS} ms) ${m <= STARTUP_TARGET_MS ? 'OK' : 'OVER'}`,
  );
}

/**
 * The validator's first check in a fresh process (this bench re-run with --first-check): project, lib files, SDK
 * declarations and one strategy, as the CLI and the language server do it with the prebuilt dist/sdk .d.ts, and,
 * for comparison, the declaration emit that the prebuilt file saves.
 */
function firstCheck(runs: number): void {
  const results: { check: number; load: number; emit: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const child = spawnSync(process.execPath, [process.argv[1], '--first-check'], { cwd: repoRoot, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`first-check run failed: ${child.stderr}`);
    results.push(JSON.parse(child.stdout.trim().split('\n').pop()!));
  }
  const m = median(results.map((r) => r.check));
  console.log(
    `validator first check (fresh process, prebuilt SDK .d.ts): median ${m.toFixed(0)} ms (${results.map((r) => r.check.toFixed(0)).join(', ')}); ` +
      `median/target ${(m / FIRST_CHECK_TARGET_MS).toFixed(2)} (target < ${FIRST_CHECK_TARGET_MS} ms) ${m < FIRST_CHECK_TARGET_MS ? 'OK' : 'OVER'}; ` +
      `before it, process start and loading the bundle with TypeScript ${median(results.map((r) => r.load)).toFixed(0)} ms; ` +
      `generating the SDK .d.ts instead of reading the prebuilt one would add ${median(results.map((r) => r.emit)).toFixed(0)} ms`,
  );
}

function firstCheckChild(): void {
  const started = performance.now(); // since the process started: node and the bundle (TypeScript included) loaded
  const declarations = parseSdkDeclarationsFile(readFileSync(join(repoRoot, 'dist', 'sdk', 'strategy-lab.d.ts'), 'utf8'), 'dist/sdk');
  const validator = new StrategyValidator(new StrategyProject(declarations));
  const result = validator.validate('/bench/first.strategy.ts', SMALL_STRATEGY);
  const check = performance.now() - started;
  if (result.diagnostics.length) throw new Error(`the first-check strategy has diagnostics: ${JSON.stringify(result.diagnostics)}`);
  const emitStarted = performance.now();
  generateSdkDeclarations(join(repoRoot, 'core', 'sdk'));
  console.log(JSON.stringify({ check, load: started, emit: performance.now() - emitStarted }));
}

/** A 5 MB strategy open: hover in a small file meanwhile, how long its (structural) check takes, server memory. */
async function largeFile(): Promise<void> {
  const lsp = await startServer();
  try {
    const small = 'file:///bench/small.strategy.ts';
    await lsp.open(small, SMALL_STRATEGY);
    const pid = lsp.process.pid!;
    await new Promise((r) => setTimeout(r, 500));
    const baseline = rssMb(pid);
    const uri = 'file:///bench/five-mb.strategy.ts';
    const text = hugeStrategy(5 * 1024 * 1024);
    const started = performance.now();
    const checked = lsp.nextDiagnostics(uri, 1, 300_000);
    void lsp.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'typescript', version: 1, text } });
    let done = false;
    void checked.then(() => (done = true));
    const hovers: number[] = [];
    let peak = baseline;
    while (!done) {
      await new Promise((r) => setTimeout(r, 100));
      const h = performance.now();
      await lsp.connection.sendRequest(HoverRequest.type, { textDocument: { uri: small }, position: SMALL_HOVER });
      hovers.push(performance.now() - h);
      peak = Math.max(peak, rssMb(pid));
    }
    const checkMs = performance.now() - started;
    const cleared = lsp.nextDiagnostics(uri);
    lsp.close(uri);
    await cleared;
    await new Promise((r) => setTimeout(r, 3000));
    const after = rssMb(pid);
    const sorted = [...hovers].sort((a, b) => a - b);
    console.log(
      `5 MB file: structural check in a worker ${(checkMs / 1000).toFixed(1)} s; hover in another file meanwhile (${hovers.length} requests): ` +
        `median ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, max ${sorted[sorted.length - 1].toFixed(0)} ms ` +
        `(target ~200 ms: ${percentile(sorted, 95) <= 200 ? 'OK' : 'OVER'}); server RSS ${baseline.toFixed(0)} MB before, ${peak.toFixed(0)} MB peak, ${after.toFixed(0)} MB 3 s after the close`,
    );
  } finally {
    await lsp.stop();
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--first-check')) return firstCheckChild();
  console.log('LSP latency: one-character edit → publishDiagnostics, dist/server.js over stdio (10 ms debounce only within bursts).');
  console.log('Long files publish twice per edit: first the edited region type-checked with every rule (other type errors carried over), then the whole-file type check.');
  // Latency on a shared machine depends on what else runs: print it so numbers can be compared.
  console.log(`machine: ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} (1/5/15 min)`);
  await startup(3);
  firstCheck(3);
  // LSP_PARTS=startup: only the two start-up figures (the edit latency and 5 MB parts take minutes).
  if (process.env.LSP_PARTS === 'startup') return;
  await measure(300, 60, 50);
  await measure(1500, 40, 150);
  await largeFile();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
