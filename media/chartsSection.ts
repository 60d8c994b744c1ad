/** The Charts section: symbol picker, fit-all, log-scale and buy & hold toggles, and the three synced panes. */
import type { RunRecord } from '../core/history/types';
import { defaultLogEquity, renderResultCharts, type ResultCharts } from './charts/results';
import { formatNumber } from '../core/report/format';
import { h, section } from './dom';
import { readTheme } from './theme';
import { plotColour } from './charts/indicators';

/** The chart choices kept with the panel's state. */
export interface ChartsUi {
  symbol?: string;
  logEquity?: boolean;
  benchmark?: boolean;
  /** The strategy's indicators switched off in the legend (indexes into result.plots.series). */
  hiddenIndicators?: number[];
}

export interface ChartsSection {
  element: HTMLElement;
  /** Draws the panes; call once the element is in the document (they size to it). */
  mount(): ResultCharts;
}

/**
 * The strategy's indicators, each a checkbox in its line colour that shows or hides it (indicators.ts draws
 * them). Colours are set once the theme is read (mount); nothing when the run has no plots.
 */
function indicatorLegend(run: RunRecord, ui: ChartsUi, multiSymbol: boolean, set: (index: number, on: boolean) => void): HTMLElement | null {
  const plots = run.result.plots?.series ?? [];
  if (plots.length === 0) return null;
  const hidden = new Set(ui.hiddenIndicators ?? []);
  return h('div', { class: 'indicator-legend', attrs: { id: 'indicator-legend', role: 'group', 'aria-label': "The strategy's indicators" } },
    ...plots.map((p, i) => {
      const input = h('input', { attrs: { type: 'checkbox', 'data-indicator': String(i) }, on: { change: () => {
        if (input.checked) hidden.delete(i); else hidden.add(i);
        ui.hiddenIndicators = [...hidden].sort((a, b) => a - b);
        set(i, input.checked);
      } } });
      input.checked = !hidden.has(i);
      const where = p.pane === 'price' ? '' : ' (pane below)';
      return h('label', { attrs: { title: `${p.indicator}${p.levels ? `, levels ${p.levels.join(' / ')}` : ''}${where}` } }, input, h('span', { class: 'swatch', attrs: { 'data-swatch': String(i) } }), `${p.name}${multiSymbol ? ` (${p.symbol})` : ''}`);
    }));
}

/** Says when the charts draw some of a long run's bars (core/history/chartPoints.ts), and what stays exact. */
function keptBarsNote(run: RunRecord): HTMLElement | null {
  const d = run.result.run.equityDecimated;
  if (!d) return null;
  return h('p', { class: 'muted', attrs: { id: 'charts-kept-note' }, text:
    `Drawn from ${formatNumber(d.to, 0)} of the run's ${formatNumber(d.from, 0)} bars: each candle spans the bars since the previous one drawn. ` +
    'Every trade\'s bars, each month\'s last bar and the curve\'s highs, lows and deepest drawdown are exact bars of the run; ' +
    'the metrics, trades and monthly returns were computed on every bar.' });
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
  const element = section('charts', 'Charts', controls, keptBarsNote(run),
    h('h3', { text: `Price${symbols.length === 1 ? ` · ${symbols[0]}` : ''}` }), indicatorLegend(run, ui, symbols.length > 1, (i, on) => { charts?.setIndicatorVisible(i, on); onChange(); }), price,
    h('h3', {}, 'Equity growth ', h('span', { class: 'legend equity', text: '— strategy' }), ' ', h('span', { class: 'legend benchmark', text: '— buy & hold' })), equity,
    h('h3', { text: 'Drawdown' }), drawdown);
  return {
    element,
    mount() {
      const theme = readTheme();
      charts = renderResultCharts({ price, equity, drawdown }, run, theme, ui);
      colourSwatches(element, theme);
      return charts;
    },
  };
}

/** The legend's swatches in the lines' colours (again after a theme switch). */
export function colourSwatches(root: HTMLElement, theme: ReturnType<typeof readTheme>): void {
  for (const el of root.querySelectorAll<HTMLElement>('.indicator-legend .swatch')) el.style.background = plotColour(theme, Number(el.dataset.swatch), 0);
}
