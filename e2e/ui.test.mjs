// The real workbench, driven like a user: open the strategy, see the code lens, click "▶ Backtest",
// and read the results webview (VS Code's webview iframe > the panel's own iframe).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WS, launch, newestRun, shot, workbenchUrl } from './browser.mjs';

let page, close;
const problems = [];

/**
 * Opens the command palette. A busy workbench (just reloaded, TypeScript analysing) can drop the first F1:
 * the keypress is retried (after Escape, with the focus put back on the workbench) before giving up.
 */
async function openPalette() {
  const input = page.locator('.quick-input-widget input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    try {
      await input.waitFor({ state: 'visible', timeout: 8000 });
      return input;
    } catch (err) {
      if (attempt === 3) {
        await page.screenshot({ path: shot('no-command-palette.png') });
        throw err;
      }
      await page.keyboard.press('Escape');
      await page.locator('.monaco-workbench .part.editor').first().click({ position: { x: 5, y: 5 } }).catch(() => {});
    }
  }
}

async function runCommand(title) {
  const input = await openPalette();
  await input.fill('>' + title);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/** The quick input's title now ('' when it is hidden). */
async function quickInputTitle() {
  return page.evaluate(() => {
    const w = document.querySelector('.quick-input-widget');
    if (!w || getComputedStyle(w).display === 'none') return '';
    return w.querySelector('.quick-input-title')?.textContent ?? '';
  });
}

/** Waits until the quick input moved on from the step titled `previous` (the next step's title, or closed). */
async function nextStep(previous) {
  await page.waitForFunction((prev) => {
    const w = document.querySelector('.quick-input-widget');
    if (!w || getComputedStyle(w).display === 'none') return true;
    return (w.querySelector('.quick-input-title')?.textContent ?? '') !== prev;
  }, previous, { timeout: 60_000 });
}

/** Answers the next quick-input step: picks the row with `text`, or types `text` into an input box. */
async function answer(text, { pick = false } = {}) {
  const input = page.locator('.quick-input-widget input');
  // A busy extension host (just reloaded, TypeScript analysing) can take a while to show the next step.
  await input.waitFor({ state: 'visible', timeout: 120_000 });
  const title = await quickInputTitle();
  await input.fill(text);
  if (pick) await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await nextStep(title);
}

/** The first frame (any webview) that shows `selector`: several result/compare panels may be open. */
async function frameWith(selector, timeout = 60_000) {
  const t0 = Date.now();
  while (Date.now() - t0 < timeout) {
    for (const f of page.frames()) {
      if (await f.locator(selector).count().catch(() => 0)) return f;
    }
    await page.waitForTimeout(250);
  }
  await page.screenshot({ path: shot(`no-frame-${selector.replace(/[^a-z0-9]+/gi, '_')}.png`) });
  throw new Error(`no webview frame shows ${selector} after ${timeout} ms`);
}

/** Polls a Node-side condition (files the extension writes) until it holds. */
async function waitUntil(what, probe, timeout) {
  const t0 = Date.now();
  while (!(await probe())) {
    if (Date.now() - t0 > timeout) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function quickOpen(file) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(file);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: file }).first().waitFor();
  await page.keyboard.press('Enter');
}

before(async () => {
  // the ext-host suite ran first in the same workspace: start from no history
  fs.rmSync(path.join(WS, '.strategy-lab'), { recursive: true, force: true });
  ({ page, close } = await launch());
  // console messages of every frame, the results webview's included
  page.on('console', (msg) => { if (/Refused to|Content Security Policy/i.test(msg.text())) problems.push(msg.text()); });
  const t0 = Date.now();
  await page.goto(workbenchUrl());
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.statusbar-item', { hasText: 'Strategy Lab' }).first().waitFor({ timeout: 90_000 });
  console.log(`workbench ready + extension activated in ${Date.now() - t0} ms`);
});

after(async () => { await close?.(); });

test('the code lens sits above the strategy class and diagnostics are underlined in the broken file', { timeout: 120_000 }, async () => {
  await quickOpen('broken.strategy.ts');
  await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 60_000 });
  await quickOpen('rsi.strategy.ts');
  await page.locator('.contentWidgets .codelens-decoration a', { hasText: '▶ Backtest' }).waitFor({ timeout: 60_000 });
  await page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Backtest with options…' }).waitFor();
  await page.screenshot({ path: shot('ui-codelens.png') });
});

test('clicking "▶ Backtest" runs in the sandbox and the results webview shows the saved run', { timeout: 420_000 }, async () => {
  await page.locator('.contentWidgets .codelens-decoration a', { hasText: '▶ Backtest' }).click();
  const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  const clicked = Date.now();
  await panel.locator('#run-header h1').waitFor({ timeout: 360_000 });
  const headerMs = Date.now() - clicked;
  // Results first: the header and charts are there while the evaluators still run; the run is saved after them.
  let run;
  await waitUntil('the run to be saved', () => (run = newestRun()), 360_000);
  console.log(`UI: results header ${headerMs} ms after the click (first run of the window); run saved after ${Date.now() - clicked} ms`);
  await panel.locator('#evaluators li.evaluator').nth(run.evaluation.evaluators.length - 1).waitFor({ timeout: 30_000 });
  assert.equal(run.sandbox.mode, 'docker');
  assert.equal(await panel.locator('#run-header h1').textContent(), run.strategy.name);
  const shownMetrics = await panel.locator('table.metrics tr[data-metric]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-metric')));
  for (const key of Object.keys(run.result.metrics)) assert.ok(shownMetrics.includes(key), `the metrics table shows ${key}`);
  assert.ok(shownMetrics.length > Object.keys(run.result.metrics).length, 'the performance basics follow the statistics');
  assert.equal(await panel.locator('tr.trade').count(), Math.min(run.result.trades.length, 1000));
  assert.match(await panel.locator('#cards [data-metric="tradeCount"] .card-value').textContent(), new RegExp(`^${run.result.metrics.tradeCount}$`));
  assert.match(await panel.locator('#log-lines').textContent(), /buy signal: RSI/);
  assert.equal(await panel.locator('#evaluators li.evaluator').count(), run.evaluation.evaluators.length, 'every evaluator listed');
  assert.deepEqual(await panel.locator('#evaluators .badge').allTextContents(), run.evaluation.evaluators.map((e) => e.status));
  await panel.locator('#chart-price canvas').first().waitFor();
  // lightweight-charts paints on later animation frames: poll the canvas until it has drawn content.
  const colourCount = () => panel.locator('#chart-price').evaluate((el) => {
    let colours = new Set();
    for (const c of el.querySelectorAll('canvas')) {
      if (!c.width) continue;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 16) colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    }
    return colours.size;
  });
  let painted = 0;
  await waitUntil('the price chart to paint', async () => (painted = await colourCount()) > 20, 20_000).catch(() => {});
  assert.ok(painted > 20, `price chart has drawn content (${painted} colours)`);
  await page.screenshot({ path: shot('ui-results.png') });
  // sorting works inside VS Code too
  await panel.locator('button[data-column="pnl"]').click();
  const pnls = await panel.locator('tr.trade').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-n'))));
  const values = pnls.map((n) => run.result.trades[n - 1].pnl);
  assert.deepEqual(values, [...values].sort((a, b) => b - a));
  await page.screenshot({ path: shot('ui-results-sorted.png') });
});

test('the results webview broke no Content Security Policy rule', () => {
  assert.deepEqual(problems, []);
});

test('the Explorer lists the saved run under "Strategy Lab Runs"', async () => {
  const run = newestRun();
  const header = page.locator('.pane-header', { hasText: 'Strategy Lab Runs' });
  await header.waitFor({ timeout: 10_000 });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const row = page.locator('.monaco-list-row', { hasText: `${run.strategy.name} · ` }).first();
  await row.waitFor({ timeout: 10_000 });
  assert.match(await row.textContent(), new RegExp(`${run.result.metrics.tradeCount} trades`));
  await page.screenshot({ path: shot('ui-runs-view.png') });
});

test('the status bar shows the last result', async () => {
  const run = newestRun();
  const item = page.locator('.statusbar-item', { hasText: run.strategy.name }).first();
  await item.waitFor({ timeout: 10_000 });
  assert.match(await item.textContent(), /%/);
});

test('after a window reload the results panel comes back with its run, and the status bar with the last result', { timeout: 120_000 }, async () => {
  const run = newestRun();
  await page.waitForTimeout(1500); // the workbench saves its editor state (and the webview's) shortly after changes
  await page.reload();
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // the restored tab may sit behind another editor in its group: bring it to the front
  const tab = page.locator('.tabs-container .tab', { hasText: `Results: ${run.strategy.name}` }).first();
  await tab.waitFor({ timeout: 30_000 });
  await tab.click();
  const panel = await frameWith('#run-header h1');
  assert.equal(await panel.locator('#run-header h1').textContent(), run.strategy.name);
  assert.match(await panel.locator('#run-header').textContent(), new RegExp(run.id));
  await page.locator('.statusbar-item', { hasText: `${run.strategy.name}:` }).first().waitFor({ timeout: 20_000 });
  await page.screenshot({ path: shot('ui-after-reload.png') });
});

test('Run Backtest with Options asks source, dates, cash and commission, and the run uses them', { timeout: 480_000 }, async () => {
  const before = newestRun();
  await quickOpen('rsi.strategy.ts');
  await runCommand('Strategy Lab: Run Backtest with Options…');
  await answer('sample', { pick: true });
  await answer('2019-01-01');
  await answer('2020-12-31');
  await answer('25000');
  await answer('0.002');
  const panel = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
  // Results first: the panel shows the new run's header before the evaluators finish; the run is saved after them.
  await panel.locator('#run-header h1').waitFor({ timeout: 120_000 });
  let run;
  await waitUntil('a second run saved', () => { run = newestRun(); return run && run.id !== before.id; }, 360_000);
  assert.deepEqual({ from: run.options.from, to: run.options.to, cash: run.options.cash, commission: run.options.commission, source: run.options.source },
    { from: '2019-01-01', to: '2020-12-31', cash: 25000, commission: 0.002, source: 'sample' });
  assert.equal(run.result.run.options.cash, 25000);
  assert.equal(run.data.start, '2019-01-02');
  await panel.locator('#run-header', { hasText: run.id }).waitFor({ timeout: 30_000 });
});

test('Compare Runs shows both runs side by side', { timeout: 120_000 }, async () => {
  await runCommand('Strategy Lab: Compare Runs…');
  const rows = page.locator('.quick-input-list .monaco-list-row');
  await rows.first().waitFor({ state: 'visible', timeout: 60_000 });
  const pickA = await quickInputTitle();
  await page.keyboard.press('Enter');          // A: the newest run
  await nextStep(pickA);                       // the run B step has its own title
  await rows.first().waitFor({ state: 'visible', timeout: 60_000 });
  await page.keyboard.press('Enter');          // B: the only other one
  // the compare panel is a second webview
  const cells = await (await frameWith('#compare-table', 20_000)).locator('#compare-table tr[data-metric="returnPct"] td').allTextContents();
  assert.equal(cells.length, 3, 'A, B and B − A');
  assert.notEqual(cells[0], cells[1], 'two different runs');
  await page.screenshot({ path: shot('ui-compare.png') });
});
