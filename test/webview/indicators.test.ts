/**
 * The strategy's indicators on the price chart, in headless Chromium, on a real run (SMA, Bollinger Bands, RSI
 * and MACD on AAPL from ../shared/data, recorded by the engine): price-scale lines on the price pane with the
 * recorded values, oscillators in panes of their own on the shared time axis with their levels, a legend that
 * toggles them in the theme's colours, no overlap at 800 px, and the same in the exported HTML report.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { loadCsv } from '../../core/data/csv';
import { sliceSeries } from '../../core/data/series';
import { createRunRecord } from '../../core/history/record';
import type { RunRecord } from '../../core/history/types';
import { buildHtmlReport, readPanelAssets } from '../../core/report/html';
import { runInThisProcess } from '../../core/run/runStrategy';
import { compileStrategy } from '../../core/strategy/compile';
import type { ToWebview, ViewModel } from '../../media/protocol';
import { repoRoot, sharedData } from '../helpers/paths';
import { artifact, ensureBundle, launch, serve, stubVsCodeApi, watchProblems, webviewPage, type Problems } from './browser';
import { applyTheme } from './themes';
import { resolve } from 'node:path';

const SOURCE = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { SMA, RSI, MACD, BollingerBands, ATR } from 'strategy-lab/indicators';
export default class BandsAndMomentum extends BaseStrategy {
  static config = { symbols: ['AAPL'], timeframe: '1d' as const };
  params = { buyBelow: 35, sellAbove: 65 };
  private fast = new SMA(20);
  private slow = new SMA(50);
  private bands = new BollingerBands(20, 2);
  private rsi = new RSI(14);
  private macd = new MACD();
  private atr = new ATR(14);
  onStart() { this.plot(this.atr, false); this.plot(this.slow, 'Trend 50'); }
  onBar(bar: Bar) {
    this.fast.update(bar.close);
    this.slow.update(bar.close);
    this.bands.update(bar.close);
    this.macd.update(bar.close);
    this.atr.update(bar);
    const r = this.rsi.update(bar.close);
    if (r === undefined) return;
    if (r < this.params.buyBelow && !this.position(bar.symbol)) this.buy(bar.symbol);
    else if (r > this.params.sellAbove && this.position(bar.symbol)) this.close(bar.symbol);
  }
}
`;

async function indicatorRun(): Promise<RunRecord> {
  const aapl = await loadCsv(sharedData('AAPL_daily_1998_2021_lean.csv'), { symbol: 'AAPL' });
  const series = [sliceSeries(aapl, Date.parse('2010-01-01T00:00:00Z'), Date.parse('2016-12-31T00:00:00Z'))];
  const compiled = await compileStrategy(SOURCE, 'bands.strategy.ts');
  const result = runInThisProcess({ compiled, series, options: { cash: 10_000 } });
  return createRunRecord({
    result, series,
    strategy: { name: result.run.strategy, file: 'strategies/bands.strategy.ts', source: SOURCE },
    data: { source: 'csv', timeframe: '1d' },
    options: { cash: 10_000, commission: 0, source: 'csv' },
    sandbox: { mode: 'none', durationMs: 1 },
  });
}

interface ChartFacts {
  panes: { height: number; series: number }[];
  priceLines: { visible: boolean; colour: string; data: (number | null)[] }[];
  levels: number[][];
}

function chartFacts(page: Page): Promise<ChartFacts> {
  return page.evaluate(() => {
    type Line = { options(): { visible: boolean; color: string }; data(): readonly { value?: number }[]; priceLines(): { options(): { price: number } }[] };
    const probe = (document.getElementById('chart-price') as unknown as { slCharts: { panes: { panes(): { getHeight(): number; getSeries(): unknown[] }[] }[] } }).slCharts;
    const price = probe.panes[0];
    const panes = price.panes();
    const lines = panes[0].getSeries().slice(1) as Line[]; // [0] is the candles
    const oscillatorLines = panes.slice(1).map((p) => p.getSeries()[0] as Line);
    return {
      panes: panes.map((p) => ({ height: p.getHeight(), series: p.getSeries().length })),
      priceLines: lines.map((l) => ({ visible: l.options().visible, colour: l.options().color, data: l.data().map((d) => d.value ?? null) })),
      levels: oscillatorLines.map((l) => l.priceLines().map((pl) => pl.options().price)),
    };
  });
}

describe('indicators on the price chart', () => {
  let run: RunRecord;
  let server: Awaited<ReturnType<typeof serve>>;
  let page: Page;
  let close: () => Promise<void>;
  let problems: Problems;
  const pages = new Map<string, string>();
  const post = (message: ToWebview) => page.evaluate((m) => window.postMessage(m, '*'), message as unknown as Record<string, unknown>);
  const show = async (width: number) => {
    await page.setViewportSize({ width, height: 1000 });
    await page.goto(`${server.origin}/webview.html`);
    const model: ViewModel = { run, compareWith: null, status: { state: 'done' }, error: null, logs: [] };
    await post({ type: 'model', model });
    await page.locator('#chart-price canvas').first().waitFor();
    await page.waitForTimeout(400);
  };

  before(async () => {
    ensureBundle();
    run = await indicatorRun();
    server = await serve(pages);
    pages.set('/webview.html', webviewPage(server.origin));
    ({ page, close } = await launch());
    problems = await watchProblems(page);
    await stubVsCodeApi(page);
  });
  after(async () => { await close?.(); await server?.close(); });

  test('the run records what the chart draws: SMA 20, Trend 50, Bollinger, RSI, MACD (ATR opted out)', () => {
    assert.deepEqual(run.result.plots!.series.map((s) => s.name), ['Trend 50', 'fast · SMA(20)', 'bands · BollingerBands(20, 2)', 'rsi · RSI(14)', 'macd · MACD(12, 26, 9)']);
  });

  for (const width of [800, 1200]) {
    test(`${width} px: price lines on the price pane with the recorded values, oscillators in their own panes with levels, nothing overlaps`, async () => {
      await show(width);
      const facts = await chartFacts(page);
      assert.equal(facts.panes.length, 3, 'price + RSI + MACD panes');
      assert.equal(facts.panes[0].series, 1 + 1 + 1 + 3, 'candles, Trend 50, SMA 20 and three Bollinger lines');
      assert.equal(facts.panes[2].series, 3, 'MACD: macd, signal, histogram');
      for (const p of facts.panes.slice(1)) assert.ok(p.height >= 80, `oscillator pane ${p.height} px high`);
      assert.ok(facts.panes[0].height >= 250, `price pane keeps its height (${facts.panes[0].height} px)`);
      const recorded = run.result.plots!.series[0].lines[0].values;
      // The chart keeps no point for the warm-up (whitespace): the drawn points are the recorded values after it.
      assert.equal(recorded.slice(0, 49).every((v) => v === null) && recorded.slice(49).every((v) => v !== null), true);
      assert.deepEqual(facts.priceLines[0].data, recorded.slice(49), 'Trend 50 drawn with the recorded values, bar for bar');
      assert.deepEqual(facts.levels, [[35, 65], []], "RSI levels from the strategy's params; MACD has none");
      const colours = new Set(facts.priceLines.map((l) => l.colour));
      assert.ok(colours.size >= 3, 'distinct theme colours');
      // Layout: legend above the chart, the chart above the equity heading, no overlap; the legend fits the width.
      const box = async (sel: string) => (await page.locator(sel).boundingBox())!;
      const legend = await box('#indicator-legend');
      const chart = await box('#chart-price');
      const equity = await box('#chart-equity');
      assert.ok(legend.y + legend.height <= chart.y + 0.5, 'the legend sits above the chart');
      assert.ok(chart.y + chart.height <= equity.y, 'the price chart (with its panes) ends before the equity chart');
      assert.ok(legend.x + legend.width <= width, 'the legend fits the panel');
      const labels = await page.locator('#indicator-legend label').evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ x: r.x, y: r.y, w: r.width, h: r.height })));
      for (let i = 0; i < labels.length; i++) {
        for (let j = i + 1; j < labels.length; j++) {
          const a = labels[i], b = labels[j];
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          assert.ok(!overlap, `legend entries ${i} and ${j} overlap`);
        }
      }
      await page.screenshot({ path: artifact(`webview-indicators-${width}.png`), fullPage: true });
      await page.locator('#charts').screenshot({ path: artifact(`webview-indicators-charts-${width}.png`) });
    });
  }

  test('the legend toggles an indicator; hover shows the values under the OHLC', async () => {
    await show(800);
    await page.locator('#indicator-legend input[data-indicator="0"]').uncheck();
    assert.equal((await chartFacts(page)).priceLines[0].visible, false);
    await page.locator('#indicator-legend input[data-indicator="0"]').check();
    assert.equal((await chartFacts(page)).priceLines[0].visible, true);
    const legendText = await page.locator('#chart-price .pane-legend .indicator-values').textContent();
    assert.match(legendText ?? '', /Trend 50 \d/);
    assert.match(legendText ?? '', /bands · BollingerBands\(20, 2\) [\d.,]+ \/ [\d.,]+ \/ [\d.,]+/);
  });

  test('a theme switch re-colours the lines and the legend swatches', async () => {
    await show(800);
    await applyTheme(page, 'light');
    await page.evaluate(() => document.documentElement.style.setProperty('--vscode-charts-orange', '#aa5500'));
    await applyTheme(page, 'light');
    await page.waitForTimeout(300);
    const colour = (await chartFacts(page)).priceLines[0].colour;
    const swatch = await page.locator('#indicator-legend .swatch').first().evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(colour, '#aa5500');
    assert.equal(swatch, 'rgb(170, 85, 0)');
  });

  test('the exported HTML report draws them too', async () => {
    const html = buildHtmlReport(run, await readPanelAssets(resolve(repoRoot, 'dist')));
    pages.set('/report.html', html);
    await page.setViewportSize({ width: 800, height: 1000 });
    await page.goto(`${server.origin}/report.html`);
    await page.locator('#chart-price canvas').first().waitFor();
    await page.waitForTimeout(400);
    const facts = await chartFacts(page);
    assert.equal(facts.panes.length, 3);
    assert.equal(await page.locator('#indicator-legend label').count(), 5);
  });

  test('no console errors', () => {
    assert.deepEqual(problems.console, []);
  });
});
