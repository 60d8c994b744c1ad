/** The Charts section: symbol picker, fit-all, log-scale and buy & hold toggles, and the three synced panes. */
import type { RunRecord } from '../core/history/types';
import { defaultLogEquity, renderResultCharts, type ResultCharts } from './charts/results';
import { h, section } from './dom';
import { readTheme } from './theme';

/** The chart choices kept with the panel's state. */
export interface ChartsUi {
  symbol?: string;
  logEquity?: boolean;
  benchmark?: boolean;
}

export interface ChartsSection {
  element: HTMLElement;
  /** Draws the panes; call once the element is in the document (they size to it). */
  mount(): ResultCharts;
}

export function renderChartsSection(run: RunRecord, ui: ChartsUi, onChange: () => void): ChartsSection {
  let charts: ResultCharts | null = null;
  const pane = (id: string, label: string) => h('div', { class: `chart chart-${id}`, attrs: { id: `chart-${id}`, role: 'img', 'aria-label': label } });
  const price = pane('price', 'Price candles with buy and sell markers, on the same time axis as equity and drawdown');
  const equity = pane('equity', 'Equity growth in percent against buy and hold');
  const drawdown = pane('drawdown', 'Drawdown in percent');
  const symbols = run.chart.candles.map((c) => c.symbol);
  const picker = symbols.length > 1
    ? h('label', { class: 'symbol-picker', text: 'Symbol ' }, h('select', {
      attrs: { id: 'symbol-select' },
      on: { change: (e) => { ui.symbol = (e.target as HTMLSelectElement).value; charts?.showSymbol(ui.symbol); onChange(); } },
    }, ...symbols.map((s) => { const o = h('option', { text: s, attrs: { value: s } }); o.selected = s === ui.symbol; return o; })))
    : null;
  const toggle = (id: string, label: string, checked: boolean, set: (on: boolean) => void) => {
    const input = h('input', { attrs: { type: 'checkbox', id }, on: { change: () => { set(input.checked); onChange(); } } });
    input.checked = checked;
    return h('label', { class: 'toggle' }, input, ` ${label}`);
  };
  const controls = h('div', { class: 'chart-controls', attrs: { role: 'group', 'aria-label': 'Chart view' } },
    picker,
    h('button', { text: 'Fit all', title: 'Show the whole backtest period in every chart', attrs: { type: 'button', id: 'fit-all' }, on: { click: () => charts?.fitAll() } }),
    toggle('toggle-log', 'Log scale (equity)', ui.logEquity ?? defaultLogEquity(run), (on) => { ui.logEquity = on; charts?.setLogEquity(on); }),
    toggle('toggle-benchmark', 'Buy & hold', ui.benchmark ?? true, (on) => { ui.benchmark = on; charts?.setBenchmark(on); }));
  const element = section('charts', 'Charts', controls,
    h('h3', { text: `Price${symbols.length === 1 ? ` · ${symbols[0]}` : ''}` }), price,
    h('h3', {}, 'Equity growth ', h('span', { class: 'legend equity', text: '— strategy' }), ' ', h('span', { class: 'legend benchmark', text: '— buy & hold' })), equity,
    h('h3', { text: 'Drawdown' }), drawdown);
  return {
    element,
    mount() {
      charts = renderResultCharts({ price, equity, drawdown }, run, readTheme(), ui);
      return charts;
    },
  };
}
