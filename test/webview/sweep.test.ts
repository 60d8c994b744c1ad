/**
 * The "Optimize Parameters" webview (dist/media/sweep.js) in headless Chromium under the webview's strict CSP,
 * with a real sweep result (the RSI example on real AAPL bars, in this process): the form posts what was typed,
 * progress shows the count, the table sorts from the keyboard, the heatmap shows the sweep's numbers, and the
 * best variant opens with its params.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { variantEngineFor } from '../../core/run/engineFor';
import { compileStrategy } from '../../core/strategy/compile';
import { readDeclaredParams } from '../../core/strategy/config';
import { heatmapOf } from '../../core/sweep/heatmap';
import { viewOfResult } from '../../core/sweep/form';
import { parseSpace } from '../../core/sweep/space';
import { runSweep } from '../../core/sweep/sweep';
import type { SweepView, ToSweepWebview } from '../../media/sweepProtocol';
import { example, realAapl } from '../evaluate/helpers';
import { artifact, openRecordingWebview, type Problems } from './browser';

let page: Page;
let close: () => Promise<void>;
let problems: Problems;
let view: SweepView;
const source = example('rsi-reversion');

before(async () => {
  const space = parseSpace(['period=10:20:5', 'buyBelow=25,35'], readDeclaredParams(source).params!);
  const result = await runSweep({
    compiled: await compileStrategy(source, 'rsi-reversion.strategy.ts'),
    source,
    series: [await realAapl()],
    options: { cash: 10_000 },
    space,
    sampling: { method: 'grid', seed: 1 },
    objective: 'sharpe',
    constraints: { minTrades: 10 },
    engine: variantEngineFor({ engine: 'local', mode: 'none' }),
  });
  view = viewOfResult(result, space);
  ({ page, problems, close } = await openRecordingWebview('sweep', 'Optimize'));
});

after(async () => {
  await close?.();
});

const posted = () => page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted);
const send = (m: ToSweepWebview) => page.evaluate((msg) => window.postMessage(msg, '*'), m);

describe('Optimize Parameters webview', () => {
  test('says it is ready, then shows a form row per declared param with a starting range', async () => {
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    await send({ type: 'init', strategy: 'AaplRsiReversion', params: [{ name: 'period', value: 14 }, { name: 'buyBelow', value: 35 }, { name: 'sellAbove', value: 65 }] });
    await page.locator('#spec-period').waitFor();
    assert.equal(await page.locator('#spec-period').inputValue(), '7:21:3');
    assert.equal(await page.locator('#sweep-period').isChecked(), true);
    assert.equal(await page.locator('#sweep-sellAbove').isChecked(), false);
  });

  test('keyboard only: type the ranges, pick the objective, submit with Enter; the form is posted as typed', async () => {
    await page.locator('#spec-period').focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('10:20:5');
    await page.keyboard.press('Tab'); // to the buyBelow checkbox
    await page.keyboard.press('Tab');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('25,35');
    await page.locator('#objective').focus();
    await page.keyboard.press('ArrowDown'); // sharpe → return
    await page.locator('#min-trades').focus();
    await page.keyboard.type('10');
    await page.keyboard.press('Enter');
    const run = (await posted()).find((m) => m.type === 'run') as unknown as { form: { specs: Record<string, string>; swept: Record<string, boolean>; objective: string; minTrades: string } };
    assert.ok(run, 'a run message');
    assert.equal(run.form.specs.period, '10:20:5');
    assert.equal(run.form.specs.buyBelow, '25,35');
    assert.deepEqual(run.form.swept, { period: true, buyBelow: true, sellAbove: false });
    assert.equal(run.form.objective, 'return');
    assert.equal(run.form.minTrades, '10');
    assert.equal(await page.locator('#run').isDisabled(), true, 'one sweep at a time');
  });

  test('progress shows the count; an error is announced', async () => {
    await send({ type: 'progress', done: 3, total: 6, etaMs: 2000 });
    assert.match(await page.locator('#status').innerText(), /3\/6 variants · about 2 s left/);
    // Progress while running changes the status line only: the Cancel button and the fields stay the same
    // elements (a re-render between mousedown and mouseup would lose the click).
    await page.locator('#cancel').evaluate((el) => { (el as HTMLElement).dataset.mark = 'kept'; });
    await send({ type: 'progress', done: 4, total: 6, etaMs: 1000 });
    assert.match(await page.locator('#status').innerText(), /4\/6 variants · about 1 s left/);
    assert.equal(await page.locator('#cancel').getAttribute('data-mark'), 'kept', 'the Cancel button was not replaced');
    await page.locator('#cancel').click();
    assert.ok((await posted()).some((m) => m.type === 'cancel'));
    await send({ type: 'error', message: "Unknown param 'x'" });
    assert.equal(await page.locator('#status').getAttribute('role'), 'alert');
  });

  test('the result: a table sortable from the keyboard, a heatmap of the sweep numbers, the best opens with its params', async () => {
    await send({ type: 'result', view });
    await page.locator('table.variants tbody tr').first().waitFor();
    assert.equal(await page.locator('table.variants tbody tr').count(), 6);
    await page.locator('button[data-column="sharpe"]').focus();
    await page.keyboard.press('Enter');
    const shown = (await page.locator('table.variants tbody tr td:nth-child(5)').allInnerTexts()).map(Number);
    const expected = [...view.rows].sort((a, b) => (b.sharpe ?? -Infinity) - (a.sharpe ?? -Infinity)).map((r) => Number(r.sharpe!.toFixed(2)));
    assert.deepEqual(shown, expected, 'sorted by Sharpe, highest first');
    assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);

    const map = heatmapOf(view.rows, view.space, 'period', 'buyBelow', 'best');
    const cells = await page.locator('table.heatmap tbody td').allInnerTexts();
    assert.deepEqual(cells, map.cells.flat().map((c) => (c === null ? '—' : c.toFixed(3))));
    await page.locator('#heat-others').selectOption('mean');
    assert.match(await page.locator('#sweep-heatmap').innerText(), /mean over the other params/);

    await page.locator('#open-best').click();
    const open = (await posted()).find((m) => m.type === 'openVariant') as unknown as { params: Record<string, number> };
    const best = view.rows.find((r) => r.id === view.bestId)!;
    assert.deepEqual(open.params, { period: best.params.period, buyBelow: best.params.buyBelow });
    await page.screenshot({ path: artifact('sweep.png'), fullPage: true });
  });

  test('no CSP violation, no console error', () => {
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(problems.console, []);
  });
});
