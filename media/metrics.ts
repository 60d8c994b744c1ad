/** Key-number cards (the verdict headline above them is media/verdict.ts) and the grouped metrics table, each value with its definition on hover and focus. */
import { lastBarOf } from '../core/engine/equityCurve';
import type { RunRecord } from '../core/history/types';
import type { Metrics } from '../core/metrics/types';
import { tradePerformance } from '../core/metrics/performance';
import { METRIC_GROUPS, PERFORMANCE_METRICS, formatMetric, metricInfo, type MetricInfo } from '../core/report/metricCatalog';
import { h, section } from './dom';

const HEADLINE: (keyof Metrics)[] = ['returnPct', 'cagrPct', 'sharpeRatio', 'maxDrawdownPct', 'winRatePct', 'tradeCount'];

function tone(key: keyof Metrics, value: unknown): string {
  if (typeof value !== 'number' || value === 0) return '';
  if (key === 'maxDrawdownPct') return value < -20 ? 'neg' : '';
  if (key === 'returnPct' || key === 'cagrPct' || key === 'sharpeRatio') return value > 0 ? 'pos' : 'neg';
  return '';
}

export function renderCards(run: RunRecord): HTMLElement {
  const cards = HEADLINE.map((key) => {
    const info = metricInfo(key);
    const value = run.result.metrics[key];
    return h('div', { class: `card ${tone(key, value)}`, title: info.definition, attrs: { 'data-metric': key, tabindex: '0' } },
      h('div', { class: 'card-label', text: info.label }),
      h('div', { class: 'card-value', text: formatMetric(value, info.unit) }));
  });
  return h('div', { class: 'cards', attrs: { id: 'cards', role: 'list' } }, ...cards.map((c) => { c.setAttribute('role', 'listitem'); return c; }));
}

function metricTable(id: string, title: string, infos: readonly MetricInfo<string>[], value: (key: string) => number | string | null): HTMLElement {
  const rows = infos.map((info) =>
    h('tr', { attrs: { 'data-metric': info.key } },
      h('th', { attrs: { scope: 'row' } }, h('abbr', { text: info.label, title: info.definition, attrs: { tabindex: '0' } })),
      h('td', { class: 'num', text: formatMetric(value(info.key), info.unit) })));
  return h('table', { class: 'metrics', attrs: { 'data-group': id } }, h('caption', { text: title }), h('tbody', {}, ...rows));
}

/** The 32 statistics in three groups, and TradingView's performance basics (in cash) as a fourth. */
export function renderMetricsTable(run: RunRecord): HTMLElement {
  const metrics = run.result.metrics as unknown as Record<string, number | string | null>;
  const perf = tradePerformance(run.result.trades, lastBarOf(run.result)) as unknown as Record<string, number | null>;
  return section('metrics', 'Metrics', h('div', { class: 'metric-groups' },
    ...METRIC_GROUPS.map((group) => metricTable(group.id, group.title, group.metrics, (key) => metrics[key])),
    metricTable('performance', 'Performance (cash)', PERFORMANCE_METRICS, (key) => perf[key])));
}
