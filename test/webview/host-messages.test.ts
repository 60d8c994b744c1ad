/**
 * The extension ↔ webview messages of the one reused results panel (media/protocol.ts), in the built bundle in
 * headless Chromium: a new run scrolls to the top, the run picker lists recent runs and asks for one, and a
 * finding's "line N" asks the extension to open that line.
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunRecord } from '../../core/history/types';
import { buildPanelHtml, newNonce } from '../../core/report/shell';
import type { RecentRun, ToWebview, ViewModel } from '../../media/protocol';
import { ensureBundle, launch, serve, watchProblems, type Problems } from './browser';
import { realRun } from './realRun';

let run: RunRecord;
let server: Awaited<ReturnType<typeof serve>>;
let page: Page;
let close: () => Promise<void>;
let problems: Problems;
const post = (message: ToWebview) => page.evaluate((m) => window.postMessage(m, '*'), message);
const posted = () => page.evaluate(() => (window as unknown as { __posted: { type: string; action?: string }[] }).__posted);

before(async () => {
  ensureBundle();
  run = await realRun();
  // One finding on a line of the code, as the evaluators save them.
  run.evaluation = {
    overallScore: null, basedOn: 0,
    evaluators: [{ id: 'risk', kind: 'deterministic', status: 'passed', score: 1, reasons: ['ok'] }],
    findings: [{ evaluator: 'risk', severity: 'warning', message: 'exit condition never fired', line: 21, range: { start: { line: 20, character: 4 }, end: { line: 20, character: 10 } } }],
  } as unknown as RunRecord['evaluation'];
  const pages = new Map<string, string>();
  server = await serve(pages);
  pages.set('/webview.html', buildPanelHtml({
    title: 'Results', nonce: newNonce(), cspSource: server.origin,
    script: { uri: `${server.origin}/media/main.js` }, style: { uri: `${server.origin}/media/main.css` },
  }));
  ({ page, close } = await launch());
  problems = await watchProblems(page);
  await page.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    w.__posted = [];
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => (w.__posted as unknown[]).push(m), getState: () => undefined, setState: () => {} });
  });
  await page.setViewportSize({ width: 900, height: 600 });
  await page.goto(`${server.origin}/webview.html`);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
});

after(async () => { await close?.(); await server?.close(); });

const model = (over: Partial<ViewModel> = {}): ViewModel => ({ run, compareWith: null, status: { state: 'done' }, error: null, logs: run.logs, ...over });

test('a new run scrolls the panel back to the top, where its status is', async () => {
  await post({ type: 'model', model: model() });
  await page.locator('#run-header h1').waitFor();
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.waitForFunction(() => window.scrollY > 500);
  const bottom = await page.evaluate(() => window.scrollY);
  // The panel remembers where it was scrolled once scrolling has stopped for 200 ms (main.ts): a re-render of the
  // same run keeps that place, so the reset below is the 'running' message's doing.
  await page.waitForTimeout(400);
  await post({ type: 'model', model: model() });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.equal(await page.evaluate(() => window.scrollY), bottom, 'a re-render keeps the scroll position');
  await post({ type: 'running', runId: 'attempt-1', strategy: 'rsi', file: 'rsi.strategy.ts', startedAt: new Date().toISOString() });
  await post({ type: 'model', model: model({ status: { state: 'running', stage: 'data', runId: 'attempt-1' }, stale: true }) });
  await page.waitForFunction(() => window.scrollY === 0);
  assert.equal(await page.evaluate(() => window.scrollY), 0);
});

test('the run picker lists the recent runs and asks the extension for the one chosen', async () => {
  await post({ type: 'model', model: model() });
  const recent: RecentRun[] = [
    { id: run.id, strategy: run.strategy.name, file: run.strategy.file, createdAt: run.createdAt, returnPct: 12.5 },
    { id: 'older-run', strategy: 'SpySma50x200Cross', file: 'strategies/spy-sma-50-200-cross.strategy.ts', createdAt: '2026-12-01T10:00:00.000Z', returnPct: -3.25 },
  ];
  await post({ type: 'recent', runs: recent });
  const picker = page.locator('#run-picker');
  await picker.waitFor();
  assert.deepEqual(await picker.locator('option').allTextContents(), [
    `${run.strategy.name} · ${run.createdAt.slice(0, 16).replace('T', ' ')} · 12.5 %`,
    'SpySma50x200Cross · 2026-12-01 10:00 · -3.3 %',
  ]);
  assert.equal(await picker.inputValue(), run.id, 'the run shown is selected');
  await picker.selectOption('older-run');
  assert.deepEqual((await posted()).at(-1), { type: 'action', action: 'openRun', runId: 'older-run' });
  // One run: nothing to pick.
  await post({ type: 'recent', runs: recent.slice(0, 1) });
  await page.locator('#run-picker').waitFor({ state: 'detached' });
});

test('a finding\'s "line 21" opens that line: by click and by keyboard', async () => {
  await post({ type: 'model', model: model() });
  const link = page.locator('li.finding[data-line="21"] .finding-line');
  await link.waitFor();
  assert.equal(await link.getAttribute('role'), 'link');
  await link.click();
  assert.deepEqual((await posted()).at(-1), { type: 'action', action: 'openLine', line: 21, runId: run.id });
  const before = (await posted()).length;
  await link.focus();
  await page.keyboard.press('Enter');
  assert.deepEqual((await posted()).slice(before), [{ type: 'action', action: 'openLine', line: 21, runId: run.id }]);
});

test('no console errors or CSP violations', () => {
  assert.deepEqual(problems.csp, []);
  assert.deepEqual(problems.console, []);
});
