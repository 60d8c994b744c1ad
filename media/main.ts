/**
 * Entry of the results webview (bundled by esbuild to dist/media/main.js, an IIFE).
 * Renders a ViewModel; the extension sends whole models or small updates (status,
 * log lines, errors). The model and the UI state are kept with setState so a
 * hidden panel comes back exactly as it was.
 */
import './main.css';
import { compareRuns } from '../core/history/compare';
import type { Trade } from '../core/engine/types';
import type { RunLogLine } from '../core/history/types';
import { renderCompareChart } from './charts/compare';
import type { ResultCharts } from './charts/results';
import { colourSwatches, renderChartsSection, type ChartsUi } from './chartsSection';
import { clear, h, section } from './dom';
import { connectHost } from './host';
import { renderCards, renderMetricsTable } from './metrics';
import { renderComparison, renderError, renderEvaluators, renderHeader, renderLog, renderStatus } from './panels';
import { EMBEDDED_MODEL_ID, emptyModel, type ToWebview, type ViewModel } from './protocol';
import { readTheme } from './theme';
import { renderReturnsTable } from './returnsTable';
import { watchTheme } from './themeWatch';
import { watchRendered } from './renderedState';
import { renderTrades, tradeExtras, type TradeExtras, type TradeSort } from './trades';
import { renderVerdict } from './verdict';

interface UiState extends ChartsUi {
  sort: TradeSort;
  scrollY: number;
  /** Trade number last jumped to. */
  selectedTrade?: number;
}

interface Saved {
  model: ViewModel;
  ui: UiState;
}

const host = connectHost();
// <html data-rendered="…"> once a render, resize or theme switch has painted (the e2e waits on it).
const rendered = watchRendered();
const app = document.getElementById('app') ?? document.body.appendChild(h('main', { attrs: { id: 'app' } }));

function readEmbedded(): ViewModel | undefined {
  const el = document.getElementById(EMBEDDED_MODEL_ID);
  if (!el?.textContent) return undefined;
  try { return JSON.parse(el.textContent) as ViewModel; } catch (err) {
    console.error(`Strategy Lab: the embedded run data is not valid JSON (${(err as Error).message}).`);
    return undefined;
  }
}

const saved = host.getState<Saved>();
let model: ViewModel = saved?.model ?? readEmbedded() ?? emptyModel();
let ui: UiState = saved?.ui ?? { sort: { column: 'n', descending: false }, scrollY: 0 };
let charts: { destroy(): void; applyTheme(theme: ReturnType<typeof readTheme>): void } | null = null;
let extras: TradeExtras | undefined;
let resultCharts: ResultCharts | null = null;
let logPane: ReturnType<typeof renderLog> | null = null;

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function persist(): void {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => host.setState<Saved>({ model, ui }), 150);
}

const action = (id: string) => host.post({ type: 'action', action: id, ...(model.run ? { runId: model.run.id } : {}) });

function actionBar(): HTMLElement | null {
  if (!host.interactive) return null;
  const buttons: [string, string][] = [['rerun', 'Run again'], ['exportCsv', 'Export trades CSV'], ['exportHtml', 'Export HTML report'], ['compare', 'Compare with…'], ['history', 'Run history'], ['openSource', 'Open strategy'], ['generateStrategy', 'Generate strategy…']];
  return h('div', { class: 'actions', attrs: { role: 'toolbar', 'aria-label': 'Run actions' } },
    ...buttons.map(([id, label]) => h('button', { text: label, attrs: { type: 'button', 'data-action': id }, on: { click: () => action(id) } })));
}

/**
 * The run picker (the panel is one, reused for every strategy): recent runs, newest first; choosing one asks
 * the extension to show it. Not in exported reports (no host to ask).
 */
function runPicker(): HTMLElement | null {
  const runs = model.recent ?? [];
  if (!host.interactive || runs.length < 2) return null;
  const current = model.run?.id;
  const select = h('select', {
    attrs: { id: 'run-picker', 'aria-label': 'Show another run' },
    on: { change: (e) => { const id = (e.target as HTMLSelectElement).value; if (id && id !== current) host.post({ type: 'action', action: 'openRun', runId: id }); } },
  }, ...runs.map((r) => {
    const o = h('option', { text: `${r.strategy} · ${r.createdAt.slice(0, 16).replace('T', ' ')}${r.returnPct === null ? '' : ` · ${r.returnPct.toFixed(1)} %`}`, attrs: { value: r.id } });
    o.selected = r.id === current;
    return o;
  }));
  return h('label', { class: 'run-picker', text: 'Run ' }, select);
}

function jumpTo(trade: Trade, n: number): void {
  ui.selectedTrade = n;
  ui.symbol = trade.symbol;
  resultCharts?.jumpTo(trade);
  app.querySelectorAll('tr.trade').forEach((row) => row.setAttribute('aria-selected', String(row.getAttribute('data-n') === String(n))));
  const announce = document.getElementById('announce');
  if (announce) announce.textContent = `Chart shows trade ${n}: ${trade.side} ${trade.symbol} ${trade.entryTime} to ${trade.exitTime ?? 'open'}.`;
  document.getElementById('charts')?.scrollIntoView({ block: 'start' });
  persist();
}

function renderCharts(): HTMLElement {
  const chartsSection = renderChartsSection(model.run!, ui, persist);
  queueMicrotask(() => { resultCharts = chartsSection.mount(); charts = resultCharts; });
  return chartsSection.element;
}

function render(): void {
  charts?.destroy();
  charts = null;
  resultCharts = null;
  clear(app);
  app.append(h('div', { class: 'sr-only', attrs: { id: 'announce', 'aria-live': 'polite' } }));
  const status = renderStatus(model.status);
  if (status) app.append(status);
  if (model.status.state === 'cancelled') app.append(h('p', { class: 'notice', attrs: { id: 'cancelled' }, text: 'The last run was cancelled; showing the previous result.' }));
  if (model.error) app.append(renderError(model.error, host.interactive ? action : null));

  const run = model.run;
  // A new run is going, or the last one failed or was cancelled: what is shown is an earlier result, and says so.
  const running = model.status.state === 'running';
  const stale = run && (running || model.stale)
    ? h('p', { class: 'notice stale-notice', attrs: { id: 'stale' }, text: `Showing the previous run (${run.createdAt.slice(0, 16).replace('T', ' ')}) ${running ? 'while the new one runs' : 'because the last run did not finish'}.` })
    : null;
  if (stale) app.append(stale);
  if (run && model.compareWith) {
    const b = model.compareWith;
    const chartEl = h('div', { class: 'chart chart-equity', attrs: { id: 'chart-compare', role: 'img', 'aria-label': 'Equity growth of both runs in percent' } });
    app.append(h('header', { class: 'run-header' }, h('h1', { text: 'Compare runs' })),
      section('compare', 'Metrics, A against B', renderComparison(compareRuns(run, b))),
      section('compare-chart', 'Equity growth (%)', h('p', {}, h('span', { class: 'legend equity', text: '— A' }), ' ', h('span', { class: 'legend compare', text: '— B' }), h('span', { class: 'muted', text: ' · growth from each run\'s own starting cash' })), chartEl));
    queueMicrotask(() => { charts = renderCompareChart(chartEl, run, b, readTheme()); });
  } else if (run) {
    app.append(renderHeader(run, actionBar()), ...[runPicker()].filter((e): e is HTMLElement => e !== null), renderVerdict(run.evaluation), renderCards(run), renderCharts(),
      renderReturnsTable(run),
      renderTrades(run.result.trades, ui.sort, (sort) => { ui.sort = sort; rerenderTrades(); persist(); }, jumpTo, tradeReasons(), extras ??= tradeExtras(run)),
      renderMetricsTable(run), renderEvaluators(run.evaluation));
  } else if (model.status.state !== 'running' && !model.error) {
    app.append(h('p', { class: 'muted empty', attrs: { id: 'empty' }, text: 'No backtest yet. Click "▶ Backtest" above a strategy class, or run "Strategy Lab: Run Backtest".' }));
  }
  if (!model.compareWith) {
    logPane = renderLog(model.logs, model.status.state === 'running' ? 0 : (run?.logsDropped ?? 0));
    app.append(logPane.element);
  } else logPane = null;
  app.append(h('footer', { class: 'muted credit', text: 'Charts: TradingView Lightweight Charts™ (tradingview.com).' }));
  linkFindingLines();
  requestAnimationFrame(() => window.scrollTo(0, ui.scrollY));
  rendered.touch();
}

/**
 * A finding's "line 21" opens the strategy at that line in the editor (the extension does it: 'openLine').
 * Not in exported reports: there is no editor to open.
 */
function linkFindingLines(): void {
  if (!host.interactive) return;
  for (const el of app.querySelectorAll<HTMLElement>('li.finding[data-line] .finding-line')) {
    const line = el.closest('li')!.getAttribute('data-line')!;
    el.setAttribute('role', 'link');
    el.setAttribute('tabindex', '0');
    el.setAttribute('title', `Open line ${line} of the strategy in the editor`);
    el.classList.add('line-link');
    el.style.cursor = 'pointer';
    el.style.textDecoration = 'underline';
  }
}

function openFindingLine(target: EventTarget | null): boolean {
  const link = (target as HTMLElement | null)?.closest?.('.line-link');
  const at = link?.closest('[data-line]');
  const line = Number(at?.getAttribute('data-line'));
  const column = Number(at?.getAttribute('data-column'));
  if (!link || !Number.isInteger(line) || line < 1) return false;
  host.post({ type: 'action', action: 'openLine', line, ...(Number.isInteger(column) && column >= 1 ? { column } : {}), ...(model.run ? { runId: model.run.id } : {}) });
  return true;
}
app.addEventListener('click', (e) => { if (openFindingLine(e.target)) e.preventDefault(); });
app.addEventListener('keydown', (e) => { if ((e.key === 'Enter' || e.key === ' ') && openFindingLine(e.target)) e.preventDefault(); });

/** Trade number (1-based, as in the table) → why it happened, from the evaluation. */
function tradeReasons(): Map<number, string> {
  return new Map((model.run?.evaluation?.tradeReasons ?? []).map((r) => [r.trade + 1, r.text]));
}

function rerenderTrades(): void {
  const old = document.getElementById('trades');
  if (!old || !model.run) return;
  const focusedColumn = (document.activeElement as HTMLElement | null)?.getAttribute('data-column');
  old.replaceWith(renderTrades(model.run.result.trades, ui.sort, (sort) => { ui.sort = sort; rerenderTrades(); persist(); }, jumpTo, tradeReasons(), extras ??= tradeExtras(model.run)));
  if (focusedColumn) (document.querySelector(`button[data-column="${focusedColumn}"]`) as HTMLElement | null)?.focus();
}

function appendLogs(lines: RunLogLine[]): void {
  model.logs.push(...lines);
  if (model.logs.length > 5000) model.logs.splice(0, model.logs.length - 5000);
  logPane?.append(lines);
}

function handle(message: ToWebview): void {
  switch (message.type) {
    case 'model': {
      // Another run (or a comparison) starts at the top; the same run re-sent keeps its place.
      if (message.model.run?.id !== model.run?.id || message.model.compareWith?.id !== model.compareWith?.id) { ui.scrollY = 0; extras = undefined; }
      model = message.model;
      render();
      break;
    }
    // A new run: back to the top, where its status, errors and the cancel notice show (the 'model' that follows renders).
    case 'running': ui.scrollY = 0; window.scrollTo(0, 0); break;
    case 'recent': {
      model.recent = message.runs;
      const picker = document.querySelector('label.run-picker');
      const next = runPicker();
      if (picker && next) picker.replaceWith(next);
      else if (picker) picker.remove();
      else if (next) document.getElementById('run-header')?.after(next);
      break;
    }
    case 'status': {
      const wasRunning = model.status.state === 'running';
      model.status = message.status;
      // A new run: back to the top, where its progress, errors and the stale notice are.
      if (message.status.state === 'running' && !wasRunning) { model.logs = []; model.error = null; ui.scrollY = 0; render(); }
      else {
        const el = document.getElementById('status');
        const next = renderStatus(model.status);
        if (el && next) el.replaceWith(next);
        else render();
      }
      break;
    }
    case 'log': appendLogs(message.lines); break;
    case 'error': model.error = message.error; if (message.error) ui.scrollY = 0; render(); break;
  }
  persist();
}

window.addEventListener('message', (event: MessageEvent<ToWebview>) => {
  if (event.data && typeof event.data === 'object' && 'type' in event.data) handle(event.data);
});
let scrollTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = setTimeout(() => { ui.scrollY = window.scrollY; persist(); }, 200);
});

// VS Code swaps the body's theme class and the colour variables when the theme changes: re-colour the canvases live.
watchTheme(() => { const theme = readTheme(); charts?.applyTheme(theme); colourSwatches(app, theme); rendered.touch(); });

render();
host.post({ type: 'ready' });
