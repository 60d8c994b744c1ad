import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli';
import { repoRoot, sharedData } from '../helpers/paths';
import { loadCsv } from '../../core/data/csv';

const RSI_EXAMPLE = join(repoRoot, 'examples/rsi-reversion.strategy.ts');
const SMA_EXAMPLE = join(repoRoot, 'examples/sma-crossover.strategy.ts');

/** Wilder RSI computed independently of the SDK, for checking signals. */
function wilderRsi(closes: Float64Array, period: number): Float64Array {
  const out = new Float64Array(closes.length).fill(NaN);
  let gain = 0, loss = 0;
  for (let i = 1; i < closes.length; i++) {
    const d = closes[i] - closes[i - 1];
    const g = Math.max(d, 0), l = Math.max(-d, 0);
    if (i <= period) { gain += g / period; loss += l / period; }
    else { gain = (gain * (period - 1) + g) / period; loss = (loss * (period - 1) + l) / period; }
    if (i >= period) out[i] = loss === 0 ? 100 : 100 - 100 / (1 + gain / loss);
  }
  return out;
}

interface JsonResult {
  metrics: Record<string, number | string | null>;
  trades: { symbol: string; side: string; size: number; entryTime: string; entryPrice: number; exitTime: string | null; exitPrice: number | null; pnl: number; returnPct: number; commission: number; open: boolean }[];
  equity: { time: string; equity: number; drawdownPct: number }[];
}

describe('strategy-lab backtest, end to end on real data', () => {
  test('RSI 35/65 on AAPL 1998–2021: every entry follows an RSI<35 bar at the next open, every exit an RSI>65 bar', async () => {
    const csv = sharedData('AAPL_daily_1998_2021_lean.csv');
    const r = await runCli(['backtest', RSI_EXAMPLE, '--data', csv, '--sandbox', 'none', '--trust', '--commission', '0.001', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as JsonResult;
    const bars = await loadCsv(csv, { symbol: 'AAPL' });
    const rsi = wilderRsi(bars.close, 14);
    const dayIndex = new Map<string, number>();
    for (let i = 0; i < bars.length; i++) dayIndex.set(new Date(bars.time[i]).toISOString().slice(0, 10), i);
    assert.ok(out.trades.length >= 10, `expected a real number of trades, got ${out.trades.length}`);
    for (const t of out.trades) {
      const entry = dayIndex.get(t.entryTime)!;
      assert.ok(rsi[entry - 1] < 35, `entry ${t.entryTime}: RSI on the signal bar was ${rsi[entry - 1]}`);
      assert.equal(t.entryPrice, bars.open[entry], 'fills at the next open');
      if (!t.open) {
        const exit = dayIndex.get(t.exitTime!)!;
        assert.ok(rsi[exit - 1] > 65, `exit ${t.exitTime}: RSI on the signal bar was ${rsi[exit - 1]}`);
        const pnl = (t.exitPrice! - t.entryPrice) * t.size - t.commission;
        assert.ok(Math.abs(pnl - t.pnl) < 1e-6);
      }
    }
    assert.equal(out.equity.length, bars.length);
    const final = out.equity.at(-1)!.equity;
    assert.ok(Math.abs((out.metrics.equityFinal as number) - final) < 1e-9);
    assert.ok(Math.abs((out.metrics.returnPct as number) - (final / 10_000 - 1) * 100) < 1e-9);
    const pnlSum = out.trades.reduce((s, t) => s + t.pnl, 0);
    assert.ok(Math.abs(10_000 + pnlSum - final) < 1e-6, 'final equity = cash + sum of trade P&L');
    for (const p of out.equity) assert.ok(p.drawdownPct <= 0 && Number.isFinite(p.equity));
  });

  test('SMA 50/200 crossover on SPY 1998–2021: entries and exits sit on crossovers', async () => {
    const csv = sharedData('SPY_daily_1998_2021_lean.csv');
    const r = await runCli(['backtest', SMA_EXAMPLE, '--data', csv, '--sandbox', 'none', '--trust', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as JsonResult;
    const bars = await loadCsv(csv, { symbol: 'SPY' });
    const sma = (n: number, i: number) => { let s = 0; for (let j = i - n + 1; j <= i; j++) s += bars.close[j]; return s / n; };
    const idx = new Map<string, number>();
    for (let i = 0; i < bars.length; i++) idx.set(new Date(bars.time[i]).toISOString().slice(0, 10), i);
    assert.ok(out.trades.length >= 3);
    for (const t of out.trades) {
      const s = idx.get(t.entryTime)! - 1;
      assert.ok(sma(50, s) > sma(200, s) && sma(50, s - 1) <= sma(200, s - 1), `no golden cross before ${t.entryTime}`);
      if (!t.open) {
        const e = idx.get(t.exitTime!)! - 1;
        assert.ok(sma(50, e) < sma(200, e) && sma(50, e - 1) >= sma(200, e - 1), `no death cross before ${t.exitTime}`);
      }
    }
  });

  test('--from/--to restrict the data and --out writes the same JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-cli-'));
    const out = join(dir, 'r.json');
    const r = await runCli(['backtest', RSI_EXAMPLE, '--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--from', '2010-01-01', '--to', '2012-12-31', '--sandbox', 'none', '--trust', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /AaplRsiReversion on AAPL — 75\d bars/);
    assert.match(r.stdout, /Sharpe ratio/);
    const saved = JSON.parse(readFileSync(out, 'utf8')) as JsonResult;
    assert.equal(saved.equity[0].time, '2010-01-04');
    assert.equal(saved.equity.at(-1)!.time, '2012-12-31');
  });
});

test('deterministic: the same run gives byte-identical --json output, in process and in the Docker sandbox', async () => {
  const args = ['backtest', RSI_EXAMPLE, '--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--commission', '0.001', '--slippage-bps', '5', '--json'];
  const a = await runCli([...args, '--sandbox', 'none', '--trust', '--trust']);
  const b = await runCli([...args, '--sandbox', 'none', '--trust', '--trust']);
  const docker = await runCli([...args, '--sandbox', 'docker']);
  for (const r of [a, b, docker]) assert.equal(r.code, 0, r.stderr);
  assert.ok(a.stdout.length > 100_000, 'a full result (20+ years of equity points)');
  assert.equal(b.stdout, a.stdout);
  assert.equal(docker.stdout, a.stdout);
});

test('past 100,000 bars too: --json is byte-identical in process and in the Docker sandbox (the sandbox sends the decimated curve and the full columns)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-big-'));
  const csv = join(dir, 'minutes.csv');
  const lines = ['Date,Open,High,Low,Close,Volume'];
  let price = 100;
  let seed = 7;
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < 130_000; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const open = price;
    price = Math.max(1, price * (1 + (seed / 2 ** 32 - 0.5) * 0.004));
    lines.push(`${new Date(start + i * 60_000).toISOString()},${open},${Math.max(open, price) * 1.001},${Math.min(open, price) * 0.999},${price},${1000 + (seed % 500)}`);
  }
  writeFileSync(csv, lines.join('\n') + '\n');
  const args = ['backtest', RSI_EXAMPLE, '--data', csv, '--json'];
  const local = await runCli([...args, '--sandbox', 'none', '--trust', '--trust']);
  const docker = await runCli([...args, '--sandbox', 'docker']);
  for (const r of [local, docker]) assert.equal(r.code, 0, r.stderr);
  const parsed = JSON.parse(local.stdout) as { equity: unknown[]; trades: unknown[] };
  assert.equal(parsed.equity.length, 130_000, '--json writes every bar');
  assert.ok(parsed.trades.length > 10);
  assert.equal(docker.stdout, local.stdout);
});

test('--docker-host, --image and --memory-mb reach the sandbox run', async () => {
  const args = ['backtest', RSI_EXAMPLE, '--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--sandbox', 'docker'];
  const gone = await runCli([...args, '--docker-host', 'unix:///nowhere/strategy-lab-backtest.sock']);
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /\/nowhere\/strategy-lab-backtest\.sock/, 'the engine that is not there is named');
  const image = await runCli([...args, '--image', 'strategy-lab-no-such-image:1']);
  assert.equal(image.code, 1);
  assert.match(image.stderr, /The configured sandbox image 'strategy-lab-no-such-image:1' is not on the Docker engine/);
  const small = await runCli([...args, '--memory-mb', '128', '--json']);
  assert.equal(small.code, 0, small.stderr);
  assert.ok((JSON.parse(small.stdout) as JsonResult).trades.length > 10, 'a full run within 128 MB');
});

describe('strategy-lab backtest, bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-cli-bad-'));
  test('a missing strategy file', async () => {
    const r = await runCli(['backtest', join(dir, 'nope.ts'), '--sandbox', 'none', '--trust', '--trust']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Strategy file not found: .*nope\.ts\. Check the path/);
  });
  test('bad option values exit 2 with what was expected', async () => {
    for (const [args, pattern, code] of [
      [['--fill', 'later'], /fill must be 'next-open' or 'close'/, 2],
      [['--cash', 'lots'], /--cash must be a number/, 2],
      [['--commission', '3'], /commission is a fraction/, 2],
      [['--sandbox', 'vm'], /--sandbox must be one of docker, process, none/, 2],
      [['--from', '2020-13-45'], /Invalid start date '2020-13-45'/, 1],
      [['--param', 'period'], /--param expects name=value/, 2],
      [['--bogus'], /Unknown option '--bogus'/, 2],
      [['--memory-mb', '50'], /--memory-mb must be at least 96/, 2],
      [['--warm', '12'], /--warm must be a whole number from 0 to 8/, 2],
    ] as const) {
      const r = await runCli(['backtest', RSI_EXAMPLE, '--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--sandbox', 'none', '--trust', ...args]);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
    }
  });
  test('a syntax error names the file, line and column', async () => {
    const f = join(dir, 'broken.strategy.ts');
    writeFileSync(f, "import { BaseStrategy } from 'strategy-lab';\nexport default class X extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n  onBar( { }\n}\n");
    const r = await runCli(['backtest', f, '--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--sandbox', 'none', '--trust', '--trust']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /broken\.strategy\.ts:5:1: ',' expected\. Fix the syntax error, then run again\./);
  });
  test('the text summary is the same in this process, the process sandbox and the Docker sandbox (each stops at the metrics)', async () => {
    // An SMA crossover on 23 years of AAPL: it ends in a position, so the open-trade line shows too.
    const csv = sharedData('AAPL_daily_1998_2021_lean.csv');
    const here = await runCli(['backtest', SMA_EXAMPLE, '--data', csv, '--sandbox', 'none', '--trust', '--commission', '0.001']);
    assert.equal(here.code, 0, here.stderr);
    assert.match(here.stdout, /Sharpe ratio +-?\d/);
    assert.match(here.stdout, /open/i, 'the open-trade line');
    for (const sandbox of ['process', 'docker']) {
      const there = await runCli(['backtest', SMA_EXAMPLE, '--data', csv, '--sandbox', sandbox, '--commission', '0.001']);
      assert.equal(there.code, 0, there.stderr);
      assert.equal(there.stdout, here.stdout, sandbox);
    }
  });
  test('a runtime exception names the bar', async () => {
    const f = join(dir, 'throws.strategy.ts');
    writeFileSync(f, "import { BaseStrategy, type Bar } from 'strategy-lab';\nexport default class Thrower extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n  onBar(bar: Bar) { if (bar.index === 10) throw new Error('bad state'); }\n}\n");
    const column = "  onBar(bar: Bar) { if (bar.index === 10) throw new Error('bad state'); }".indexOf('new') + 1;
    for (const sandbox of [['--sandbox', 'none', '--trust', '--trust'], ['--sandbox', 'process']]) {
      const r = await runCli(['backtest', f, '--data', sharedData('AAPL_daily_1998_2021_lean.csv'), ...sandbox]);
      assert.equal(r.code, 1, sandbox.join(' '));
      assert.match(r.stderr, /Thrower\.onBar threw on AAPL at 1998-01-16 \(bar 10\): bad state/, sandbox.join(' '));
      // The user's file, line and column (through the source map), then the bar.
      assert.ok(r.stderr.includes(`  at ${f}:4:${column}, in onBar, bar 10 (1998-01-16, AAPL)\n`), `${sandbox.join(' ')}: ${r.stderr}`);
    }
  });
  test('a CSV with a bad row names the line', async () => {
    const f = join(dir, 'bad.csv');
    writeFileSync(f, 'Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,100\n2020-01-03,1,oops,0.5,1.5,100\n');
    const r = await runCli(['backtest', RSI_EXAMPLE, '--data', f, '--sandbox', 'none', '--trust', '--trust']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad\.csv:3: /);
  });
  test('an import outside the SDK is refused at load time', async () => {
    const f = join(dir, 'fs.strategy.ts');
    writeFileSync(f, "import { BaseStrategy } from 'strategy-lab';\nimport { readFileSync } from 'fs';\nexport default class Sneaky extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n  onBar() { readFileSync('/etc/passwd'); }\n}\n");
    const r = await runCli(['backtest', f, '--data', sharedData('AAPL_daily_1998_2021_lean.csv'), '--sandbox', 'none', '--trust', '--trust']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /import of 'fs' is not allowed/);
  });
});
