/**
 * A saved backtest run: everything needed to show it again and to reproduce it
 * (strategy source, options, data window, result), as one JSON file under
 * `.strategy-lab/runs/`.
 */
import type { ChecksSummary, Verdict } from '../evaluate/verdict/types';
import type { BacktestResult } from '../engine/types';
import type { SandboxMode } from '../run/runStrategy';
import type { StrategyParams } from '../sdk/types';

export const RUN_SCHEMA = 1;

/** Candles of one symbol for the price chart, columnar to keep the JSON small. Times in ms since epoch UTC. */
export interface CandleSeries {
  symbol: string;
  time: number[];
  open: number[];
  high: number[];
  low: number[];
  close: number[];
}

export interface ChartData {
  candles: CandleSeries[];
  /** Buy-and-hold equity on the same grid as `result.equity`, starting at the run's cash. */
  benchmark: number[];
}

/**
 * One evaluator's verdict (evaluation pipeline, issue 7). `status` 'skipped' means it did
 * not run (e.g. no LLM configured) and carries no score; 'error' means it failed to run.
 */
export interface EvaluatorOutcome {
  id: string;
  name?: string;
  kind: 'deterministic' | 'llm';
  status: 'passed' | 'failed' | 'skipped' | 'error';
  /** 0..1, null when skipped or errored. */
  score: number | null;
  reasons: string[];
  details?: unknown;
}

export interface EvaluationSummary {
  evaluators: EvaluatorOutcome[];
  /** The checks (can the result be believed as computed?). Absent in runs saved before the verdict existed. */
  checks?: ChecksSummary;
  /** The strategy verdict (is it worth trading?): the answer to show. Absent in runs saved before the verdict existed. */
  verdict?: Verdict;
  /** Legacy weighted overall score 0..1 over the evaluators that ran; null when none ran. Not the answer: see `verdict`. */
  overallScore: number | null;
  /** How many evaluators the overall score is based on. */
  basedOn: number;
  /** Why each trade happened, in words (index into result.trades), when the request could be read as rules. */
  tradeReasons?: { trade: number; text: string }[];
  /**
   * Evaluator findings resolved to lines of `strategy.source` (the exact code that ran), e.g. "Fragile parameter…"
   * on its `params` entry. Absent in runs saved before findings were kept, and when there were none.
   * The extension sends them to the language server, which shows them while the file's text is that source.
   */
  findings?: EvaluationFinding[];
}

/** One evaluator finding on the code (structurally core/evaluate/code/diagnostics.ts FindingDiagnostic, plus its evaluator). */
export interface EvaluationFinding {
  /** Id of the evaluator that found it, e.g. 'robustness'. */
  evaluator: string;
  /** 1-based line of the start. */
  line: number;
  /** 0-based LSP range. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  message: string;
  severity: 'error' | 'warning' | 'info';
}

/** What the user chose for this run (on top of the strategy's own config). */
export interface RunOptions {
  cash?: number;
  commission?: number;
  commissionFixed?: number;
  slippageBps?: number;
  fill?: 'next-open' | 'close';
  params?: Partial<StrategyParams>;
  /** Date range override, YYYY-MM-DD. */
  from?: string;
  to?: string;
  /** Data source id, e.g. 'sample', 'yahoo', 'csv'. */
  source?: string;
}

export interface RunLogLine {
  /** Bar time the strategy logged at, or null outside onBar. */
  time: string | null;
  message: string;
}

export interface RunRecord {
  schema: typeof RUN_SCHEMA;
  id: string;
  /** ISO time the run finished. */
  createdAt: string;
  strategy: {
    /** Class name. */
    name: string;
    /** Path of the strategy file relative to the workspace folder (forward slashes). */
    file: string;
    /** The exact source that ran. */
    source: string;
    /** The user's original request, when the file has one. */
    request?: string;
  };
  data: {
    source: string;
    symbols: string[];
    timeframe: string;
    start: string | null;
    end: string | null;
    bars: number;
    /** Anything the user should know about the data (e.g. "offline sample", "cached range only"). */
    note?: string;
  };
  options: RunOptions;
  sandbox: {
    /** docker, process, or none (ran in the host process: trusted code only). */
    mode: SandboxMode;
    durationMs: number | null;
  };
  result: BacktestResult;
  chart: ChartData;
  evaluation: EvaluationSummary | null;
  logs: RunLogLine[];
  /** Log lines dropped beyond the cap. */
  logsDropped: number;
}

/** The small part of a run that history lists and pickers show. */
export interface RunSummary {
  id: string;
  createdAt: string;
  strategyName: string;
  file: string;
  symbols: string[];
  start: string | null;
  end: string | null;
  returnPct: number | null;
  sharpeRatio: number | null;
  maxDrawdownPct: number | null;
  tradeCount: number;
  overallScore: number | null;
  /** The verdict's word and sort key; null when the run has none (not evaluated, or saved before verdicts). */
  verdict?: Pick<Verdict, 'label' | 'title' | 'rank'> | null;
  /** Ids of the checks that failed (empty when all passed); absent when the run has no checks. */
  failedChecks?: string[];
  sandbox: RunRecord['sandbox']['mode'];
}
