/** The smaller parts of the results panel: run header, status line, error panel, evaluators, log, comparison table. */
import type { RunComparison } from '../core/history/compare';
import type { EvaluationSummary, RunLogLine, RunRecord } from '../core/history/types';
import { formatMetric } from '../core/report/metricCatalog';
import { formatDuration, formatNumber } from '../core/report/format';
import { h, section } from './dom';
import { STAGES, type PanelError, type RunStatus } from './protocol';

export function renderHeader(run: RunRecord, actions: HTMLElement | null): HTMLElement {
  const o = run.result.run.options;
  const facts = [
    `${run.data.symbols.join(', ')} · ${run.data.timeframe}`,
    `${run.data.start ?? '?'} → ${run.data.end ?? '?'} (${formatNumber(run.data.bars, 0)} bars${run.result.metrics.durationDays !== null ? `, ${formatDuration(run.result.metrics.durationDays)}` : ''})`,
    `data: ${run.data.source}${run.data.note ? ` (${run.data.note})` : ''}`,
    `cash ${formatNumber(o.cash, 0)} · commission ${formatNumber(o.commission * 100, 2)} % · fee ${formatNumber(o.commissionFixed, 2)} · slippage ${formatNumber(o.slippageBps, 1)} bps · fill ${o.fill}`,
    `sandbox: ${run.sandbox.mode}${run.sandbox.durationMs !== null ? ` · ${formatNumber(run.sandbox.durationMs / 1000, 2)} s` : ''}`,
    `run ${run.id}`,
  ];
  return h('header', { class: 'run-header', attrs: { id: 'run-header' } },
    h('div', {},
      h('h1', { text: run.strategy.name }),
      h('div', { class: 'muted', text: run.strategy.file }),
      h('ul', { class: 'facts' }, ...facts.map((f) => h('li', { text: f })))),
    actions);
}

export function renderStatus(status: RunStatus): HTMLElement | null {
  if (status.state !== 'running') return null;
  const current = status.stage ? STAGES.indexOf(status.stage) : -1;
  return h('div', { class: 'status', attrs: { id: 'status', role: 'status', 'aria-live': 'polite' } },
    h('span', { class: 'spinner', attrs: { 'aria-hidden': 'true' } }),
    h('span', { text: `Running ${status.strategy ?? 'backtest'}…` }),
    h('ol', { class: 'stages' }, ...STAGES.map((stage, i) =>
      h('li', { class: i < current ? 'done' : i === current ? 'active' : '', text: stage }))));
}

export function renderError(error: PanelError, onAction: ((id: string) => void) | null): HTMLElement {
  return h('div', { class: 'error-panel', attrs: { id: 'error', role: 'alert' } },
    h('h2', { text: error.title }),
    h('p', { class: 'error-message', text: error.message }),
    error.location ? renderErrorLocation(error.location, onAction !== null) : null,
    error.hint ? h('p', { class: 'error-hint', text: error.hint }) : null,
    onAction && error.actions?.length
      ? h('div', { class: 'actions' }, ...error.actions.map((a) => h('button', { text: a.label, attrs: { type: 'button', 'data-action': a.id }, on: { click: () => onAction(a.id) } })))
      : null);
}

/**
 * Where a strategy's runtime error happened: `file:line:col` (a link to the line in the editor, main.ts handles
 * clicks on `.line-link` inside `[data-line]`) and the bar.
 */
function renderErrorLocation(location: NonNullable<PanelError['location']>, interactive: boolean): HTMLElement {
  const place = location.line !== undefined ? `${location.file}:${location.line}:${location.column ?? 1}` : location.file;
  const bar = location.bar !== undefined && location.bar !== null
    ? `bar ${location.bar}${location.time ? ` (${location.time}${location.symbol ? `, ${location.symbol}` : ''})` : ''}`
    : '';
  const phase = location.phase ? `in ${location.phase}` : '';
  const link = location.line !== undefined && interactive;
  return h('p', { class: 'error-location', attrs: { id: 'error-location', ...(location.line !== undefined ? { 'data-line': String(location.line), 'data-column': String(location.column ?? 1) } : {}) } },
    'At ',
    h('span', link
      ? { class: 'line-link', text: place, attrs: { role: 'link', tabindex: '0', title: `Open line ${location.line} of the strategy in the editor` } }
      : { class: 'mono', text: place }),
    [phase, bar].filter(Boolean).length ? `, ${[phase, bar].filter(Boolean).join(', ')}` : '');
}

export function renderEvaluators(evaluation: EvaluationSummary | null): HTMLElement {
  if (!evaluation || evaluation.evaluators.length === 0) {
    return section('evaluators', 'Evaluators', h('p', { class: 'muted', attrs: { id: 'no-evaluators' }, text: 'No evaluators run for this backtest, so it has no verdict.' }));
  }
  // Each evaluator's own score stays as its detail; there is no overall score (the verdict above is the answer).
  const ran = evaluation.evaluators.filter((e) => e.status === 'passed' || e.status === 'failed').length;
  const overall = `${ran} of ${evaluation.evaluators.length} evaluators ran; the verdict and the checks at the top say what they mean together.`;
  const items = evaluation.evaluators.map((e) =>
    h('li', { class: `evaluator ${e.status}`, attrs: { 'data-evaluator': e.id } },
      h('div', { class: 'evaluator-head' },
        h('span', { class: `badge ${e.status}`, text: e.status }),
        h('strong', { text: e.name ?? e.id }),
        h('span', { class: 'muted', text: e.kind }),
        h('span', { class: 'score', text: e.score === null ? '—' : `${Math.round(e.score * 100)}` })),
      e.reasons.length ? h('ul', { class: 'reasons' }, ...e.reasons.map((r) => h('li', { text: r }))) : null));
  // Findings on the code, resolved to lines of the source that ran (runs saved before they were kept have none).
  const findings = evaluation.findings ?? [];
  const onCode = findings.length
    ? h('div', { class: 'findings', attrs: { id: 'evaluator-findings' } },
      h('h3', { text: `On the code (${findings.length})` }),
      h('ul', { class: 'finding-list' }, ...findings.map((f) =>
        h('li', { class: `finding ${f.severity}`, attrs: { 'data-line': String(f.line), 'data-evaluator': f.evaluator } },
          h('span', { class: 'finding-line', text: `line ${f.line}` }),
          h('span', { class: 'muted', text: f.evaluator }),
          h('span', { class: 'finding-message', text: f.message })))))
    : null;
  return section('evaluators', 'Evaluators', h('p', { text: overall }), h('ul', { class: 'evaluator-list' }, ...items), onCode);
}

/** Lines kept in the DOM; a saved run already caps its log, a live run can produce more. */
export const MAX_LOG_LINES = 5000;

export function formatLogLine(line: RunLogLine): string {
  return line.time ? `[${line.time}] ${line.message}` : line.message;
}

export function renderLog(lines: RunLogLine[], dropped: number): { element: HTMLElement; append(more: RunLogLine[]): void } {
  const pre = h('pre', { class: 'log', attrs: { id: 'log-lines', tabindex: '0', 'aria-label': 'Strategy log' } });
  const empty = h('p', { class: 'muted', text: 'The strategy has not logged anything (use this.log(...) in the strategy).' });
  // One text node per batch: dropping the oldest batches keeps the pane bounded cheaply.
  const batches: { node: Text; lines: number }[] = [];
  let count = 0;
  const append = (more: RunLogLine[]) => {
    if (more.length === 0) return;
    empty.remove();
    const stick = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    const node = document.createTextNode(more.map(formatLogLine).join('\n') + '\n');
    pre.append(node);
    batches.push({ node, lines: more.length });
    count += more.length;
    while (count > MAX_LOG_LINES && batches.length > 1) {
      const oldest = batches.shift()!;
      oldest.node.remove();
      count -= oldest.lines;
    }
    if (stick) pre.scrollTop = pre.scrollHeight;
  };
  const element = section('log', 'Log', lines.length ? null : empty, pre,
    dropped > 0 ? h('p', { class: 'muted', text: `${dropped} more line(s) were not saved.` }) : null);
  append(lines);
  return { element, append };
}

function legendItem(name: string, run: RunComparison['a']): HTMLElement {
  return h('li', { attrs: { 'data-run': name } },
    h('strong', { text: `${name}: ` }), `${run.label} (${run.id})`,
    h('br'),
    h('span', { class: 'muted', text: `cash ${formatNumber(run.cash, 0)} · ${run.costs} · ${run.start ?? '?'} → ${run.end ?? '?'}` }));
}

/** Every metric of both runs, the difference, and the better side by the metric's meaning (the catalog's direction). */
export function renderComparison(cmp: RunComparison): HTMLElement {
  const rows = cmp.rows.map((row) =>
    h('tr', { attrs: { 'data-metric': row.info.key, ...(row.better ? { 'data-better': row.better } : {}) } },
      h('th', { attrs: { scope: 'row' } }, h('abbr', { text: row.info.label, title: row.info.definition, attrs: { tabindex: '0' } })),
      h('td', { class: `num ${row.better === 'a' ? 'better' : ''}`, text: formatMetric(row.a, row.info.unit) }),
      h('td', { class: `num ${row.better === 'b' ? 'better' : ''}`, text: formatMetric(row.b, row.info.unit) }),
      row.notCompared
        ? h('td', { class: 'num muted not-compared', text: 'not compared', title: `Not compared: ${row.notCompared}.` })
        : h('td', { class: 'num', text: row.delta === null ? '' : `${row.delta > 0 ? '+' : ''}${formatMetric(row.delta, row.info.unit === 'date' ? 'ratio' : row.info.unit)}` })));
  // Short column heads keep the table narrow; the legend above says which run is which.
  return h('div', {},
    h('ul', { class: 'compare-legend' }, legendItem('A', cmp.a), legendItem('B', cmp.b)),
    cmp.cashDiffers ? h('p', { class: 'notice', attrs: { id: 'cash-differs' }, text: 'The runs started with different cash: compare them by returns (%); money figures are shown but neither is marked better.' }) : null,
    h('p', { class: 'muted', text: 'Bold: the better run on that metric, by what the metric means (higher return, shallower drawdown, fewer losses in a row …); metrics that are neither better nor worse when higher are not marked.' }),
    h('div', { class: 'wide-table' }, h('table', { class: 'metrics compare', attrs: { id: 'compare-table' } },
      h('thead', {}, h('tr', {},
        h('th', { text: 'Metric', attrs: { scope: 'col' } }),
        h('th', { class: 'num', text: 'A', title: cmp.a.label, attrs: { scope: 'col' } }),
        h('th', { class: 'num', text: 'B', title: cmp.b.label, attrs: { scope: 'col' } }),
        h('th', { class: 'num', text: 'B − A', attrs: { scope: 'col' } }))),
      h('tbody', { attrs: { id: 'compare-verdict' } },
        h('tr', { attrs: { 'data-row': 'verdict' } },
          h('th', { text: 'Verdict', attrs: { scope: 'row' } }),
          h('td', { class: `num ${cmp.verdict.better === 'a' ? 'better' : ''}`, text: cmp.verdict.a }),
          h('td', { class: `num ${cmp.verdict.better === 'b' ? 'better' : ''}`, text: cmp.verdict.b }),
          h('td', {})),
        h('tr', { attrs: { 'data-row': 'checks' } },
          h('th', { text: 'Checks', attrs: { scope: 'row' } }),
          h('td', { class: 'num', text: cmp.verdict.checks.a ?? 'not evaluated' }),
          h('td', { class: 'num', text: cmp.verdict.checks.b ?? 'not evaluated' }),
          h('td', {}))),
      h('tbody', {}, ...rows))));
}
