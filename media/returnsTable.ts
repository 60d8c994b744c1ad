/** Monthly and annual returns of the strategy as a year × month table (core/metrics/calendarReturns.ts). */
import { parseTime } from '../core/engine/time';
import type { RunRecord } from '../core/history/types';
import { calendarReturns } from '../core/metrics/calendarReturns';
import { formatNumber } from '../core/report/format';
import { h, section } from './dom';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const cell = (value: number | null | undefined, cls = '') =>
  h('td', { class: `num ${cls} ${value === null || value === undefined ? '' : value > 0 ? 'pos' : value < 0 ? 'neg' : ''}`.trim(), text: value === null || value === undefined ? '' : formatNumber(value, 1) });

export function renderReturnsTable(run: RunRecord): HTMLElement {
  const r = calendarReturns(run.result.equity.map((p) => parseTime(p.time)), run.result.equity.map((p) => p.equity));
  if (r.years.length === 0) return section('returns', 'Monthly returns (%)', h('p', { class: 'muted', text: 'No bars.' }));
  const head = h('tr', {}, h('th', { text: 'Year', attrs: { scope: 'col' } }), ...MONTHS.map((m) => h('th', { class: 'num', text: m, attrs: { scope: 'col' } })), h('th', { class: 'num', text: 'Year', attrs: { scope: 'col' } }));
  const rows = [...r.years].reverse().map((year) =>
    h('tr', { attrs: { 'data-year': String(year) } },
      h('th', { text: String(year), attrs: { scope: 'row' } }),
      ...r.monthly.get(year)!.map((v) => cell(v)),
      cell(r.annual.get(year), 'year')));
  return section('returns', 'Monthly returns (%)',
    h('p', { class: 'muted', text: 'Each month: its last equity over the previous month\'s, in percent; the year column compounds the months (a partial first or last year covers only its bars).' }),
    h('div', { class: 'wide-table' }, h('table', { class: 'returns', attrs: { id: 'returns-table' } }, h('thead', {}, head), h('tbody', {}, ...rows))));
}
