/** Builds a RunRecord from a finished backtest: the one place that decides what a saved run holds. */
import { buyAndHold } from '../engine/backtest';
import { EQUITY_FULL_MAX, equityColumnsOf, equityPointAt } from '../engine/equityCurve';
import { buildTimeline } from '../engine/grid';
import type { BarSeries } from '../data/series';
import type { BacktestResult } from '../engine/types';
import { candlesOnSteps, keptSteps } from './chartPoints';
import { RUN_SCHEMA, type CandleSeries, type ChartData, type EvaluationSummary, type RunLogLine, type RunOptions, type RunRecord, type RunSummary } from './types';

/** Strategies that log on every bar would make run files huge; keep the first lines and count the rest. */
export const MAX_SAVED_LOG_LINES = 2000;

export interface RunRecordInput {
  result: BacktestResult;
  /** The bars the run used (same window), for the price chart and buy-and-hold curve. */
  series: BarSeries[];
  strategy: RunRecord['strategy'];
  data: { source: string; timeframe: string; note?: string };
  options: RunOptions;
  sandbox: RunRecord['sandbox'];
  logs?: RunLogLine[];
  evaluation?: EvaluationSummary | null;
  /** Injected for tests; defaults to now. */
  createdAt?: Date;
  /** Injected for tests; defaults to random. */
  randomSuffix?: string;
}

export function createRunRecord(input: RunRecordInput): RunRecord {
  const createdAt = input.createdAt ?? new Date();
  const logs = input.logs ?? [];
  const { result, chart } = recordedRun(input.series, input.result);
  return {
    schema: RUN_SCHEMA,
    id: runId(createdAt, input.strategy.name, input.randomSuffix),
    createdAt: createdAt.toISOString(),
    strategy: input.strategy,
    data: {
      source: input.data.source,
      symbols: result.run.symbols,
      timeframe: input.data.timeframe,
      start: result.run.start,
      end: result.run.end,
      bars: result.run.bars,
      ...(input.data.note ? { note: input.data.note } : {}),
    },
    options: input.options,
    sandbox: input.sandbox,
    result,
    chart,
    evaluation: input.evaluation ?? null,
    logs: logs.slice(0, MAX_SAVED_LOG_LINES),
    logsDropped: Math.max(0, logs.length - MAX_SAVED_LOG_LINES),
  };
}

/** Sortable, file-name-safe and unique enough: 20261124T181500123Z-rsi-reversion-k3f9. */
export function runId(createdAt: Date, strategyName: string, suffix = Math.random().toString(36).slice(2, 6)): string {
  const stamp = createdAt.toISOString().replace(/[-:.]/g, '');
  const slug = strategyName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'strategy';
  return `${stamp}-${slug}-${suffix.replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
}

export function summarize(record: RunRecord): RunSummary {
  const m = record.result.metrics;
  return {
    id: record.id,
    createdAt: record.createdAt,
    strategyName: record.strategy.name,
    file: record.strategy.file,
    symbols: record.data.symbols,
    start: record.data.start,
    end: record.data.end,
    returnPct: m.returnPct,
    sharpeRatio: m.sharpeRatio,
    maxDrawdownPct: m.maxDrawdownPct,
    tradeCount: m.tradeCount,
    overallScore: record.evaluation?.overallScore ?? null,
    ...verdictOf(record.evaluation),
    ...(record.evaluation?.checks ? { failedChecks: [...record.evaluation.checks.failed] } : {}),
    sandbox: record.sandbox.mode,
  };
}

/** null: not evaluated; absent: evaluated before verdicts existed (core/report/verdictText.ts says which). */
function verdictOf(evaluation: EvaluationSummary | null): Pick<RunSummary, 'verdict'> {
  if (!evaluation) return { verdict: null };
  const v = evaluation.verdict;
  return v ? { verdict: { label: v.label, title: v.title, rank: v.rank } } : {};
}

/**
 * The result and chart a record keeps: every bar up to EQUITY_FULL_MAX; past that the kept steps of
 * core/history/chartPoints.ts, flagged by `run.equityDecimated`. The result given is not changed. It may keep
 * every point or be drawable (its own decimation flagged, the full columns beside it): the record's steps are
 * chosen from every bar either way.
 */
function recordedRun(series: BarSeries[], result: BacktestResult): { result: BacktestResult; chart: ChartData } {
  const columns = result.run.equityDecimated ? equityColumnsOf(result) : undefined;
  if (result.run.equityDecimated && !columns) throw new Error('A drawable result without its equity columns cannot be saved: run it in this process with equity \'drawable\' or keep every point.');
  const n = columns ? columns.time.length : result.equity.length;
  if (series.length === 0 || n === 0) return { result, chart: { candles: series.map(toCandles), benchmark: [] } };
  const timeline = buildTimeline(series);
  if (timeline.labels.length !== n) {
    throw new Error(`The bars given for the chart (${timeline.labels.length} timestamps) do not match the run's equity curve (${n} points). Pass the same series the backtest ran on.`);
  }
  const benchmark = benchmarkEquity(series, timeline.labels, result.run.options.cash);
  if (n <= EQUITY_FULL_MAX) return { result, chart: { candles: series.map(toCandles), benchmark: Array.from(benchmark) } };
  const steps = keptSteps(timeline.labels, columns ? columns.equity : equityColumn(result), result.trades);
  const { equityDecimated: _drawn, ...run } = result.run;
  return {
    result: {
      ...result,
      equity: Array.from(steps, (i) => (columns ? equityPointAt(columns, i) : result.equity[i])),
      run: { ...run, equityDecimated: { from: n, to: steps.length } },
    },
    chart: {
      candles: series.map((s, i) => candlesOnSteps(s, timeline.keys[i], timeline, steps)),
      benchmark: Array.from(steps, (i) => benchmark[i]),
    },
  };
}

function equityColumn(result: BacktestResult): Float64Array {
  const out = new Float64Array(result.equity.length);
  for (let i = 0; i < out.length; i++) out[i] = result.equity[i].equity;
  return out;
}

function toCandles(s: BarSeries): CandleSeries {
  return {
    symbol: s.symbol,
    time: Array.from(s.time),
    open: Array.from(s.open),
    high: Array.from(s.high),
    low: Array.from(s.low),
    close: Array.from(s.close),
  };
}

/** The engine's buy-and-hold index on the run's grid, scaled to the starting cash. */
function benchmarkEquity(series: BarSeries[], grid: Float64Array, cash: number): Float64Array {
  const index = buyAndHold(series, grid);
  const first = index[0];
  for (let i = 0; i < index.length; i++) index[i] = first > 0 ? (index[i] / first) * cash : cash;
  return index;
}
