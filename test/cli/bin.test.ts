import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sharedData } from '../helpers/paths';

const BIN = join(repoRoot, 'bin', 'strategy-lab.js');

test('the strategy-lab binary (bundled CLI) runs a backtest and prints JSON', () => {
  const r = spawnSync(process.execPath, [BIN, 'backtest', join(repoRoot, 'examples/sma-crossover.strategy.ts'), '--data', sharedData('SPY_daily_1998_2021_lean.csv'), '--sandbox', 'none', '--trust', '--json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.equity.length, 5849, 'the whole JSON arrived (one equity point per bar)');
  for (const key of ['start', 'end', 'durationDays', 'exposureTimePct', 'equityFinal', 'equityPeak', 'returnPct', 'buyHoldReturnPct', 'returnAnnPct', 'volatilityAnnPct', 'cagrPct', 'sharpeRatio', 'sortinoRatio', 'calmarRatio', 'alphaPct', 'beta', 'maxDrawdownPct', 'avgDrawdownPct', 'maxDrawdownDurationDays', 'avgDrawdownDurationDays', 'tradeCount', 'winRatePct', 'bestTradePct', 'worstTradePct', 'avgTradePct', 'maxTradeDurationDays', 'avgTradeDurationDays', 'profitFactor', 'expectancyPct', 'sqn', 'kellyCriterion', 'commissionsPaid']) {
    assert.ok(key in out.metrics, `metrics.${key} is missing`);
  }
  for (const key of ['symbol', 'side', 'size', 'entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'pnl', 'returnPct', 'commission']) assert.ok(key in out.trades[0], `trades[].${key} is missing`);
  assert.deepEqual(Object.keys(out.equity[0]).sort(), ['drawdownPct', 'equity', 'time']);
});

test('help, version, unknown commands and exit codes', () => {
  const help = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  assert.equal(help.status, 0);
  for (const c of ['generate', 'validate', 'backtest', 'evaluate', 'data', 'sandbox']) assert.match(help.stdout, new RegExp(`\\n  ${c} `));
  const unknown = spawnSync(process.execPath, [BIN, 'frobnicate'], { encoding: 'utf8' });
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown command 'frobnicate'/);
});

async function startSlowRun(mode: 'docker' | 'none') {
  const dir = mkdtempSync(join(tmpdir(), 'sl-bin-'));
  const file = join(dir, 'slow.strategy.ts');
  // A strategy slow enough that the run is still going when the signal arrives.
  writeFileSync(file, "import { BaseStrategy, type Bar } from 'strategy-lab';\nexport default class Slow extends BaseStrategy {\n  static config = { symbols: ['SPY'], timeframe: '1d' };\n  onBar(bar: Bar) { if (bar.index === 0) this.log('started'); let x = 0; for (let i = 0; i < 2e6; i++) x += i; if (x < 0) this.log('never'); }\n}\n");
  const child = spawn(process.execPath, [BIN, 'backtest', file, '--data', sharedData('SPY_daily_1998_2021_lean.csv'), '--sandbox', mode, ...(mode === 'none' ? ['--trust'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      if (stderr.includes('started')) resolve();
    });
    void exited.then(() => reject(new Error(`the run ended before it started:\n${stderr}`)));
  });
  return { child, exited, stderr: () => stderr };
}

test('Ctrl-C cancels a sandboxed backtest at once: exit 130, no container left', async () => {
  const { child, exited, stderr } = await startSlowRun('docker');
  const sentAt = Date.now();
  child.kill('SIGINT');
  const { code } = await exited;
  const elapsed = Date.now() - sentAt;
  assert.equal(code, 130, stderr());
  assert.ok(elapsed < 1000, `took ${elapsed} ms to stop`);
  assert.match(stderr(), /cancelled/i);
  const { default: Docker } = await import('dockerode');
  const left = await new Docker().listContainers({ all: true, filters: { label: ['strategy-lab.sandbox=1', `strategy-lab.owner-pid=${child.pid}`] } });
  assert.deepEqual(left, [], 'the run left a container behind');
});

test('Ctrl-C ends an in-process backtest at once', async () => {
  const { child, exited } = await startSlowRun('none');
  const sentAt = Date.now();
  child.kill('SIGINT');
  const { signal } = await exited;
  assert.equal(signal, 'SIGINT');
  assert.ok(Date.now() - sentAt < 1000);
});

test('--version is answered from package.json without loading the bundle (a copy with no dist/ still answers)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-bin-version-'));
  mkdirSync(join(dir, 'bin'));
  copyFileSync(BIN, join(dir, 'bin', 'strategy-lab.js'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '9.8.7' }));
  for (const flag of ['--version', '-v']) {
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'strategy-lab.js'), flag], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '9.8.7\n');
  }
  const other = spawnSync(process.execPath, [join(dir, 'bin', 'strategy-lab.js'), 'backtest'], { encoding: 'utf8' });
  assert.equal(other.status, 1);
  assert.match(other.stderr, /not built yet/);
  // The real install: the bundle's answer and the launcher's are the same version.
  const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
  assert.equal(spawnSync(process.execPath, [BIN, '--version'], { encoding: 'utf8' }).stdout, `${version}\n`);
  assert.equal(spawnSync(process.execPath, [join(repoRoot, 'dist', 'cli.js'), '--version'], { encoding: 'utf8' }).stdout, `${version}\n`);
});
