/**
 * The contract between the extension (client/) and the results webview (media/).
 * Types only: both sides import it, nothing here runs.
 */
import type { RunLogLine, RunRecord } from '../core/history/types';
import type { Stage } from '../core/history/stages';

export { STAGES, type Stage } from '../core/history/stages';

export interface PanelAction {
  /** Sent back as { type: 'action', action: id }. */
  id: string;
  label: string;
  /** For 'openSetting': the setting Settings opens at, e.g. 'strategyLab.sandbox.mode'. */
  setting?: string;
}

/** An error the panel shows, always with what to do next. */
export interface PanelError {
  title: string;
  message: string;
  /** What to do about it, e.g. "Start Docker, or set strategyLab.sandbox.mode to 'process'." */
  hint?: string;
  actions?: PanelAction[];
  /** A strategy runtime error placed on its source (core/strategy/errorLocation.ts): the panel links to the line. */
  location?: { file: string; line?: number; column?: number; bar?: number | null; time?: string | null; symbol?: string | null; phase?: string };
}

/** How far the evaluators are, while they run after the results are already shown ("results first"). */
export interface EvaluatorProgress {
  /** Evaluators with a result so far. */
  done: number;
  /** Evaluators in this evaluation (LLM reviewers included, skipped or not). */
  total: number;
  /** What runs now, e.g. "re-run 5 of 14 (look-ahead, determinism, robustness, costs)". */
  current: string;
}

export interface RunStatus {
  state: 'idle' | 'running' | 'done' | 'error' | 'cancelled';
  stage?: Stage;
  /** Id of the run attempt going on (the `running` message's runId); set while state is 'running'. */
  runId?: string;
  /** While stage is 'evaluators': the count and the current step. `model.run` is then already this run's result. */
  evaluators?: EvaluatorProgress;
  /** Strategy being run (class or file name). */
  strategy?: string;
  /** ISO time the current run started. */
  startedAt?: string;
}

/** Everything the panel shows. The webview keeps it with setState, so a hidden panel comes back as it was. */
export interface ViewModel {
  /** The run shown (the latest successful one, kept while a new run is going). */
  run: RunRecord | null;
  /** When set, the panel compares `run` (A) with this run (B). */
  compareWith: RunRecord | null;
  status: RunStatus;
  error: PanelError | null;
  /** Log lines of the current or last run, streamed while it runs. */
  logs: RunLogLine[];
  /**
   * True while `run` is the result of an earlier run and a new one is going (or the new one failed or was
   * cancelled): the panel labels it as such. The extension decides; the webview only renders it.
   */
  stale?: boolean;
  /** Recent runs for the panel's run picker, newest first (the panel is one, reused for every strategy). */
  recent?: RecentRun[];
}

/** One row of the run picker; choosing it sends { type: 'action', action: 'openRun', runId: id }. */
export interface RecentRun {
  id: string;
  strategy: string;
  file: string;
  /** ISO time. */
  createdAt: string;
  returnPct: number | null;
}

export type ToWebview =
  | { type: 'model'; model: ViewModel }
  /**
   * A new run starts (sent before its first 'status'): the webview scrolls to the top, where the running strip,
   * the error box and the cancel notice are. `runId` is the attempt's id (status.runId while it runs).
   */
  | { type: 'running'; runId: string; strategy: string; file: string; startedAt: string }
  /** The run picker's list changed (a run was saved or deleted). */
  | { type: 'recent'; runs: RecentRun[] }
  | { type: 'status'; status: RunStatus }
  | { type: 'log'; lines: RunLogLine[] }
  | { type: 'error'; error: PanelError | null };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'action'; action: 'rerun' | 'exportCsv' | 'exportHtml' | 'history' | 'compare' | 'openSource' | 'generateStrategy' | 'openRun' | 'openSetting' | 'useProcessMode' | 'sandboxDoctor' | string; runId?: string; line?: number; column?: number; setting?: string };

export function emptyModel(): ViewModel {
  return { run: null, compareWith: null, status: { state: 'idle' }, error: null, logs: [] };
}

/** Id of the <script type="application/json"> in which the HTML shell embeds a model (exported reports, tests). */
export const EMBEDDED_MODEL_ID = 'strategy-lab-model';
