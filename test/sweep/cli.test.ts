/**
 * `strategy-lab optimize` and `walkforward` end to end (in this process, --sandbox none --trust) on real AAPL bars:
 * the JSON, the best variant's full result one command away, resume from the journal, cancel, and bad input as
 * one actionable line with exit code 2.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli';
import { repoRoot, sharedData } from '../helpers/paths';

const RSI = join(repoRoot, 'examples/rsi-reversion.strategy.ts');
let csv: string;
let dir: string;
const home = process.cwd();

before(() => {
  csv = sharedData('AAPL_daily_1998_2021_lean.csv');
  dir = mkdtempSync(join(tmpdir(), 'optimize-cli-'));
  process.chdir(dir); // the journal and the trial count live under the current directory
});
after(() => {
  process.chdir(home);
  rmSync(dir, { recursive: true, force: true });
});

const base = () => [RSI, '--data', csv, '--sandbox', 'none', '--trust', '--cash', '10000'];

describe('strategy-lab optimize', () => {
  it('--json: ranked variants, honest-trials figures, and a best command whose backtest gives the same numbers', async () => {
    const r = await runCli(['optimize', ...base(), '--param', 'period=10:20:5', '--param', 'buyBelow=25,35', '--objective', 'return', '--heatmap', 'period,buyBelow', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.variantsTried, 6);
    assert.equal(out.variants.length, 6);
    assert.equal(out.trials, 6);
    assert.ok(out.pbo.value >= 0 && out.pbo.value <= 1 && out.pbo.splits === 16);
    assert.ok(out.deflatedSharpe > 0 && out.deflatedSharpe < 1);
    assert.deepEqual(out.variants.map((v: { returnPct: number }) => v.returnPct), [...out.variants.map((v: { returnPct: number }) => v.returnPct)].sort((a, b) => b - a));
    assert.equal(out.heatmap.cells.length, 2);
    assert.match(r.stderr, /6\/6 variants \(100 %\)/, 'progress with the count');
    assert.match(out.bestCommand, /^strategy-lab backtest .* --data .* --sandbox none --trust --cash 10000 --param period=\d+ --param buyBelow=\d+$/);
    const args = out.bestCommand.split(' ').slice(1);
    const bt = await runCli([...args, '--json']);
    assert.equal(bt.code, 0, bt.stderr);
    const metrics = JSON.parse(bt.stdout).metrics;
    assert.equal(metrics.returnPct, out.best.returnPct);
    assert.equal(metrics.sharpeRatio, out.best.sharpe);
    const trials = JSON.parse(readFileSync(join(dir, '.strategy-lab', 'trials.json'), 'utf8'));
    assert.equal(trials.strategies[Object.keys(trials.strategies)[0]].trials, 6, 'the trial count joins the strategy record');
  });

  it('a repeated run resumes everything from the journal and counts no new trials; --full prints the best full result', async () => {
    const r = await runCli(['optimize', ...base(), '--param', 'period=10:20:5', '--param', 'buyBelow=25,35', '--objective', 'return', '--full']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Trials: 6 variant\(s\) tried \(6 from the journal\); 6 for this strategy in all/);
    assert.match(r.stdout, /Full result of the best variant:\n.*AaplRsiReversion on AAPL/);
    assert.match(r.stdout, /Journal: \.strategy-lab\/sweeps\/[0-9a-f]{16}/);
  });

  it('cancelled before it starts: exit 130 and how to resume', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await runCli(['optimize', ...base(), '--param', 'period=30:40:5'], controller.signal);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /run the same command again to resume/);
  });

  const bad: [string, string[], RegExp][] = [
    ['unknown param', ['--param', 'perod=10:20:2'], /Unknown param 'perod': the strategy declares 'period', 'buyBelow', 'sellAbove'/],
    ['empty range', ['--param', 'period=20:10:2'], /range 20:10:2 is empty/],
    ['step 0', ['--param', 'period=10:20:0'], /step must be > 0/],
    ['no --param', [], /at least one --param/],
    ['bad objective', ['--param', 'period=10', '--objective', 'alpha'], /--objective must be one of sharpe, return, calmar, verdict/],
    ['grid over the budget', ['--param', 'period=2:40:1', '--budget', '10'], /grid has 39 variants, more than --budget 10/],
    ['bad sampling', ['--param', 'period=2:40:1', '--sample', 'sobol'], /--sample must be one of grid, random, lhs/],
    ['swarm without the Docker sandbox', ['--param', 'period=10', '--engine', 'swarm'], /swarm engine runs the Docker sandbox: use --sandbox docker with --engine swarm/],
    ['bad engine', ['--param', 'period=10', '--engine', 'cloud'], /--engine must be local or swarm/],
    ['heatmap of an unswept param', ['--param', 'period=10,12', '--heatmap', 'period,sellAbove'], /two swept params/],
    ['bad drawdown', ['--param', 'period=10', '--max-drawdown', '150'], /--max-drawdown is a percentage/],
  ];
  for (const [what, args, message] of bad) {
    it(`bad input (${what}): exit 2 with an actionable line`, async () => {
      const r = await runCli(['optimize', ...base(), ...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /internal error/);
    });
  }

  it('--sandbox none without --trust is refused', async () => {
    const r = await runCli(['optimize', RSI, '--data', csv, '--sandbox', 'none', '--param', 'period=10']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Refusing to run the strategy in this process/);
  });
});

describe('strategy-lab walkforward', () => {
  it('--json: windows, stitched OOS, efficiency and stability', async () => {
    const r = await runCli(['walkforward', ...base(), '--param', 'period=10,20', '--param', 'buyBelow=25,35', '--in-sample', '1500', '--out-of-sample', '1000', '--anchored', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.windows.length, 4, '5,849 bars: cuts at 1500, 2500, 3500, 4500 with a full 1000-bar OOS window');
    assert.ok(out.windows.every((w: { inSample: { from: string } }) => w.inSample.from === '1998-01-02'), 'anchored');
    assert.deepEqual(out.windows.map((w: { inSample: { bars: number } }) => w.inSample.bars), [1500, 2500, 3500, 4500]);
    assert.equal(out.runs, 16);
    assert.equal(out.variantsTried, 4);
    assert.equal(out.stability.length, 2);
    assert.equal(out.equity.length, out.windows.reduce((n: number, w: { outOfSample: { bars: number } }) => n + w.outOfSample.bars, 0));
    assert.match(r.stderr, /in-sample: 16\/16 runs/);
  });

  it('bad windows: exit 2 with what to change', async () => {
    const long = await runCli(['walkforward', ...base(), '--param', 'period=10', '--in-sample', '20y', '--out-of-sample', '5y']);
    assert.equal(long.code, 2);
    assert.match(long.stderr, /No walk-forward window fits.*Shorten the windows/);
    const missing = await runCli(['walkforward', ...base(), '--param', 'period=10']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /Give --in-sample and --out-of-sample/);
    const bad = await runCli(['walkforward', ...base(), '--param', 'period=10', '--in-sample', '2q', '--out-of-sample', '6m']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--in-sample is a length in bars/);
  });
});
