/**
 * The results view's headline: the strategy verdict as a word with its reasons, and the checks (can the result be
 * believed) shown apart, pass/fail each. Words come from core/report/verdictText.ts, as on every other surface.
 */
import type { EvaluationSummary } from '../core/history/types';
import { checksHeadline, evidenceLine, shownVerdict } from '../core/report/verdictText';
import { h } from './dom';

export function renderVerdict(evaluation: EvaluationSummary | null): HTMLElement {
  const shown = shownVerdict(evaluation);
  const main = typeof shown === 'string'
    ? h('div', { class: 'verdict-main' },
      h('div', { class: 'verdict-kicker', text: 'Strategy verdict' }),
      h('h2', { class: 'verdict-word none', text: shown, attrs: { id: 'verdict-title' } }),
      h('p', { class: 'muted', text: evaluation ? 'This run was evaluated before verdicts existed: run it again for a verdict and its checks.' : 'No evaluators ran for this backtest.' }))
    : h('div', { class: 'verdict-main' },
      h('div', { class: 'verdict-kicker', text: 'Strategy verdict: is it worth trading?' }),
      h('h2', { class: 'verdict-word', text: shown.title, attrs: { id: 'verdict-title' } }),
      shown.reasons.length ? h('ul', { class: 'verdict-reasons', attrs: { 'aria-label': 'Why' } }, ...shown.reasons.map((r) => h('li', { text: r }))) : null,
      shown.evidence ? h('details', { class: 'verdict-evidence', attrs: { id: 'verdict-evidence' } },
        h('summary', { text: 'Evidence' }),
        h('p', { text: evidenceLine(shown.evidence) }),
        ...[shown.evidence.sharpeCI, shown.evidence.returnCI, shown.evidence.tradeReturnCI].filter((ci) => ci !== null)
          .map((ci, i) => h('p', { class: 'muted', text: `${['Sharpe', 'Annual return', 'Mean trade return'][i]} interval: ${ci!.method}.` }))) : null);
  const label = typeof shown === 'string' ? 'none' : shown.label;
  return h('section', { class: `verdict-headline verdict-${label}`, attrs: { id: 'verdict', 'aria-labelledby': 'verdict-title', 'data-verdict': label } },
    main, renderChecks(evaluation));
}

function renderChecks(evaluation: EvaluationSummary | null): HTMLElement | null {
  if (!evaluation) return null;
  const checks = evaluation.checks;
  return h('div', { class: `checks ${checks ? (checks.passed ? 'passed' : 'failed') : 'none'}`, attrs: { id: 'checks', role: 'group', 'aria-labelledby': 'checks-title' } },
    h('h3', { text: 'Checks: can the result be believed?', attrs: { id: 'checks-title' } }),
    h('p', { class: 'checks-headline', text: checksHeadline(checks) }),
    checks ? h('ul', { class: 'check-list' }, ...checks.items.map((c) =>
      h('li', { class: `check ${c.status}`, attrs: { 'data-check': c.id } },
        h('span', { class: `badge ${c.status}`, text: c.status === 'error' ? 'error' : c.status === 'passed' ? 'pass' : c.status === 'failed' ? 'fail' : 'skipped' }),
        h('strong', { text: c.name }),
        h('span', { class: 'check-reason', text: c.reason })))) : null);
}
