/**
 * The "Optimize Parameters" webview (bundled to dist/media/sweep.js): a form (a range or list per declared
 * param, objective, sampling, budget, constraints), then a sortable table of the variants, a heatmap of any two
 * swept params, and a button that opens the chosen variant's full result (a normal backtest with its params).
 * Every control is a native input, select or button: reachable and usable from the keyboard. Text is set
 * through textContent only (media/dom.ts).
 */
import './controls.css';
import './sweep.css';
import { heatmapOf, type HeatmapOthers } from '../core/sweep/heatmap';
import { OBJECTIVES, OBJECTIVE_LABELS } from '../core/sweep/score';
import { SAMPLING_METHODS } from '../core/sweep/space';
import { clear, h, section } from './dom';
import { defaultSpec, type FromSweepWebview, type SweepForm, type SweepParamField, type SweepRow, type SweepView, type ToSweepWebview } from './sweepProtocol';

interface VsCodeApi {
  postMessage(message: FromSweepWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface State {
  strategy: string;
  params: SweepParamField[];
  form: SweepForm;
  view: SweepView | null;
  status: { kind: 'idle' | 'running' | 'error' | 'cancelled'; text: string };
  sort: { column: string; descending: boolean };
  heat: { x: string; y: string; others: HeatmapOthers };
}

const api: VsCodeApi = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: () => {}, getState: () => undefined, setState: () => {} };
const app = document.getElementById('app')!;
let state: State = (api.getState() as State | undefined) ?? {
  strategy: '',
  params: [],
  form: { specs: {}, swept: {}, objective: 'sharpe', sample: 'grid', budget: '', seed: '1', minTrades: '', maxDrawdown: '' },
  view: null,
  status: { kind: 'idle', text: '' },
  sort: { column: 'rank', descending: false },
  heat: { x: '', y: '', others: 'best' },
};

function save(): void {
  api.setState(state);
}

function post(message: FromSweepWebview): void {
  api.postMessage(message);
}

window.addEventListener('message', (event: MessageEvent<ToSweepWebview>) => {
  const m = event.data;
  switch (m.type) {
    case 'init': {
      const specs: Record<string, string> = {};
      const swept: Record<string, boolean> = {};
      m.params.forEach((p, i) => {
        specs[p.name] = state.form.specs[p.name] ?? defaultSpec(p.value);
        swept[p.name] = state.form.swept[p.name] ?? i < 2;
      });
      state = { ...state, strategy: m.strategy, params: m.params, form: m.form ?? { ...state.form, specs, swept } };
      break;
    }
    case 'progress': {
      const wasRunning = state.status.kind === 'running';
      state.status = { kind: 'running', text: `${m.done.toLocaleString('en-US')}/${m.total.toLocaleString('en-US')} variants${m.etaMs === null ? '' : ` · about ${Math.ceil(m.etaMs / 1000)} s left`}` };
      // Only the status line changes: re-rendering the form would replace the Cancel button under the pointer
      // (a click between its mousedown and mouseup would be lost) and the field being typed in.
      const el = document.getElementById('status');
      if (wasRunning && el) {
        el.replaceWith(renderStatus());
        save();
        return;
      }
      break;
    }
    case 'result': {
      state.view = m.view;
      state.status = { kind: 'idle', text: '' };
      const names = m.view.space.map((d) => d.name);
      if (!names.includes(state.heat.x) || !names.includes(state.heat.y) || state.heat.x === state.heat.y) state.heat = { ...state.heat, x: names[0] ?? '', y: names[1] ?? '' };
      break;
    }
    case 'error':
      state.status = { kind: 'error', text: m.message };
      break;
    case 'cancelled':
      state.status = { kind: 'cancelled', text: 'Cancelled. Finished variants are journaled: run again to resume.' };
      break;
  }
  save();
  render();
});

function render(): void {
  clear(app);
  app.append(h('h1', { text: `Optimize parameters${state.strategy ? ` — ${state.strategy}` : ''}` }), renderForm(), renderStatus());
  if (state.view) app.append(renderSummary(state.view), renderTable(state.view), renderHeatmap(state.view));
}

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'label', text: label }), control, hint ? h('span', { class: 'hint', text: hint }) : null);
}

function input(id: string, value: string, onInput: (v: string) => void, attrs: Record<string, string> = {}): HTMLInputElement {
  const el = h('input', { attrs: { id, type: 'text', spellcheck: 'false', ...attrs } });
  el.value = value;
  el.addEventListener('input', () => {
    onInput(el.value);
    save();
  });
  return el;
}

function select<T extends string>(id: string, options: readonly T[], value: T, label: (v: T) => string, onChange: (v: T) => void): HTMLSelectElement {
  const el = h('select', { attrs: { id } }, ...options.map((o) => h('option', { text: label(o), attrs: { value: o } })));
  el.value = value;
  el.addEventListener('change', () => {
    onChange(el.value as T);
    save();
  });
  return el;
}

function renderForm(): HTMLElement {
  const f = state.form;
  const running = state.status.kind === 'running';
  const rows = state.params.map((p) => {
    const box = h('input', { attrs: { type: 'checkbox', id: `sweep-${p.name}`, 'aria-label': `Sweep ${p.name}` } });
    box.checked = f.swept[p.name] === true;
    box.addEventListener('change', () => {
      f.swept[p.name] = box.checked;
      save();
    });
    return h(
      'tr',
      {},
      h('td', {}, box),
      h('th', { attrs: { scope: 'row' } }, h('label', { text: p.name, attrs: { for: `spec-${p.name}` } })),
      h('td', { class: 'num', text: String(p.value) }),
      h('td', {}, input(`spec-${p.name}`, f.specs[p.name] ?? '', (v) => (f.specs[p.name] = v), { 'aria-describedby': 'spec-help' })),
    );
  });
  const form = h(
    'form',
    { attrs: { id: 'sweep-form', novalidate: '' } },
    h('table', { class: 'params' }, h('thead', {}, h('tr', {}, h('th', { text: 'Sweep' }), h('th', { text: 'Param' }), h('th', { text: 'Declared' }), h('th', { text: 'Values' }))), h('tbody', {}, ...rows)),
    h('p', { class: 'hint', attrs: { id: 'spec-help' }, text: 'Values: from:to:step (10:30:2), a list (25,30,35), true/false or bool. Unswept params keep their declared value.' }),
    h(
      'div',
      { class: 'grid' },
      field('Objective', select('objective', OBJECTIVES, f.objective, (o) => OBJECTIVE_LABELS[o], (v) => (f.objective = v))),
      field('Sampling', select('sample', SAMPLING_METHODS, f.sample, (s) => (s === 'lhs' ? 'Latin hypercube' : s), (v) => (f.sample = v))),
      field('Budget', input('budget', f.budget, (v) => (f.budget = v), { inputmode: 'numeric' }), 'most variants (needed for random / LHS)'),
      field('Seed', input('seed', f.seed, (v) => (f.seed = v), { inputmode: 'numeric' })),
      field('Min trades', input('min-trades', f.minTrades, (v) => (f.minTrades = v), { inputmode: 'numeric' })),
      field('Max drawdown %', input('max-drawdown', f.maxDrawdown, (v) => (f.maxDrawdown = v), { inputmode: 'decimal' })),
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { text: 'Run sweep', attrs: { type: 'submit', id: 'run', ...(running ? { disabled: '' } : {}) } }),
      running ? h('button', { text: 'Cancel', class: 'secondary', attrs: { type: 'button', id: 'cancel' }, on: { click: () => post({ type: 'cancel' }) } }) : null,
    ),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    state.status = { kind: 'running', text: 'Starting…' };
    save();
    post({ type: 'run', form: state.form });
    render();
  });
  return section('sweep-setup', 'Parameter space', form);
}

function renderStatus(): HTMLElement {
  const s = state.status;
  return h('div', { class: `status ${s.kind}`, text: s.text, attrs: { id: 'status', role: s.kind === 'error' ? 'alert' : 'status', 'aria-live': 'polite' } });
}

function fmt(v: number | null, digits = 2): string {
  return v === null || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}

function renderSummary(v: SweepView): HTMLElement {
  const best = v.rows.find((r) => r.id === v.bestId);
  return section(
    'sweep-summary',
    'Result',
    h('p', { text: `${v.variantsTried} variant(s) tried${v.resumed ? ` (${v.resumed} from the journal)` : ''}; ${v.trials} for this strategy in all.` }),
    h('p', { text: `Probability of backtest overfitting: ${v.pbo === null ? '—' : v.pbo.toFixed(2)} (${v.pboNote}). Deflated Sharpe of the best: ${fmt(v.deflatedSharpe, 3)} over ${v.trials} trial(s).` }),
    best
      ? h('p', {}, `Best: ${Object.entries(best.params).filter(([k]) => v.space.some((d) => d.name === k)).map(([k, x]) => `${k}=${x}`).join(', ')} — ${v.objectiveLabel} ${fmt(best.objective, 3)} `,
          h('button', { text: 'Open the best variant\'s full result', attrs: { type: 'button', id: 'open-best' }, on: { click: () => openVariant(best) } }))
      : h('p', { text: 'No variant met the constraints.' }),
  );
}

function openVariant(row: SweepRow): void {
  const names = state.view?.space.map((d) => d.name) ?? [];
  post({ type: 'openVariant', params: Object.fromEntries(names.map((n) => [n, row.params[n]])) });
}

const METRIC_COLUMNS: { id: keyof SweepRow; label: string; digits: number }[] = [
  { id: 'objective', label: 'Objective', digits: 3 },
  { id: 'sharpe', label: 'Sharpe', digits: 2 },
  { id: 'returnPct', label: 'Return %', digits: 1 },
  { id: 'calmar', label: 'Calmar', digits: 2 },
  { id: 'maxDrawdownPct', label: 'Max DD %', digits: 1 },
  { id: 'trades', label: 'Trades', digits: 0 },
];

function sortValue(r: SweepRow, column: string): number | string | boolean | null {
  if (column === 'rank') return r.rank;
  if (column.startsWith('param:')) return r.params[column.slice(6)];
  return r[column as keyof SweepRow] as number | null;
}

/** Rows sorted by a column; missing values last, ties by rank. */
export function sortRows(rows: readonly SweepRow[], column: string, descending: boolean): SweepRow[] {
  return [...rows].sort((a, b) => {
    const x = sortValue(a, column);
    const y = sortValue(b, column);
    if ((x === null) !== (y === null)) return x === null ? 1 : -1;
    const c = x === null || y === null || x === y ? 0 : x < y ? -1 : 1;
    return (descending ? -c : c) || a.rank - b.rank;
  });
}

function renderTable(v: SweepView): HTMLElement {
  const columns = [{ id: 'rank', label: 'Rank' }, ...v.space.map((d) => ({ id: `param:${d.name}`, label: d.name })), ...METRIC_COLUMNS.map((c) => ({ id: c.id as string, label: c.label }))];
  const head = h('tr', {}, ...columns.map((c) => {
    const active = state.sort.column === c.id;
    return h('th', { attrs: { scope: 'col', 'aria-sort': active ? (state.sort.descending ? 'descending' : 'ascending') : 'none' } },
      h('button', { class: 'sort', text: `${c.label}${active ? (state.sort.descending ? ' ▼' : ' ▲') : ''}`, attrs: { type: 'button', 'data-column': c.id }, on: { click: () => {
        state.sort = { column: c.id, descending: active ? !state.sort.descending : c.id !== 'rank' && !c.id.startsWith('param:') };
        save();
        render();
        (document.querySelector(`button[data-column="${CSS.escape(c.id)}"]`) as HTMLElement | null)?.focus();
      } } }));
  }), h('th', { text: '' }));
  const rows = sortRows(v.rows, state.sort.column, state.sort.descending).map((r) =>
    h('tr', { class: r.feasible ? '' : 'infeasible', title: r.violations.join('; ') },
      h('td', { class: 'num', text: String(r.rank) }),
      ...v.space.map((d) => h('td', { class: 'num', text: String(r.params[d.name]) })),
      ...METRIC_COLUMNS.map((c) => h('td', { class: 'num', text: c.id === 'trades' ? String(r.trades) : fmt(r[c.id] as number | null, c.digits) })),
      h('td', {}, h('button', { class: 'link', text: 'Open', attrs: { type: 'button', 'aria-label': `Open the full result of ${r.id}` }, on: { click: () => openVariant(r) } })),
    ));
  return section('sweep-table', `Variants (${v.rows.length})`, h('div', { class: 'scroll' }, h('table', { class: 'variants' }, h('thead', {}, head), h('tbody', {}, ...rows))));
}

function renderHeatmap(v: SweepView): HTMLElement {
  const names = v.space.map((d) => d.name);
  if (names.length < 2) return section('sweep-heatmap', 'Heatmap', h('p', { class: 'hint', text: 'Sweep two or more params for a heatmap.' }));
  const hs = state.heat;
  const controls = h('div', { class: 'grid' },
    field('X', select('heat-x', names, hs.x, (n) => n, (x) => { state.heat.x = x; render(); })),
    field('Y', select('heat-y', names, hs.y, (n) => n, (y) => { state.heat.y = y; render(); })),
    field('Other params', select('heat-others', ['best', 'mean'] as const, hs.others, (o) => (o === 'best' ? 'fixed at the best variant' : 'averaged'), (o) => { state.heat.others = o; render(); })),
  );
  if (hs.x === hs.y) return section('sweep-heatmap', 'Heatmap', controls, h('p', { class: 'hint', text: 'Pick two different params.' }));
  const map = heatmapOf(v.rows, v.space, hs.x, hs.y, hs.others);
  const values = map.cells.flat().filter((c): c is number => c !== null);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const table = h('table', { class: 'heatmap', attrs: { 'aria-label': `${v.objectiveLabel} by ${hs.x} and ${hs.y}` } },
    h('thead', {}, h('tr', {}, h('th', { text: `${hs.y} \\ ${hs.x}`, attrs: { scope: 'col' } }), ...map.xValues.map((x) => h('th', { text: String(x), attrs: { scope: 'col' } })))),
    h('tbody', {}, ...map.yValues.map((y, yi) => h('tr', {}, h('th', { text: String(y), attrs: { scope: 'row' } }), ...map.cells[yi].map((c) => {
      const td = h('td', { class: 'num', text: fmt(c, 3) });
      // CSSOM, not a style attribute: the strict CSP allows no inline style markup.
      if (c !== null) td.style.backgroundColor = `color-mix(in srgb, var(--vscode-charts-green, #26a269) ${Math.round(hi > lo ? ((c - lo) / (hi - lo)) * 70 + 5 : 40)}%, transparent)`;
      return td;
    })))));
  const note = hs.others === 'best' ? (map.fixed && Object.keys(map.fixed).length ? `Other params fixed at the best: ${Object.entries(map.fixed).map(([k, x]) => `${k}=${x}`).join(', ')}.` : '') : 'Each cell is the mean over the other params.';
  return section('sweep-heatmap', 'Heatmap', controls, h('div', { class: 'scroll' }, table), h('p', { class: 'hint', text: `${note} Empty cells: not run, or no variant met the constraints.` }));
}

render();
post({ type: 'ready' });
