/**
 * The results panel's built bundle (dist/media) in headless Debian Chromium, with a
 * real run (the example RSI strategy backtested on real AAPL prices). Screenshots go
 * to test-artifacts/webview/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunRecord } from '../../core/history/types';
import { ALL_METRICS, PERFORMANCE_METRICS, formatMetric } from '../../core/report/metricCatalog';
import { tradePerformance } from '../../core/metrics/performance';
import { calendarReturns } from '../../core/metrics/calendarReturns';
import { formatNumber } from '../../core/report/format';
import { buildHtmlReport, readPanelAssets } from '../../core/report/html';
import { buildPanelHtml, newNonce } from '../../core/report/shell';
import { NO_VERDICT_NOT_EVALUATED, NO_VERDICT_OLD_RUN, shownVerdict } from '../../core/report/verdictText';
import type { ToWebview, ViewModel } from '../../media/protocol';
import { repoRoot } from '../helpers/paths';
import { artifact, colourCounts, ensureBundle, launch, serve, watchProblems, type Problems } from './browser';
import { realRun } from './realRun';
import { resolve } from 'node:path';

// The exported report has no VS Code theme, so the panel uses main.css's fallback colours.
const COLOURS = { up: '#26a269', down: '#e5534b', equity: '#3794ff', benchmark: '#cca700' };

let run: RunRecord;
let server: Awaited<ReturnType<typeof serve>>;
const pages = new Map<string, string>();

before(async () => {
  ensureBundle();
  run = await realRun();
  assert.ok(run.result.trades.length >= 5, `the fixture run should trade (got ${run.result.trades.length} trades)`);
  const assets = await readPanelAssets(resolve(repoRoot, 'dist'));
  pages.set('/report.html', buildHtmlReport(run, assets));
  server = await serve(pages);
  // Webview flavour: script and stylesheet loaded by URI from the "extension" origin, as VS Code does.
  pages.set('/webview.html', buildPanelHtml({
    title: 'Results', nonce: newNonce(), cspSource: server.origin,
    script: { uri: `${server.origin}/media/main.js` }, style: { uri: `${server.origin}/media/main.css` },
  }));
});

after(async () => { await server?.close(); });

function shownTitle(evaluation: NonNullable<RunRecord['evaluation']>): string {
  const shown = shownVerdict(evaluation);
  return typeof shown === 'string' ? shown : shown.title;
}

async function checkNoProblems(problems: Problems): Promise<void> {
  assert.deepEqual(problems.csp, [], 'CSP violations');
  assert.deepEqual(problems.console, [], 'console errors');
}

async function waitForCharts(page: Page): Promise<void> {
  await page.locator('#chart-price canvas').first().waitFor();
  await page.waitForTimeout(300); // lightweight-charts paints on the next animation frames
}

describe('exported HTML report (self-contained)', () => {
  let page: Page;
  let close: () => Promise<void>;
  let problems: Problems;

  before(async () => {
    ({ page, close } = await launch());
    problems = await watchProblems(page);
    await page.goto(`${server.origin}/report.html`);
    await waitForCharts(page);
    await page.screenshot({ path: artifact('report-full.png'), fullPage: true });
  });
  after(async () => { await close?.(); });

  test('loads nothing but itself: every request is the page', async () => {
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.reload();
    await waitForCharts(page);
    assert.deepEqual(requested, [`${server.origin}/report.html`]);
  });

  test('every metric is shown with its value and definition', async () => {
    for (const info of ALL_METRICS) {
      const row = page.locator(`table.metrics tr[data-metric="${info.key}"]`);
      assert.equal(await row.locator('td').textContent(), formatMetric(run.result.metrics[info.key], info.unit), info.key);
      assert.equal(await row.locator('abbr').getAttribute('title'), info.definition, `${info.key} definition`);
    }
    assert.deepEqual(await page.locator('table.metrics caption').allTextContents(), ['Returns', 'Risk', 'Trades', 'Performance (cash)']);
    const perf = tradePerformance(run.result.trades, run.result.equity.length - 1);
    for (const info of PERFORMANCE_METRICS) {
      const row = page.locator(`table.metrics tr[data-metric="${info.key}"]`);
      assert.equal(await row.locator('td').textContent(), formatMetric(perf[info.key], info.unit), info.key);
      assert.equal(await row.locator('abbr').getAttribute('title'), info.definition, `${info.key} definition`);
    }
  });

  test('monthly returns table: one row per year, each cell the calendar return of that month', async () => {
    const r = calendarReturns(run.result.equity.map((p) => Date.parse(`${p.time}T00:00:00Z`)), run.result.equity.map((p) => p.equity));
    assert.deepEqual(await page.locator('#returns-table tbody tr').evaluateAll((rows) => rows.map((e) => Number(e.getAttribute('data-year')))), [...r.years].reverse());
    const year = r.years[1];
    const cells = await page.locator(`#returns-table tr[data-year="${year}"] td`).allTextContents();
    assert.deepEqual(cells, [...r.monthly.get(year)!.map((v) => (v === null ? '' : formatNumber(v, 1))), formatNumber(r.annual.get(year)!, 1)]);
  });

  test('headline: the verdict (none: not evaluated), then cards for return, CAGR, Sharpe, drawdown, win rate, trades (no score)', async () => {
    const keys = await page.locator('#cards .card').evaluateAll((els) => els.map((e) => e.getAttribute('data-metric')));
    assert.deepEqual(keys, ['returnPct', 'cagrPct', 'sharpeRatio', 'maxDrawdownPct', 'winRatePct', 'tradeCount']);
    assert.equal(await page.locator('[data-metric="returnPct"] .card-value').textContent(), formatMetric(run.result.metrics.returnPct, '%'));
    assert.equal(await page.locator('#verdict-title').textContent(), NO_VERDICT_NOT_EVALUATED);
  });

  test('charts are drawn: candles in both colours, equity and buy & hold lines, drawdown area', async () => {
    const price = await colourCounts(page, '#chart-price', COLOURS);
    assert.ok(price.up > 200 && price.down > 200, `price chart candles: ${JSON.stringify(price)}`);
    const equity = await colourCounts(page, '#chart-equity', COLOURS);
    assert.ok(equity.equity > 200 && equity.benchmark > 100, `equity chart: ${JSON.stringify(equity)}`);
    const drawdown = await colourCounts(page, '#chart-drawdown', COLOURS);
    assert.ok(drawdown.down > 100 && drawdown.distinct > 10, `drawdown chart: ${JSON.stringify(drawdown)}`);
  });

  test('trades table sorts by a column, both ways, and keeps all rows', async () => {
    const returns = () => page.locator('tr.trade').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-n')));
    const byReturn = (n: string | null) => run.result.trades[Number(n) - 1].returnPct;
    assert.deepEqual(await returns(), run.result.trades.map((_t, i) => String(i + 1)));
    await page.locator('button[data-column="returnPct"]').click();
    const desc = (await returns()).map(byReturn);
    assert.equal(desc.length, run.result.trades.length);
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    assert.equal(await page.locator('th:has(button[data-column="returnPct"])').getAttribute('aria-sort'), 'descending');
    await page.locator('button[data-column="returnPct"]').click();
    const asc = (await returns()).map(byReturn);
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    await page.screenshot({ path: artifact('report-trades-sorted.png') });
  });

  test('clicking a trade jumps the charts to it', async () => {
    const before = await page.locator('#chart-price canvas').first().evaluate((c: HTMLCanvasElement) => c.toDataURL());
    const row = page.locator('tr.trade[data-n="3"]');
    await row.click();
    await page.waitForTimeout(300);
    assert.equal(await row.getAttribute('aria-selected'), 'true');
    const t = run.result.trades[2];
    assert.match(await page.locator('#announce').textContent() ?? '', new RegExp(`trade 3: ${t.side} AAPL ${t.entryTime}`));
    const afterJump = await page.locator('#chart-price canvas').first().evaluate((c: HTMLCanvasElement) => c.toDataURL());
    assert.notEqual(afterJump, before, 'the price chart should be redrawn around the trade');
    await page.locator('#charts').screenshot({ path: artifact('report-jump-to-trade.png') });
  });

  test('evaluators section says that no evaluators ran', async () => {
    assert.match(await page.locator('#no-evaluators').textContent() ?? '', /No evaluators run/);
    assert.equal(await page.locator('#evaluator-findings').count(), 0, 'no evaluation, no findings list');
  });

  test('no console errors and no CSP violations', async () => { await checkNoProblems(problems); });
});

describe('webview (VS Code host simulated by acquireVsCodeApi)', () => {
  let page: Page;
  let close: () => Promise<void>;
  let problems: Problems;
  const post = (message: ToWebview) => page.evaluate((m) => window.postMessage(m, '*'), message);
  const posted = () => page.evaluate(() => (window as unknown as { __posted: unknown[] }).__posted);

  before(async () => {
    ({ page, close } = await launch());
    problems = await watchProblems(page);
    // Same contract as VS Code's webview API; state survives a reload like a hidden panel's does.
    await page.addInitScript(() => {
      const w = window as unknown as Record<string, unknown>;
      w.__posted = [];
      w.acquireVsCodeApi = () => ({
        postMessage: (m: unknown) => (w.__posted as unknown[]).push(m),
        getState: () => JSON.parse(sessionStorage.getItem('state') ?? 'null') ?? undefined,
        setState: (s: unknown) => sessionStorage.setItem('state', JSON.stringify(s)),
      });
    });
    await page.goto(`${server.origin}/webview.html`);
  });
  after(async () => { await close?.(); });

  test('says ready, then shows a run it is sent', async () => {
    await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    assert.match(await page.locator('#empty').textContent() ?? '', /No backtest yet/);
    const model: ViewModel = { run, compareWith: null, status: { state: 'done' }, error: null, logs: run.logs };
    await post({ type: 'model', model });
    await waitForCharts(page);
    assert.equal(await page.locator('#run-header h1').textContent(), run.strategy.name);
    assert.equal(await page.locator('table.metrics tr[data-metric]').count(), ALL_METRICS.length + PERFORMANCE_METRICS.length);
    const price = await colourCounts(page, '#chart-price', { up: '#26a269' });
    assert.ok(price.up > 200, 'candles drawn in the webview flavour too');
  });

  test('action buttons talk back to the extension', async () => {
    await page.locator('button[data-action="exportCsv"]').click();
    assert.deepEqual((await posted()).at(-1), { type: 'action', action: 'exportCsv', runId: run.id });
  });

  test('the action bar has a Generate Strategy button: click and keyboard post generateStrategy', async () => {
    const button = page.locator('[role="toolbar"][aria-label="Run actions"] button[data-action="generateStrategy"]');
    assert.equal(await button.count(), 1);
    assert.equal(await button.textContent(), 'Generate strategy…');
    assert.equal(await button.getAttribute('type'), 'button');
    assert.equal(await button.evaluate((b) => b.hasAttribute('onclick')), false, 'no inline handler (strict CSP)');
    const before = (await posted()).length;
    await button.click();
    assert.deepEqual((await posted()).slice(before), [{ type: 'action', action: 'generateStrategy', runId: run.id }]);
    // Keyboard: reachable with Tab from the button before it, and Enter and Space both press it.
    await page.locator('button[data-action="openSource"]').focus();
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'generateStrategy');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Space');
    assert.deepEqual((await posted()).slice(before + 1), [{ type: 'action', action: 'generateStrategy', runId: run.id }, { type: 'action', action: 'generateStrategy', runId: run.id }]);
  });

  test('keyboard: sort with Enter on a header, jump with Enter on a row, arrows move between rows', async () => {
    await page.locator('button[data-column="pnl"]').focus();
    await page.keyboard.press('Enter');
    assert.equal(await page.locator('th:has(button[data-column="pnl"])').getAttribute('aria-sort'), 'descending');
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-column')), 'pnl', 'focus stays on the header');
    const first = page.locator('tr.trade').first();
    await first.focus();
    await page.keyboard.press('ArrowDown');
    const focusedN = await page.evaluate(() => document.activeElement?.getAttribute('data-n'));
    assert.equal(focusedN, await page.locator('tr.trade').nth(1).getAttribute('data-n'));
    await page.keyboard.press('Enter');
    assert.equal(await page.locator(`tr.trade[data-n="${focusedN}"]`).getAttribute('aria-selected'), 'true');
  });

  test('state is restored after the panel is hidden and shown (reload with saved state)', async () => {
    await page.waitForTimeout(400); // setState is debounced
    await page.reload();
    await waitForCharts(page);
    assert.equal(await page.locator('#run-header h1').textContent(), run.strategy.name, 'model restored without a new message');
    assert.equal(await page.locator('th:has(button[data-column="pnl"])').getAttribute('aria-sort'), 'descending', 'sort restored');
  });

  test('a running backtest shows its stage and streams log lines', async () => {
    await post({ type: 'status', status: { state: 'running', stage: 'sandbox', strategy: 'AaplRsiReversion', startedAt: new Date().toISOString() } });
    await post({ type: 'log', lines: [{ time: '2015-01-02', message: 'first live line' }] });
    await post({ type: 'log', lines: [{ time: null, message: 'second live line' }] });
    assert.match(await page.locator('#status').textContent() ?? '', /Running AaplRsiReversion/);
    assert.equal(await page.locator('#status .stages li.active').textContent(), 'sandbox');
    assert.equal(await page.locator('#log-lines').textContent(), '[2015-01-02] first live line\nsecond live line\n');
    await post({ type: 'status', status: { state: 'running', stage: 'metrics', strategy: 'AaplRsiReversion' } });
    assert.equal(await page.locator('#status .stages li.active').textContent(), 'metrics');
    assert.equal(await page.locator('#status .stages li.done').count(), 3, 'data, compile and sandbox are done');
    assert.match(await page.locator('#log-lines').textContent() ?? '', /second live line/, 'a stage change keeps the streamed lines');
    await page.screenshot({ path: artifact('webview-running.png') });
  });

  test('errors show in the panel with what to do, and their actions post back', async () => {
    await post({ type: 'error', error: { title: 'Docker is not running', message: 'connect ENOENT /var/run/docker.sock', hint: 'Start Docker, or run in process mode.', actions: [{ id: 'runProcessMode', label: 'Run in process mode' }] } });
    assert.equal(await page.locator('#error h2').textContent(), 'Docker is not running');
    assert.equal(await page.locator('#error .error-hint').textContent(), 'Start Docker, or run in process mode.');
    await page.locator('#error button[data-action="runProcessMode"]').click();
    assert.deepEqual((await posted()).at(-1), { type: 'action', action: 'runProcessMode', runId: run.id });
    await page.screenshot({ path: artifact('webview-error.png') });
  });

  test("a runtime error links to the strategy's line and names the bar", async () => {
    await post({ type: 'error', error: {
      title: 'The strategy failed', message: 'Where.onBar threw on TEST at 2020-01-05 (bar 4): boom', actions: [],
      location: { file: 'where.strategy.ts', line: 12, column: 13, phase: 'onBar', bar: 4, time: '2020-01-05', symbol: 'TEST' },
    } });
    assert.equal(await page.locator('#error-location').textContent(), 'At where.strategy.ts:12:13, in onBar, bar 4 (2020-01-05, TEST)');
    const before = (await posted()).length;
    await page.locator('#error-location .line-link').click();
    assert.deepEqual((await posted()).slice(before), [{ type: 'action', action: 'openLine', line: 12, column: 13, runId: run.id }]);
    await page.locator('#error-location .line-link').press('Enter');
    assert.equal((await posted()).length, before + 2, 'the keyboard opens it too');
    await page.screenshot({ path: artifact('webview-error-location.png') });
    // Without a mapped line: the file and the bar, nothing to click.
    await post({ type: 'error', error: { title: 'The strategy failed', message: 'x', location: { file: 'where.strategy.ts', phase: 'onBar', bar: 1 } } });
    assert.equal(await page.locator('#error-location').textContent(), 'At where.strategy.ts, in onBar, bar 1');
    assert.equal(await page.locator('#error-location .line-link').count(), 0);
  });

  test('evaluator results from the real evaluation pipeline: status, score, reasons and the overall score', async () => {
    const evaluated = await realRun({ evaluate: true });
    const evaluation = evaluated.evaluation!;
    await post({ type: 'model', model: { run: evaluated, compareWith: null, status: { state: 'done' }, error: null, logs: [] } });
    await page.locator('#evaluators li.evaluator').first().waitFor();
    assert.equal(await page.locator('#evaluators li.evaluator').count(), evaluation.evaluators.length);
    assert.deepEqual(await page.locator('#evaluators .badge').allTextContents(), evaluation.evaluators.map((e) => e.status));
    assert.ok(evaluation.evaluators.some((e) => e.status === 'skipped'), 'LLM reviews are skipped without an LLM');
    for (const e of evaluation.evaluators) {
      const item = page.locator(`[data-evaluator="${e.id}"]`);
      assert.equal(await item.locator('.score').textContent(), e.score === null ? '—' : String(Math.round(e.score * 100)), e.id);
      if (e.reasons.length) assert.equal(await item.locator('.reasons li').first().textContent(), e.reasons[0]);
    }
    const ran = evaluation.evaluators.filter((e) => e.status === 'passed' || e.status === 'failed').length;
    assert.match(await page.locator('#evaluators').textContent() ?? '', new RegExp(`${ran} of ${evaluation.evaluators.length} evaluators ran`));
    assert.doesNotMatch(await page.locator('body').textContent() ?? '', /Overall score/);
    // The headline shows the pipeline's verdict word, or says the run has none (never an invented one).
    assert.equal(await page.locator('#verdict-title').textContent(), evaluation.verdict ? shownTitle(evaluation) : NO_VERDICT_OLD_RUN);
    // findings on the code, with their lines in the source that ran
    const findings = evaluation.findings ?? [];
    assert.ok(findings.length > 0, 'the real evaluation has a finding on the code (a fragile param)');
    assert.deepEqual(await page.locator('#evaluator-findings li.finding .finding-line').allTextContents(), findings.map((f) => `line ${f.line}`));
    assert.deepEqual(await page.locator('#evaluator-findings li.finding .finding-message').allTextContents(), findings.map((f) => f.message));
    assert.equal(await page.locator('#evaluator-findings li.finding').first().getAttribute('data-evaluator'), findings[0].evaluator);
    await page.locator('#evaluators').screenshot({ path: artifact('webview-evaluators.png') });
    // per-trade reasons from the spec conformance check sit in the trades table
    const reasons = evaluation.tradeReasons ?? [];
    assert.ok(reasons.length > 0, 'the request reads as rules, so every trade has a reason');
    for (const r of reasons.slice(0, 3)) {
      assert.equal(await page.locator(`tr.trade[data-n="${r.trade + 1}"] td.why`).textContent(), r.text);
    }
  });

  test('compare view: metric differences and both equity curves', async () => {
    const other = await realRun({ params: { period: 10, buyBelow: 30, sellAbove: 70 } });
    await post({ type: 'model', model: { run, compareWith: other, status: { state: 'done' }, error: null, logs: [] } });
    await page.locator('#chart-compare canvas').first().waitFor();
    await page.waitForTimeout(300);
    const row = page.locator('#compare-table tr[data-metric="returnPct"] td');
    assert.deepEqual(await row.allTextContents().then((t) => t.slice(0, 2)), [formatMetric(run.result.metrics.returnPct, '%'), formatMetric(other.result.metrics.returnPct, '%')]);
    const lines = await colourCounts(page, '#chart-compare', { a: '#3794ff', b: '#b180d7' });
    assert.ok(lines.a > 100 && lines.b > 100, `both curves drawn: ${JSON.stringify(lines)}`);
    await page.screenshot({ path: artifact('webview-compare.png'), fullPage: true });
  });

  test('no console errors and no CSP violations', async () => { await checkNoProblems(problems); });
});
