/**
 * `strategy-lab generate "<idea>" --refine N`: the refine loop from the CLI, end to end. Offline in the real
 * Docker sandbox (the default), and through a local OpenAI-compatible server on 127.0.0.1 (process sandbox):
 * one line per iteration, the best iteration written (never over an existing file), --json with every
 * iteration, exit codes 0 / 1 / 2 / 130.
 */
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Docker from 'dockerode';
import { cli, withDir } from './generateCli';
import { generateOffline, readRequestFromSource } from '../../core/generate/index';
import { stripRequestHeader } from '../../core/generate/header';
import { LABEL, LABEL_OWNER_PID } from '../../core/sandbox/container';
import { reviewerOf, startChatServer, type ChatServer } from '../evaluate/chat-server';
import { DEFAULT_EVALUATE_SETTINGS } from '../../core/evaluate/settings';

/** Too strict to trade on the sample data at first; one offline step (RSI < 20) trades. */
const STRICT = 'Buy AAPL when RSI drops below 15, sell when it rises above 90';
const SLUG = 'aapl-rsi-15-90.strategy.ts';
const KEY = 'sk-refine-cli-SECRET-0123456789';


async function containersLeft(): Promise<unknown[]> {
  return new Docker().listContainers({ all: true, filters: { label: [`${LABEL}=1`, `${LABEL_OWNER_PID}=${process.pid}`] } });
}

interface JsonIteration {
  iteration: number;
  best: boolean;
  kept: boolean;
  decision: string;
  aims: { flaw: string; reached: boolean | null; detail: string }[];
  score: number | null;
  changes: string[];
  feedback?: string;
  metrics: { tradeCount: number; returnPct: number | null } | null;
  evaluators: { id: string; status: string; score: number | null; reasons: string[] }[];
  line: string;
  source: string | null;
}

describe('generate --refine N, offline, in the Docker sandbox', () => {
  test('two iterations: one line each with verdict, metrics, what changed, its aim and whether it was kept; the kept one is written and its trials counted; --json never overwrites', () =>
    withDir(async (dir) => {
      const r = await cli([STRICT, '--refine', '2'], dir);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /Refining up to 2 iterations \(offline generator\), backtests in the Docker sandbox/);
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('iteration '));
      assert.equal(lines.length, 2, r.stdout);
      assert.match(lines[0], /^iteration 1\/2: [^·]+ · 0 trades, return 0\.00 %, Sharpe n\/a, max drawdown 0\.00 % · first version \(offline generator\) · kept: the first evaluated version, the baseline every change is measured against$/);
      const second = /^iteration 2\/2: [^·]+ · [1-9]\d* trades?, return -?[\d,.]+ %, Sharpe -?[\d.]+, max drawdown -?[\d.]+ % · changed: entry: RSI\(14\) < 15 → RSI\(14\) < 20 \(nothing traded\) · aimed at too few trades \(nothing traded\): (reached|missed) \(risk check 'trades' [^)]+\)\) · (kept|not kept): .+$/.exec(lines[1]);
      assert.ok(second, lines[1]);
      const kept = second[2] === 'kept' ? 2 : 1;
      assert.match(r.stdout, new RegExp(`^Kept: iteration ${kept} of 2 \\(.+\\)\\. Stopped: ran all 2 iteration\\(s\\)\\.`, 'm'));
      assert.match(r.stdout, new RegExp(`^Wrote strategies/${SLUG.replace(/\./g, '\\.')} \\(iteration ${kept}\\)\\. Next: strategy-lab backtest strategies/`, 'm'));
      const written = await readFile(join(dir, 'strategies', SLUG), 'utf8');
      assert.match(written, kept === 2 ? /entryRsiBelow: 20,/ : /entryRsiBelow: 15,/, 'the file is the kept iteration');
      assert.equal(readRequestFromSource(written), STRICT, 'the header is the request');
      // Both iterations were trials of the written strategy.
      const className = /export default class (\w+)/.exec(written)![1];
      const trials = JSON.parse(await readFile(join(dir, '.strategy-lab', 'trials.json'), 'utf8'));
      assert.equal(trials.strategies[`strategies/${SLUG}#${className}`].trials, 2);
      assert.match(r.stderr, new RegExp(`Counted 2 trial\\(s\\) for strategies/${SLUG.replace(/\./g, '\\.')}#${className} \\(2 in all\\)`));

      // The same idea again, as JSON: the existing file is kept, a -2 file is written, every iteration is in the report.
      await writeFile(join(dir, 'strategies', SLUG), '// my edits\n');
      const j = await cli([STRICT, '--refine', '2', '--json'], dir);
      assert.equal(j.code, 0, j.stderr);
      assert.equal(await readFile(join(dir, 'strategies', SLUG), 'utf8'), '// my edits\n', 'never overwritten');
      const report = JSON.parse(j.stdout) as { provider: string; requested: number; sandbox: string; best: number; written: string; stoppedBecause: string; iterations: JsonIteration[] };
      assert.equal(report.provider, 'offline');
      assert.equal(report.requested, 2);
      assert.equal(report.sandbox, 'docker');
      assert.equal(report.best, kept);
      assert.equal(report.written, `strategies/${SLUG.replace('.strategy.ts', '-2.strategy.ts')}`);
      assert.equal(await readFile(join(dir, report.written), 'utf8'), report.iterations[kept - 1].source);
      assert.deepEqual(report.iterations.map((it) => it.iteration), [1, 2]);
      assert.deepEqual(report.iterations.map((it) => it.best), [kept === 1, kept === 2]);
      assert.deepEqual(report.iterations.map((it) => it.kept), [true, kept === 2]);
      assert.deepEqual(report.iterations[1].aims.map((a) => a.flaw), ['too few trades (nothing traded)']);
      assert.deepEqual(report.iterations[0].changes, []);
      assert.deepEqual(report.iterations[1].changes, ['entry: RSI(14) < 15 → RSI(14) < 20 (nothing traded)']);
      assert.equal(report.iterations[0].metrics!.tradeCount, 0);
      assert.ok(report.iterations[1].metrics!.tradeCount > 0);
      assert.match(report.iterations[0].source!, /entryRsiBelow: 15,/);
      for (const it of report.iterations) {
        assert.deepEqual(it.evaluators.map((e) => e.id).sort(), Object.keys(DEFAULT_EVALUATE_SETTINGS.weights).sort(), 'every evaluator reported');
        const execution = it.evaluators.find((e) => e.id === 'execution')!;
        assert.equal(execution.status, 'passed');
        assert.match(execution.reasons[0], /in the Docker sandbox to completion/, 'the backtests ran in Docker');
        assert.equal(it.line, lines[it.iteration - 1], 'the same deterministic run gives the same line');
      }
      assert.deepEqual(await containersLeft(), [], 'no sandbox container left behind');
    }));

  test('Ctrl-C during a sandboxed backtest exits 130, writes nothing and leaves no container', () =>
    withDir(async (dir) => {
      const controller = new AbortController();
      const r = await cli([STRICT, '--refine', '2'], dir, {}, {
        signal: controller.signal,
        onStderr: (t) => { if (/iteration 1\/2: backtesting/.test(t)) setTimeout(() => controller.abort(), 50); },
      });
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, /cancelled; nothing was written/);
      assert.deepEqual(await readdir(dir), []);
      assert.deepEqual(await containersLeft(), []);
    }));
});

describe('generate --refine N through a local OpenAI-compatible server', () => {
  let server: ChatServer;
  // The first reply never trades (RSI below 5 on the sample data); told about zero trades, the model repairs it.
  const neverTrades = stripRequestHeader(generateOffline('Buy AAPL when RSI drops below 5, sell when it rises above 65').source);
  const repaired = stripRequestHeader(generateOffline('Buy AAPL when RSI drops below 35, sell when it rises above 65').source);
  const IDEA = 'Buy AAPL when RSI is low, sell when it is high';
  before(async () => {
    server = await startChatServer((messages) => {
      if (reviewerOf(messages) !== 'generate') return JSON.stringify({ score: 7, reasons: ['looks fine'] });
      return `\`\`\`ts\n${/Zero trades/.test(messages[messages.length - 1].content) ? repaired : neverTrades}\`\`\``;
    });
  });
  after(() => server.close());

  test('the never-trading first reply and the repaired second are both reported; the kept one is written', () =>
    withDir(async (dir) => {
      const args = [IDEA, '--refine', '2', '--provider', 'openai', '--model', 'test-model', '--base-url', server.url, '--sandbox', 'process', '--no-stream'];
      const r = await cli([...args, '--json'], dir, { OPENAI_API_KEY: KEY });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as { provider: string; sandbox: string; best: number; written: string; iterations: JsonIteration[] };
      assert.equal(report.provider, 'openai');
      assert.equal(report.sandbox, 'process');
      assert.equal(report.iterations.length, 2);
      const [first, second] = report.iterations;
      assert.equal(first.kept, true, 'the first evaluated version is the baseline');
      assert.equal(report.best, second.kept ? 2 : 1);
      assert.match(second.decision, second.kept ? /^kept: the verdict improved/ : /^not kept: /);
      assert.equal(first.metrics!.tradeCount, 0);
      assert.match(first.source!, /entryRsiBelow: 5,/);
      assert.ok(second.metrics!.tradeCount > 0);
      assert.match(second.source!, /entryRsiBelow: 35,/);
      assert.ok(second.aims.some((a) => a.flaw === 'Risk failing'), JSON.stringify(second.aims));
      assert.deepEqual(second.changes, ['regenerated with the findings of iteration 1']);
      assert.match(second.feedback!, /Zero trades/);
      assert.match(first.evaluators.find((e) => e.id === 'execution')!.reasons[0], /in process mode to completion/);
      assert.deepEqual(second.evaluators.filter((e) => e.id === 'intent' || e.id === 'quality' || e.id === 'realism').map((e) => e.score), [0.7, 0.7, 0.7], 'the LLM reviews ran');
      const written = await readFile(join(dir, report.written), 'utf8');
      assert.equal(written, report.iterations[report.best - 1].source);
      assert.equal(readRequestFromSource(written), IDEA, 'the header keeps the request, not the feedback');
      const generations = server.requests.filter((m) => reviewerOf(m) === 'generate');
      assert.equal(generations.length, 2);
      assert.match(generations[1].at(-1)!.content, /The previous code:[\s\S]*entryRsiBelow: 5,/);
      assert.ok(!r.stdout.includes(KEY) && !r.stderr.includes(KEY), 'the key is never printed');

      // The text form: one line per iteration, then the best.
      const t = await cli(args, dir, { OPENAI_API_KEY: KEY });
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /^iteration 1\/2: [^·]+ · 0 trades, .* · first version \(model\) · kept: the first evaluated version/m);
      assert.match(t.stdout, /^iteration 2\/2: [^·]+ · [1-9]\d* trades?, .* · changed: regenerated with the findings of iteration 1 · aimed at .* · (kept|not kept): /m);
      assert.match(t.stdout, new RegExp(`^Kept: iteration ${report.best} of 2`, 'm'));
      assert.match(t.stderr, /iteration 1\/2: generating: Attempt 1 of 3/);
    }));

  test('a rejected key stops at once: exit 1, one request, nothing written', () =>
    withDir(async (dir) => {
      const rejecting = await startChatServer(() => ({ status: 401, body: { error: { message: `Incorrect API key provided: ${KEY}` } } }));
      try {
        const r = await cli([IDEA, '--refine', '3', '--provider', 'openai', '--base-url', rejecting.url, '--sandbox', 'none', '--trust'], dir, { OPENAI_API_KEY: KEY });
        assert.equal(r.code, 1);
        assert.match(r.stderr, /API key was rejected/);
        assert.equal(rejecting.requests.length, 1, 'not retried, no further iteration');
        assert.ok(!r.stderr.includes(KEY));
        assert.deepEqual(await readdir(dir), []);
      } finally {
        await rejecting.close();
      }
    }));
});

describe('generate --refine N: bad arguments and failures', () => {
  test('--refine 0, abc, 2.5, 11 and data options without --refine exit 2 with a clear message; nothing written', () =>
    withDir(async (dir) => {
      for (const value of ['0', 'abc', '2.5', '11', '-1']) {
        const r = await cli([STRICT, `--refine=${value}`], dir);
        assert.equal(r.code, 2, value);
        assert.ok(r.stderr.startsWith(`--refine must be a whole number of iterations from 1 to 10, got '${value}'.`), r.stderr);
      }
      const missing = await cli([STRICT, '--refine'], dir);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--refine/);
      const without = await cli([STRICT, '--sandbox', 'none', '--json'], dir);
      assert.equal(without.code, 2);
      assert.match(without.stderr, /^--sandbox, --json only apply with --refine N\./);
      for (const argv of [['--sandbox', 'vm'], ['--source', 'nope'], ['--json', '--print'], ['--data', 'x.csv', '--source', 'yahoo']]) {
        const r = await cli([STRICT, '--refine', '2', ...argv], dir);
        assert.equal(r.code, 2, argv.join(' '));
      }
      assert.deepEqual(await readdir(dir), []);
    }));

  test('help lists --refine', () =>
    withDir(async (dir) => {
      const r = await cli(['--help'], dir);
      assert.equal(r.code, 0);
      assert.match(r.stdout, /--refine N \[--data file\.csv \| --source sample\|csv\|yahoo\|alpaca\].*\[--sandbox docker\|process\|none\]/);
      assert.match(r.stdout, /--refine N \(1–10\): generate → validate → backtest/);
    }));

  test('no iteration can be backtested (missing --data file): exit 1, nothing written', () =>
    withDir(async (dir) => {
      const r = await cli([STRICT, '--refine', '2', '--data', join(dir, 'missing.csv'), '--sandbox', 'none', '--trust'], dir);
      assert.equal(r.code, 1);
      assert.match(r.stdout, /^iteration 1\/2: not evaluated · no backtest result · first version \(offline generator\) · could not be evaluated: .* · not kept: it could not be evaluated/m);
      assert.match(r.stdout, /^Nothing kept: no iteration could be evaluated\. Stopped: iteration 1 could not be evaluated/m);
      assert.match(r.stderr, /error: no iteration could be backtested and evaluated: .*missing\.csv.*; nothing was written/);
      assert.deepEqual(await readdir(dir), []);
    }));
});
