/**
 * Screenshots of the results view, compare and the exported HTML report at 800, 1200 and 1600 px in VS Code's
 * light and dark themes, for review (test-artifacts/webview/screens/; docs/images/ holds a few of them). The
 * run is long on purpose: the example RSI strategy on AAPL 1998–2021 from ../shared/data, so a view that does
 * not show the whole period, or misses the deep drawdown, shows it here. Run with `node scripts/screenshots.mjs` (not part of the test suite: it takes minutes).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunRecord } from '../../core/history/types';
import { buildHtmlReport, readPanelAssets } from '../../core/report/html';
import type { ViewModel } from '../../media/protocol';
import { repoRoot } from '../helpers/paths';
import { ARTIFACTS, ensureBundle, launch, serve, stubVsCodeApi, watchProblems, webviewPage, type Problems } from './browser';
import { realRun } from './realRun';
import { applyTheme, type ThemeName } from './themes';

export const SCREENS = join(ARTIFACTS, 'screens');
const WIDTHS = [800, 1200, 1600];
const THEME_NAMES: ThemeName[] = ['light', 'dark'];

let long: RunRecord;
let other: RunRecord;
let server: Awaited<ReturnType<typeof serve>>;
const pages = new Map<string, string>();

before(async () => {
  ensureBundle();
  mkdirSync(SCREENS, { recursive: true });
  long = await realRun({ from: '1998-01-01', to: '2021-12-31' });
  other = await realRun({ from: '2005-01-01', to: '2021-12-31', cash: 25_000, params: { period: 10, buyBelow: 30, sellAbove: 70 } });
  pages.set('/report.html', buildHtmlReport(long, await readPanelAssets(resolve(repoRoot, 'dist'))));
  server = await serve(pages);
  pages.set('/webview.html', webviewPage(server.origin));
});
after(async () => { await server?.close(); });

async function settle(page: Page, selector: string): Promise<void> {
  await page.locator(`${selector} canvas`).first().waitFor();
  await page.waitForTimeout(500); // lightweight-charts paints on the next frames, the fit follows the resize
}

describe('screenshots at three widths in both themes', () => {
  let page: Page;
  let close: () => Promise<void>;
  let problems: Problems;
  before(async () => {
    ({ page, close } = await launch());
    problems = await watchProblems(page);
    await stubVsCodeApi(page);
  });
  after(async () => { await close?.(); });

  const show = async (model: ViewModel) => {
    await page.goto(`${server.origin}/webview.html`);
    await page.evaluate((m) => window.postMessage({ type: 'model', model: m }, '*'), model as unknown as Record<string, unknown>);
  };

  for (const width of WIDTHS) {
    for (const theme of THEME_NAMES) {
      test(`${width} px, ${theme}: results, compare, export`, async () => {
        await page.setViewportSize({ width, height: 1000 });
        await show({ run: long, compareWith: null, status: { state: 'done' }, error: null, logs: [] });
        await applyTheme(page, theme);
        await settle(page, '#chart-price');
        await page.screenshot({ path: join(SCREENS, `results-${width}-${theme}.png`), fullPage: true });
        await page.locator('#charts').screenshot({ path: join(SCREENS, `charts-${width}-${theme}.png`) });
        await page.locator('#trades').screenshot({ path: join(SCREENS, `trades-${width}-${theme}.png`) });
        // Nothing sticks out of the page sideways (cut-off content).
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px at ${width} px`);

        await show({ run: long, compareWith: other, status: { state: 'done' }, error: null, logs: [] });
        await applyTheme(page, theme);
        await settle(page, '#chart-compare');
        await page.screenshot({ path: join(SCREENS, `compare-${width}-${theme}.png`), fullPage: true });

        await page.goto(`${server.origin}/report.html`);
        await applyTheme(page, theme);
        await settle(page, '#chart-price');
        await page.screenshot({ path: join(SCREENS, `export-${width}-${theme}.png`), fullPage: false });
      });
    }
  }

  test('no console errors and no CSP violations', () => {
    assert.deepEqual(problems.csp, []);
    assert.deepEqual(problems.console, []);
  });
});
