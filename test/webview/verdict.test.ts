/**
 * The results view's headline in headless Chromium: the verdict as a word with its reasons, the checks apart
 * (pass/fail each), a failed check shown as "Do not trust" naming the check, runs without a verdict saying so;
 * in the exported HTML report (no VS Code theme) and with VS Code's light and dark theme variables.
 * Screenshots: test-artifacts/webview/verdict-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { VERDICT_ORDER, VERDICT_TITLES } from '../../core/evaluate/verdict/types';
import type { EvaluationSummary, RunRecord } from '../../core/history/types';
import { buildHtmlReport, readPanelAssets, type PanelAssets } from '../../core/report/html';
import { buildPanelHtml, newNonce } from '../../core/report/shell';
import { NO_VERDICT_NOT_EVALUATED, NO_VERDICT_OLD_RUN } from '../../core/report/verdictText';
import { repoRoot } from '../helpers/paths';
import { checksFixture, verdictFixture } from '../helpers/verdicts';
import { artifact, ensureBundle, launch, serve, watchProblems, type Problems } from './browser';
import { realRun } from './realRun';
import { THEMES } from './themes';
import { resolve } from 'node:path';

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

let base: RunRecord;
let assets: PanelAssets;
let server: Awaited<ReturnType<typeof serve>>;
const pages = new Map<string, string>();

function withEvaluation(evaluation: EvaluationSummary | null): RunRecord {
  return { ...base, evaluation };
}

function evaluation(extra: Partial<EvaluationSummary>): EvaluationSummary {
  return { evaluators: [{ id: 'risk', name: 'Risk', kind: 'deterministic', status: 'passed', score: 0.8, reasons: ['Drawdown within the limit.'] }], overallScore: 0.8, basedOn: 1, ...extra };
}

/** Each page is the exported report of the base run with another evaluation. */
function page(path: string, evaluationOrNull: EvaluationSummary | null): string {
  pages.set(path, buildHtmlReport(withEvaluation(evaluationOrNull), assets));
  return path;
}

before(async () => {
  ensureBundle();
  base = await realRun();
  assets = await readPanelAssets(resolve(repoRoot, 'dist'));
  server = await serve(pages);
});
after(async () => { await server?.close(); });

describe('verdict headline', () => {
  let p: Page;
  let close: () => Promise<void>;
  let problems: Problems;
  before(async () => {
    ({ page: p, close } = await launch());
    problems = await watchProblems(p);
  });
  after(async () => { await close?.(); });

  const open = async (path: string, theme?: 'light' | 'dark') => {
    await p.goto(`${server.origin}${path}`);
    if (theme) {
      await p.evaluate((vars) => { for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v); }, THEMES[theme]);
    }
    await p.locator('#verdict').waitFor();
  };

  test('every label shows its word, its reasons in order, and no overall score anywhere', async () => {
    for (const label of VERDICT_ORDER) {
      const reasons = [`First reason for ${label}.`, `Second reason for ${label}.`];
      await open(page(`/v-${label}.html`, evaluation({ checks: checksFixture(label === 'do-not-trust' ? { integrity: 'A fill at 101.20 lies outside its bar.' } : {}), verdict: verdictFixture(label, reasons) })));
      assert.equal(await p.locator('#verdict-title').textContent(), VERDICT_TITLES[label], label);
      assert.equal(await p.locator('#verdict').getAttribute('data-verdict'), label);
      const shown = await p.locator('.verdict-reasons li').allTextContents();
      assert.deepEqual(shown.slice(-2), reasons, `${label}: the verdict's reasons, in order`);
      assert.doesNotMatch(await p.locator('body').textContent() ?? '', /Overall score/i, 'the weighted score is not a headline any more');
      assert.equal(await p.locator('[data-metric="overallScore"]').count(), 0);
    }
  });

  test('the checks sit apart from the verdict, pass/fail per check', async () => {
    await open(page('/v-checks-pass.html', evaluation({ checks: checksFixture(), verdict: verdictFixture('promising') })));
    assert.equal(await p.locator('#verdict .verdict-main #checks').count(), 0, 'checks are not inside the verdict block');
    assert.equal(await p.locator('#checks-title').textContent(), 'Checks: can the result be believed?');
    assert.equal(await p.locator('#checks .checks-headline').textContent(), 'all 5 checks passed');
    assert.deepEqual(await p.locator('#checks li.check').evaluateAll((els) => els.map((e) => e.getAttribute('data-check'))), ['validation', 'execution', 'integrity', 'lookahead', 'determinism']);
    assert.deepEqual(await p.locator('#checks .badge').allTextContents(), ['pass', 'pass', 'pass', 'pass', 'pass']);
  });

  test('a failed check shows "Do not trust" and which check failed, even when the verdict object says better', async () => {
    const why = 'The strategy used future data: 3 signals changed when the future was cut off.';
    await open(page('/v-failed-check.html', evaluation({ checks: checksFixture({ lookahead: why }), verdict: verdictFixture('promising', ['Sharpe 1.2 out of sample.']) })));
    assert.equal(await p.locator('#verdict-title').textContent(), 'Do not trust');
    assert.equal(await p.locator('#verdict').getAttribute('data-verdict'), 'do-not-trust');
    assert.equal(await p.locator('.verdict-reasons li').first().textContent(), `Look-ahead failed: ${why}`);
    assert.equal(await p.locator('#checks .checks-headline').textContent(), '1 of 5 checks failed: lookahead');
    assert.equal(await p.locator('#checks li[data-check="lookahead"] .badge').textContent(), 'fail');
    assert.equal(await p.locator('#checks li[data-check="lookahead"] .check-reason').textContent(), why);
    await p.locator('#verdict').screenshot({ path: artifact('verdict-do-not-trust-report.png') });
  });

  test('runs without a verdict say so and invent none', async () => {
    await open(page('/v-old.html', evaluation({})));
    assert.equal(await p.locator('#verdict-title').textContent(), NO_VERDICT_OLD_RUN);
    assert.equal(await p.locator('.verdict-reasons').count(), 0);
    assert.equal(await p.locator('#checks .checks-headline').textContent(), 'no checks (run saved before verdicts)');
    await open(page('/v-none.html', null));
    assert.equal(await p.locator('#verdict-title').textContent(), NO_VERDICT_NOT_EVALUATED);
    assert.equal(await p.locator('#checks').count(), 0, 'no evaluation, no checks list');
  });

  test('keyboard: the evidence opens with Enter and shows the intervals and trials', async () => {
    await open(page('/v-evidence.html', evaluation({ checks: checksFixture(), verdict: verdictFixture('weak-evidence') })));
    const summary = p.locator('#verdict-evidence summary');
    await summary.focus();
    assert.equal(await p.locator('#verdict-evidence').evaluate((d: HTMLDetailsElement) => d.open), false);
    await p.keyboard.press('Enter');
    assert.equal(await p.locator('#verdict-evidence').evaluate((d: HTMLDetailsElement) => d.open), true);
    assert.match(await p.locator('#verdict-evidence').textContent() ?? '', /42 trades over 9\.9 years · Sharpe 0\.61 \(95 % CI 0\.12 to 1\.10\).*deflated Sharpe 0\.71 \(4 trials\)/);
  });

  test('follows the theme: the word takes the theme\'s colour for its label (light and dark screenshots)', async () => {
    const cases = [
      { label: 'promising' as const, checks: checksFixture(), theme: 'up' },
      { label: 'fragile' as const, checks: checksFixture(), theme: 'warn' },
      { label: 'do-not-trust' as const, checks: checksFixture({ integrity: 'A fill at 101.20 lies outside its bar (high 100.90).' }), theme: 'down' },
    ];
    for (const mode of ['light', 'dark'] as const) {
      const vars = THEMES[mode];
      const expected = { up: vars['--vscode-charts-green'], warn: vars['--vscode-editorWarning-foreground'], down: vars['--vscode-charts-red'] };
      for (const c of cases) {
        await open(page(`/v-theme-${c.label}.html`, evaluation({ checks: c.checks, verdict: verdictFixture(c.label, [
          'Risk: max drawdown −18.2 % is within the −30 % limit.', 'Robustness: out-of-sample Sharpe 0.41 against 0.66 in sample.',
        ]) })), mode);
        assert.equal(await p.locator('#verdict-title').evaluate((e) => getComputedStyle(e).color), rgb(expected[c.theme as keyof typeof expected]), `${mode} ${c.label}`);
        assert.equal(await p.locator('body').evaluate((e) => getComputedStyle(e).backgroundColor), rgb(vars['--vscode-editor-background']));
        await p.setViewportSize({ width: 1000, height: 900 });
        await p.locator('#verdict').screenshot({ path: artifact(`verdict-${c.label}-${mode}.png`) });
      }
      await p.screenshot({ path: artifact(`verdict-page-${mode}.png`) });
    }
  });

  test('a narrow side panel (420 px) stacks the checks under the verdict, nothing cut off', async () => {
    await p.setViewportSize({ width: 420, height: 900 });
    await open(page('/v-narrow.html', evaluation({ checks: checksFixture({ integrity: 'A fill at 101.20 lies outside its bar (high 100.90).' }), verdict: verdictFixture('weak-evidence') })), 'dark');
    const [main, checks] = await Promise.all([p.locator('#verdict .verdict-main').boundingBox(), p.locator('#checks').boundingBox()]);
    assert.ok(main && checks && checks.y >= main.y + main.height - 1, 'checks below the verdict');
    const overflow = await p.locator('#verdict').evaluate((el) => Array.from(el.querySelectorAll('*')).filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible').length + (el.scrollWidth > el.clientWidth + 1 ? 1 : 0));
    assert.equal(overflow, 0, 'no horizontal overflow in the headline');
    await p.locator('#verdict').screenshot({ path: artifact('verdict-narrow-dark.png') });
    await p.setViewportSize({ width: 1300, height: 1000 });
  });

  test('compare view: both verdicts in words, the better one marked, and both checks', async () => {
    const a = withEvaluation(evaluation({ checks: checksFixture(), verdict: verdictFixture('weak-evidence') }));
    const b = withEvaluation(evaluation({ checks: checksFixture({ integrity: 'forged fill' }), verdict: verdictFixture('promising') }));
    pages.set('/v-compare.html', buildPanelHtml({
      title: 'Compare', nonce: newNonce(), script: { inline: assets.js }, style: { inline: assets.css },
      model: { run: a, compareWith: b, status: { state: 'done' }, error: null, logs: [] },
    }));
    await p.goto(`${server.origin}/v-compare.html`);
    const verdictRow = p.locator('#compare-verdict tr[data-row="verdict"] td');
    await verdictRow.first().waitFor();
    assert.deepEqual((await verdictRow.allTextContents()).slice(0, 2), ['Weak evidence', 'Do not trust']);
    assert.deepEqual(await verdictRow.evaluateAll((tds) => tds.slice(0, 2).map((td) => td.classList.contains('better'))), [true, false]);
    assert.deepEqual((await p.locator('#compare-verdict tr[data-row="checks"] td').allTextContents()).slice(0, 2), ['all 5 checks passed', '1 of 5 checks failed: integrity']);
  });

  test('no console errors and no CSP violations', async () => {
    assert.deepEqual(problems.csp, [], 'CSP violations');
    assert.deepEqual(problems.console, [], 'console errors');
  });
});
