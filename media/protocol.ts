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
}

/** An error the panel shows, always with what to do next. */
export interface PanelError {
  title: string;
  message: string;
  /** What to do about it, e.g. "Start Docker, or set strategyLab.sandbox.mode to 'process'." */
  hint?: string;
  actions?: PanelAction[];
}

export interface RunStatus {
  state: 'idle' | 'running' | 'done' | 'error' | 'cancelled';
  stage?: Stage;
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
}

export type ToWebview =
  | { type: 'model'; model: ViewModel }
  | { type: 'status'; status: RunStatus }
  | { type: 'log'; lines: RunLogLine[] }
  | { type: 'error'; error: PanelError | null };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'action'; action: 'rerun' | 'exportCsv' | 'exportHtml' | 'history' | 'compare' | 'openSource' | 'generateStrategy' | string; runId?: string };

export function emptyModel(): ViewModel {
  return { run: null, compareWith: null, status: { state: 'idle' }, error: null, logs: [] };
}

/** Id of the <script type="application/json"> in which the HTML shell embeds a model (exported reports, tests). */
export const EMBEDDED_MODEL_ID = 'strategy-lab-model';
