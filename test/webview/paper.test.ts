/**
 * The paper trading panel (dist/media/paper.js) in headless Chromium under the webview's strict CSP, fed the
 * views of a real session on the fake Alpaca (the SMA example, a partial fill with the rest still working):
 * it renders account, positions, open orders, fills and the P&L chart, follows the session from running to
 * killed, and its Stop buttons post the kill switch, from the mouse and from the keyboard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { paperView, pnlPath, type PaperView } from '../../core/paper/view';
import type { ToPaperWebview } from '../../media/paperProtocol';
import { nyClose, nyOpen } from '../paper/fakeAlpaca';
import { loadSpy, makeSession, startFake, tempDir } from '../paper/helpers';
import { openRecordingWebview, type Problems } from './browser';

let page: Page;
let close: () => Promise<void>;
let problems: Problems;
let live: PaperView;
let killed: PaperView;
const day = (d: string) => Date.parse(`${d}T00:00:00Z`);

before(async () => {
  const fake = await startFake();
  try {
    const bars = loadSpy(fake, '2015-12-16');
    const { session } = await makeSession({ fake, dir: tempDir() });
    await session.start();
    fake.setNow(nyClose(day('2015-12-17')) + 60_000);
    await session.catchUp();
    fake.setNow(nyOpen(day('2015-12-18')) + 1000);
    fake.fillAt('SPY', bars.find((b) => b.t === day('2015-12-18'))!.o, 0.5);
    fake.setNow(nyClose(day('2015-12-18')) + 60_000);
    await session.catchUp();
    live = paperView({ ...session.snapshot(), file: 'sma.strategy.ts' }, session.journal.entries, true, ['2015-12-17T21:00 golden cross: buy']);
    await session.kill('test', false);
    killed = paperView({ ...session.snapshot(), file: 'sma.strategy.ts' }, session.journal.entries, true);
  } finally {
    await fake.close();
  }
  ({ page, problems, close } = await openRecordingWebview('paper', 'PAPER'));
});

after(async () => {
  await close?.();
});

const posted = () => page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted);
const clearPosted = () => page.evaluate(() => { (window as unknown as { __posted: unknown[] }).__posted.length = 0; });
const send = (m: ToPaperWebview) => page.evaluate((msg) => window.postMessage(msg, '*'), m);
const rows = (id: string) => page.locator(`#${id} tbody tr`).evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));

describe('paper trading panel', () => {
  test('says it is ready and waits for the session', async () => {
    assert.deepEqual(await posted(), [{ type: 'ready' }]);
    assert.match(await page.locator('#app').innerText(), /Waiting for the session/);
  });

  test('a running session: mode, account, positions, open orders, fills, P&L chart, logs', async () => {
    await send({ type: 'view', view: live });
    await page.locator('#positions-table').waitFor();
    assert.equal(await page.locator('#mode').innerText(), 'PAPER');
    assert.equal(await page.locator('#status').innerText(), 'running');
    assert.equal(await page.locator('#account-account').innerText(), 'PA0000FAKE');
    assert.equal(await page.locator('#account-equity').innerText(), `$${live.account!.equity.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
    const pos = live.positions[0];
    assert.deepEqual((await rows('positions-table')).map((r) => r.slice(0, 2)), [['SPY', String(pos.shares)]]);
    const order = live.openOrders[0];
    assert.deepEqual(await rows('orders-table'), [['buy', String(order.qty), 'SPY', String(order.filledQty), order.status, order.clientOrderId]]);
    assert.ok(order.filledQty > 0 && order.filledQty < order.qty, 'the view has a partly filled order still open');
    const fill = live.fills[0];
    assert.deepEqual(await rows('fills-table'), [['2015-12-18 14:30', 'buy', String(fill.qty), 'SPY', fill.price.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 }), fill.clientOrderId]]);
    assert.equal(await page.locator('#pnl-chart path.line').getAttribute('d'), pnlPath(live.equity, 720, 160).d);
    assert.match(await page.locator('#pnl-chart').getAttribute('aria-label') ?? '', /over 2 steps/);
    assert.match(await page.locator('#strategy-log-text').innerText(), /golden cross: buy/);
    assert.match(await page.locator('#log-text').innerText(), /order #\d+ buy \d+ SPY market sent/);
    assert.match(await page.locator('#blocks').innerText(), /No order was blocked/);
    assert.equal(await page.title(), `PAPER ${live.sessionId}`);
  });

  test('Stop and Stop & flatten post the kill switch (mouse)', async () => {
    await clearPosted();
    await page.locator('#stop').click();
    await page.locator('#stop-flatten').click();
    assert.deepEqual(await posted(), [{ type: 'stop', flatten: false }, { type: 'stop', flatten: true }]);
  });

  test('keyboard only: Tab reaches Stop, then Stop & flatten; Enter and Space press them; the tables and logs take focus', async () => {
    await clearPosted();
    await page.locator('#mode').click(); // the sequential focus starting point: the title, above the buttons
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'stop');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'stop-flatten');
    await page.keyboard.press('Space');
    assert.deepEqual(await posted(), [{ type: 'stop', flatten: false }, { type: 'stop', flatten: true }]);
    const reached = new Set<string>();
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      reached.add(await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.id ?? ''));
    }
    for (const region of ['positions-table', 'orders-table', 'fills-table', 'strategy log', 'session log']) assert.ok(reached.has(region), `${region} is reachable: ${[...reached].join(', ')}`);
  });

  test('the session is killed: no Stop buttons, no open orders, the status says so', async () => {
    await send({ type: 'view', view: killed });
    await page.locator('#stop').waitFor({ state: 'detached' });
    assert.equal(await page.locator('#status').innerText(), 'killed (kill switch)');
    assert.match(await page.locator('#actions').innerText(), /The session is killed/);
    assert.match(await page.locator('#orders').innerText(), /No open orders/);
    assert.equal((await rows('fills-table')).length, 1, 'the fill stays in the history');
  });

  test('a LIVE session is marked LIVE; guard-rail blocks are listed', async () => {
    await send({ type: 'view', view: { ...live, mode: 'LIVE', blocks: [{ at: day('2015-12-17'), clientOrderId: 'sl-x-1', rule: 'order-notional', reason: 'order value $9.00 is over the $1.00 limit' }] } });
    await page.locator('#blocks-table').waitFor();
    assert.equal(await page.locator('#mode').innerText(), 'LIVE');
    assert.equal(await page.locator('#mode').getAttribute('class'), 'mode LIVE');
    assert.deepEqual(await rows('blocks-table'), [['2015-12-17 00:00', 'order-notional', 'order value $9.00 is over the $1.00 limit', 'sl-x-1']]);
    assert.match(await page.title(), /^LIVE /);
  });

  test('nothing broke the CSP or threw', () => {
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(problems.console, []);
  });
});
