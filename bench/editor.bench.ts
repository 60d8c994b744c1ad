/**
 * The editor's ▶ Backtest (issue 15 target 4), without VS Code: `runBacktestJob` (core/history/pipeline.ts, what
 * client/backtest.ts runs) with a warm Docker pool, on 24 years of daily AAPL (../shared/data) and on a generated
 * 1,000,000-bar minute file. For each run it prints the time from the start to the record the panel shows (metrics
 * and charts, `onResult`), the record's JSON size and the time to serialise it (what the run history writes and the
 * webview message carries), and the time to the finished record with the evaluators (default settings, no LLM,
 * their re-runs in the same pool). The parsed-data cache is warm after the first run, as in a session.
 * `npm run bench -- editor`; EDITOR_RUNS=N runs each case N times (default 4).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { evaluateStrategy } from '../core/evaluate/index';
import { summarizeEvaluation } from '../core/history/evaluation';
import { runBacktestJob } from '../core/history/pipeline';
import type { RunRecord } from '../core/history/types';
import { SandboxRunner } from '../core/sandbox/runner';
import { writeMinuteCsv } from './minuteCsv';

const root = resolve(__dirname, '..');
const RUNS = Number(process.env.EDITOR_RUNS ?? 4);

interface Sample { shown: number; json: number; jsonMs: number; done: number; points: number; bars: number }

async function once(runner: SandboxRunner, csvPath: string, cacheDir: string, source: string): Promise<Sample> {
  await runner.warm();
  const t0 = performance.now();
  let shown = 0;
  let json = 0;
  let jsonMs = 0;
  const record: RunRecord = await runBacktestJob({
    source, file: 'rsi-reversion.strategy.ts', options: { source: 'csv' }, data: { csvPath, cacheDir },
    sandbox: { mode: 'docker', run: (req) => runner.run({ ...req, mode: 'docker' }) },
    evaluate: async (input, signal) => summarizeEvaluation(await evaluateStrategy({ ...input, runner, signal }), { source: input.source, fileName: input.fileName }),
    onResult: (r) => {
      shown = performance.now() - t0;
      const j0 = performance.now();
      json = JSON.stringify(r).length;
      jsonMs = performance.now() - j0;
    },
  });
  return { shown, json, jsonMs, done: performance.now() - t0, points: record.result.equity.length, bars: record.data.bars };
}

const range = (xs: number[], f: (x: number) => string) => `${f(Math.min(...xs))}–${f(Math.max(...xs))}`;

async function main(): Promise<void> {
  console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${RUNS} runs per case, warm Docker pool`);
  const work = mkdtempSync(join(tmpdir(), 'sl-editor-bench-'));
  const source = readFileSync(join(root, 'examples', 'rsi-reversion.strategy.ts'), 'utf8');
  const minutes = join(work, 'minutes.csv');
  writeMinuteCsv(minutes, 1_000_000);
  const runner = new SandboxRunner({ poolSize: 1 });
  try {
    for (const [label, csv] of [['24 y daily AAPL', resolve(root, '..', 'shared', 'data', 'AAPL_daily_1998_2021_lean.csv')], ['1 M minute bars', minutes]] as const) {
      const cache = join(work, `cache-${label.replace(/\W+/g, '-')}`);
      const samples: Sample[] = [];
      for (let i = 0; i <= RUNS; i++) {
        const s = await once(runner, csv, cache, source);
        if (i > 0) samples.push(s); // the first run fills the parsed-data cache and warms the process
        else console.log(`${label}: first run (parses the CSV, cold process) shown at ${s.shown.toFixed(0)} ms`);
      }
      const s = samples[0];
      console.log(`${label} (${s.bars.toLocaleString('en-US')} bars, record keeps ${s.points.toLocaleString('en-US')} points): metrics and charts at ${range(samples.map((x) => x.shown), (x) => x.toFixed(0))} ms (target ≤ 1,000 ms); record ${(s.json / 1e6).toFixed(1)} MB of JSON, serialised in ${range(samples.map((x) => x.jsonMs), (x) => x.toFixed(0))} ms; evaluators done at ${range(samples.map((x) => x.done), (x) => (x / 1000).toFixed(2))} s`);
    }
  } finally {
    await runner.dispose();
    rmSync(work, { recursive: true, force: true });
  }
}

void main().catch((err) => { console.error(err); process.exitCode = 1; });
