/**
 * The result charts in headless Chromium on real runs (the example RSI strategy on AAPL from ../shared/data):
 * the whole period at first sight, panes on one time axis with one crosshair, % growth and log scale, no
 * negative price axis, markers that do not overlap, live theme switch, stale results, compare per metric,
 * and the trades table in a narrow panel.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunRecord } from '../../core/history/types';
import { ALL_METRICS, PERFORMANCE_METRICS } from '../../core/report/metricCatalog';
import type { ToWebview, ViewModel } from '../../media/protocol';
import { minuteRecord, runMinutes } from '../helpers/minuteRun';
import { minuteWalk } from '../helpers/series';
import { artifact, colourCounts, ensureBundle, launch, serve, stubVsCodeApi, watchProblems, webviewPage, type Problems } from './browser';
import { realRun } from './realRun';
import { applyTheme, THEMES } from './themes';

let long: RunRecord;
let short: RunRecord;
let server: Awaited<ReturnType<typeof serve>>;
const pages = new Map<string, string>();

before(async () => {
  ensureBundle();
  long = await realRun({ from: '1998-01-01', to: '2021-12-31' });
  short = await realRun();
  server = await serve(pages);
  pages.set('/webview.html', webviewPage(server.origin));
});
after(async () => { await server?.close(); });

interface PaneState { from: number; to: number; timeFrom: number | null; timeTo: number | null; width: number }

/** Visible logical and time range of each pane, read from the chart API the panel hands its price pane. */
function paneStates(page: Page): Promise<{ bars: number; panes: PaneState[] }> {
  return page.evaluate(() => {
    const probe = (document.getElementById('chart-price') as unknown as { slCharts: { bars: number; panes: { timeScale(): { getVisibleLogicalRange(): { from: number; to: number } | null; getVisibleRange(): { from: number; to: number } | null; width(): number } }[] } }).slCharts;
    return {
      bars: probe.bars,
      panes: probe.panes.map((c) => {
        const l = c.timeScale().getVisibleLogicalRange();
        const t = c.timeScale().getVisibleRange();
        return { from: l?.from ?? NaN, to: l?.to ?? NaN, timeFrom: t ? Number(t.from) : null, timeTo: t ? Number(t.to) : null, width: c.timeScale().width() };
      }),
    };
  });
}

describe('result charts', () => {
  let page: Page;
  let close: () => Promise<void>;
  let problems: Problems;
  const post = (message: ToWebview) => page.evaluate((m) => window.postMessage(m, '*'), message as unknown as Record<string, unknown>);
  const show = async (run: RunRecord, width = 1200, compareWith: RunRecord | null = null) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(`${server.origin}/webview.html`);
    const model: ViewModel = { run, compareWith, status: { state: 'done' }, error: null, logs: [] };
    await post({ type: 'model', model });
    await page.locator(compareWith ? '#chart-compare canvas' : '#chart-price canvas').first().waitFor();
    await page.waitForTimeout(400);
  };

  before(async () => {
    ({ page, close } = await launch());
    problems = await watchProblems(page);
    await stubVsCodeApi(page);
  });
  after(async () => { await close?.(); });

  for (const width of [420, 800, 1600]) {
    test(`${width} px: the whole 1998–2021 period is visible at first sight in every pane, on one time axis`, async () => {
      await show(long, width);
      const { bars, panes } = await paneStates(page);
      assert.equal(bars, long.result.equity.length);
      assert.ok(bars > 5000, `a long history (${bars} bars)`);
      for (const [i, p] of panes.entries()) {
        assert.ok(p.from <= 0 && p.to >= bars - 1, `pane ${i} shows bars ${p.from}..${p.to} of 0..${bars - 1}`);
      }
      for (const p of panes.slice(1)) {
        assert.deepEqual([p.from, p.to], [panes[0].from, panes[0].to], 'same logical range');
        assert.deepEqual([p.timeFrom, p.timeTo], [panes[0].timeFrom, panes[0].timeTo], 'same time range');
        assert.equal(p.width, panes[0].width, 'time axes of one width, so a date sits at the same x in every pane');
      }
      // The drawdown pane reaches the deepest drawdown (−53 % and worse are not cut off).
      const lowest = await page.evaluate(() => {
        const probe = (document.getElementById('chart-price') as unknown as { slCharts: { panes: { priceScale(id: string): { getVisibleRange(): { from: number; to: number } | null; width(): number } }[] } }).slCharts;
        return probe.panes[2].priceScale('right').getVisibleRange()?.from ?? NaN;
      });
      assert.ok(lowest <= (long.result.metrics.maxDrawdownPct as number), `drawdown axis from ${lowest}, max drawdown ${long.result.metrics.maxDrawdownPct}`);
    });
  }

  test('a resize keeps the whole period, and only it: 800 → 1600 → 420 → 1200 px (the page says when it settled)', async () => {
    await show(long, 800);
    for (const width of [1600, 420, 1200]) {
      await page.setViewportSize({ width, height: 900 });
      // media/renderedState.ts: <html data-rendered="<width> <theme> <n>"> once the charts have fitted and painted
      await page.waitForFunction((w) => document.documentElement.getAttribute('data-rendered')?.startsWith(`${w} `), width, { timeout: 10_000 });
      const { bars, panes } = await paneStates(page);
      for (const [i, p] of panes.entries()) {
        assert.ok(p.from <= 0 && p.to >= bars - 1, `${width} px: pane ${i} shows bars ${p.from}..${p.to} of 0..${bars - 1}`);
        // exactly the first-sight fit for this width (room for half a marker label at each end: results.ts
        // fitRange), not the range of the old width stretched (an empty stretch before the first bar)
        const pad = 28 / (p.width / bars) / (1 - 56 / p.width);
        assert.ok(Math.abs(p.from + pad) < 1 && Math.abs(p.to - (bars - 1 + pad)) < 1, `${width} px: pane ${i} shows ${p.from.toFixed(0)}..${p.to.toFixed(0)}, the fit is ${(-pad).toFixed(0)}..${(bars - 1 + pad).toFixed(0)}`);
      }
    }
  });

  test('zooming one pane moves the others; Fit all shows the whole period again', async () => {
    await show(long, 1200);
    await page.evaluate(() => {
      const probe = (document.getElementById('chart-price') as unknown as { slCharts: { panes: { timeScale(): { setVisibleLogicalRange(r: { from: number; to: number }): void } }[] } }).slCharts;
      probe.panes[1].timeScale().setVisibleLogicalRange({ from: 1000, to: 1500 });
    });
    await page.waitForTimeout(200);
    let { bars, panes } = await paneStates(page);
    for (const p of panes) assert.deepEqual([Math.round(p.from), Math.round(p.to)], [1000, 1500]);
    await page.locator('#fit-all').click();
    await page.waitForTimeout(200);
    ({ bars, panes } = await paneStates(page));
    for (const p of panes) assert.ok(p.from <= 0 && p.to >= bars - 1);
  });

  test('one crosshair: hovering the price pane shows that bar in every pane\'s legend', async () => {
    await show(long, 1200);
    const box = (await page.locator('#chart-price').boundingBox())!;
    const lastDate = long.result.equity.at(-1)!.time;
    const dateOf = (s: string | null) => /\d{4}-\d{2}-\d{2}/.exec(s ?? '')?.[0];
    assert.equal(dateOf(await page.locator('#chart-equity .pane-legend').textContent()), lastDate, 'no hover: the last bar');
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.waitForTimeout(150);
    const [p, e, d] = await Promise.all(['price', 'equity', 'drawdown'].map((id) => page.locator(`#chart-${id} .pane-legend`).textContent()));
    const hovered = dateOf(p);
    assert.ok(hovered && hovered < lastDate, `hovered bar ${hovered}`);
    assert.equal(dateOf(e), hovered);
    assert.equal(dateOf(d), hovered);
    assert.match(p ?? '', /O [\d,.]+ {2}H [\d,.]+ {2}L [\d,.]+ {2}C [\d,.]+/);
    assert.match(e ?? '', /Strategy [+−]?[\d,.]+ % .*Buy & hold [+−]?[\d,.]+ %/);
    assert.match(d ?? '', /Drawdown -?[\d,.]+ %/);
  });

  test('equity is % growth from the starting cash; log scale by default for a long history, toggles both ways; buy & hold toggles', async () => {
    await show(long, 1200);
    const read = () => page.evaluate(() => {
      const probe = (document.getElementById('chart-price') as unknown as { slCharts: { panes: { priceScale(id: string): { options(): { mode: number } } }[]; equitySeries: { data(): { value: number }[]; priceFormatter(): { format(v: number): string }; options(): { visible: boolean } }; benchmarkSeries: { options(): { visible: boolean } } } }).slCharts;
      return { mode: probe.panes[1].priceScale('right').options().mode, first: probe.equitySeries.data()[0].value, label: probe.equitySeries.priceFormatter().format(2.5), bench: probe.benchmarkSeries.options().visible };
    });
    let s = await read();
    assert.equal(s.first, long.result.equity[0].equity / long.result.run.options.cash);
    assert.equal(s.label, '+150.00 %', 'growth multiple 2.5 reads +150 %');
    assert.equal(s.mode, 1, 'logarithmic: buy & hold grew far more than 5×');
    assert.equal(await page.locator('#toggle-log').isChecked(), true);
    await page.locator('#toggle-log').uncheck();
    s = await read();
    assert.equal(s.mode, 0);
    await page.locator('#toggle-benchmark').uncheck();
    s = await read();
    assert.equal(s.bench, false);
    assert.doesNotMatch(await page.locator('#chart-equity .pane-legend').textContent() ?? '', /Buy & hold/);
    await show(short, 1200);
    s = await read();
    assert.equal(s.mode, 0, 'a 2012–2016 run stays linear');
  });

  test('no negative price axis for positive prices (long history on a log scale, short one linear)', async () => {
    for (const run of [long, short]) {
      await show(run, 800);
      const bottom = await page.evaluate(() => {
        const probe = (document.getElementById('chart-price') as unknown as { slCharts: { panes: { paneSize(): { height: number } }[]; priceSeries: { coordinateToPrice(y: number): number | null } } }).slCharts;
        return probe.priceSeries.coordinateToPrice(probe.panes[0].paneSize().height - 1);
      });
      assert.ok(bottom !== null && bottom >= 0, `${run.data.start}: the bottom of the price pane is ${bottom}`);
    }
  });

  test('price precision from the data: AAPL at 0.28 shows 4 decimals in the legend and the trades table', async () => {
    await show(long, 1200);
    assert.match(await page.locator('#chart-price .pane-legend').textContent() ?? '', /O \d[\d,]*\.\d{4} /);
    const first = long.result.trades[0];
    assert.ok(first.entryPrice < 1, 'the first trade is at a sub-dollar price');
    assert.match(await page.locator('tr.trade[data-n="1"] td.col-entryPrice').textContent() ?? '', /^0\.\d{4}$/);
  });

  for (const width of [420, 1600]) {
    test(`${width} px: trade marker labels never overlap, at first sight and zoomed in`, async () => {
      await show(long, width);
      const check = async (stage: string) => {
        const labels = await page.evaluate(() => {
          const probe = (document.getElementById('chart-price') as unknown as { slCharts: { panes: { timeScale(): { timeToCoordinate(t: unknown): number | null } }[]; markers(): { time: unknown; position: string; text?: string }[] } }).slCharts;
          const ctx = document.createElement('canvas').getContext('2d')!;
          ctx.font = `12px ${getComputedStyle(document.body).getPropertyValue('--sl-font') || getComputedStyle(document.body).fontFamily}`;
          return probe.markers().map((m) => ({ x: probe.panes[0].timeScale().timeToCoordinate(m.time), row: m.position, w: ctx.measureText(m.text ?? '').width, text: m.text }));
        });
        assert.ok(labels.length > 0, `${stage}: markers drawn`);
        for (const row of ['aboveBar', 'belowBar']) {
          const xs = labels.filter((l) => l.row === row && l.x !== null).sort((a, b) => a.x! - b.x!);
          for (let i = 1; i < xs.length; i++) {
            const gap = xs[i].x! - xs[i - 1].x!;
            assert.ok(gap >= (xs[i].w + xs[i - 1].w) / 2, `${stage}: '${xs[i - 1].text}' and '${xs[i].text}' are ${gap.toFixed(1)} px apart`);
          }
        }
        return labels.length;
      };
      const wide = await check('whole period');
      const total = long.result.trades.length * 2 - long.result.trades.filter((t) => !t.exitTime).length;
      assert.ok(wide < total || width >= 1600, `at ${width} px the ${total} markers are merged (${wide} shown)`);
      await page.evaluate(() => {
        const probe = (document.getElementById('chart-price') as unknown as { slCharts: { panes: { timeScale(): { setVisibleLogicalRange(r: { from: number; to: number }): void } }[] } }).slCharts;
        probe.panes[0].timeScale().setVisibleLogicalRange({ from: 2000, to: 2600 });
      });
      await page.waitForTimeout(300);
      await check('zoomed in');
    });
  }

  test('a long minute run (240,000 bars) is drawn from its kept bars and says so; candles, markers and the trades table stay exact', async () => {
    const series = [minuteWalk('AAA', 240_000)];
    const run = minuteRecord(await runMinutes(series), series);
    const kept = run.result.run.equityDecimated!;
    assert.ok(kept && kept.to === run.result.equity.length);
    await show(run, 1200);
    assert.match(await page.locator('#charts-kept-note').textContent() ?? '', new RegExp(`^Drawn from ${kept.to.toLocaleString('en-US')} of the run's 240,000 bars: each candle spans`));
    const drawn = await page.evaluate(() => {
      const probe = (document.getElementById('chart-price') as unknown as { slCharts: { bars: number; priceSeries: { data(): { time: number; open?: number }[] }; markers(): { time: number }[] } }).slCharts;
      const data = probe.priceSeries.data();
      return { bars: probe.bars, candles: data.filter((d) => d.open !== undefined).length, times: data.map((d) => d.time), markers: probe.markers().map((m) => m.time) };
    });
    assert.equal(drawn.bars, kept.to, 'one grid bar per kept point');
    assert.equal(drawn.candles, run.chart.candles[0].time.length);
    const times = new Set(drawn.times);
    for (const m of drawn.markers) assert.ok(times.has(m), 'every marker sits on a drawn bar');
    const t = run.result.trades[0];
    assert.equal(await page.locator('tr.trade[data-n="1"] td.col-bars').textContent(), String(t.exitBar! - t.entryBar), 'bars held counted on every bar of the run');
    assert.match(await page.locator('#returns-table').textContent() ?? '', /2020/);
    await page.locator('#charts').screenshot({ path: artifact('webview-long-minute-run.png') });
  });

  test('a theme switch re-colours the charts live (no reload)', async () => {
    await show(long, 1200);
    await applyTheme(page, 'dark');
    await page.waitForTimeout(300);
    const darkBg = await colourCounts(page, '#chart-equity', { bg: THEMES.dark['--vscode-editor-background'] });
    await applyTheme(page, 'light');
    await page.waitForTimeout(300);
    const light = await colourCounts(page, '#chart-equity', { bg: THEMES.light['--vscode-editor-background'], line: THEMES.light['--vscode-charts-blue'] });
    const darkAfter = await colourCounts(page, '#chart-equity', { bg: THEMES.dark['--vscode-editor-background'] });
    assert.ok(darkBg.bg > 10_000, `dark background drawn: ${JSON.stringify(darkBg)}`);
    assert.ok(light.bg > 10_000 && light.line > 100, `light background and light-theme equity colour: ${JSON.stringify(light)}`);
    assert.ok(darkAfter.bg < 100, `no dark canvas left: ${JSON.stringify(darkAfter)}`);
  });

  test('a new run: back to the top, the previous result labelled stale while it runs', async () => {
    await show(short, 1200);
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForTimeout(300);
    assert.ok(await page.evaluate(() => window.scrollY) > 500);
    assert.equal(await page.locator('#stale').count(), 0);
    await post({ type: 'status', status: { state: 'running', stage: 'sandbox', strategy: 'AaplRsiReversion' } });
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.scrollY), 0);
    assert.match(await page.locator('#stale').textContent() ?? '', /previous run .* while the new one runs/);
    await post({ type: 'model', model: { run: long, compareWith: null, status: { state: 'done' }, error: null, logs: [] } });
    await page.waitForTimeout(200);
    assert.equal(await page.locator('#stale').count(), 0, 'the new result is not stale');
    assert.equal(await page.evaluate(() => window.scrollY), 0);
  });

  // 1200 px: the table's 15 columns with the why sentence need ~1,550 px; below that a trade is a card (main.css).
  for (const width of [420, 1200]) test(`trades in a ${width} px panel: P&L, return, exit reason and why are inside the panel`, async () => {
    const evaluated = await realRun({ evaluate: true });
    await show(evaluated, width);
    const row = page.locator('tr.trade').first();
    const viewport = await page.evaluate(() => document.documentElement.clientWidth);
    for (const cls of ['col-pnl', 'col-returnPct', 'col-exitReason', 'col-cumPnl', 'col-runUp', 'col-drawdown', 'col-bars', 'why']) {
      const box = await row.locator(`td.${cls}`).boundingBox();
      assert.ok(box && box.width > 0 && box.x >= 0 && box.x + box.width <= viewport + 0.5, `${cls} at ${JSON.stringify(box)} in ${viewport} px`);
    }
    assert.ok((await row.locator('td.why').textContent() ?? '').length > 10, 'the why column has its sentence');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), 'no sideways scrolling');
  });

  test('compare: cash differs → returns compared, money not; better per metric by its direction; every metric visible; legend with cash, costs, dates', async () => {
    const b = await realRun({ from: '2005-01-01', to: '2021-12-31', cash: 25_000, commission: 0.002, params: { period: 10, buyBelow: 30, sellAbove: 70 } });
    await show(long, 800, b);
    const rows = await page.locator('#compare-table tr[data-metric]').evaluateAll((els) => els.map((e) => ({ key: e.getAttribute('data-metric')!, better: e.getAttribute('data-better'), text: e.textContent ?? '' })));
    assert.equal(rows.length, ALL_METRICS.length + PERFORMANCE_METRICS.length);
    const by = new Map(rows.map((r) => [r.key, r]));
    for (const key of ['equityFinal', 'equityPeak', 'commissionsPaid', 'netProfit', 'avgWin']) {
      assert.equal(by.get(key)!.better, null, `${key} is money: not compared across different cash`);
      assert.match(by.get(key)!.text, /not compared$/);
      assert.equal(await page.locator(`#compare-table tr[data-metric="${key}"] td.not-compared`).getAttribute('title'), 'Not compared: different starting cash.');
    }
    const m = (run: RunRecord, key: 'returnPct' | 'maxDrawdownPct' | 'volatilityAnnPct') => run.result.metrics[key] as number;
    assert.equal(by.get('returnPct')!.better, m(long, 'returnPct') > m(b, 'returnPct') ? 'a' : 'b', 'higher return is better');
    assert.equal(by.get('maxDrawdownPct')!.better, m(long, 'maxDrawdownPct') > m(b, 'maxDrawdownPct') ? 'a' : 'b', 'shallower drawdown is better');
    assert.equal(by.get('volatilityAnnPct')!.better, m(long, 'volatilityAnnPct') < m(b, 'volatilityAnnPct') ? 'a' : 'b', 'lower volatility is better');
    for (const neutral of ['beta', 'tradeCount', 'exposureTimePct', 'durationDays', 'buyHoldReturnPct']) assert.equal(by.get(neutral)!.better, null, neutral);
    // Every row is on the page: no inner scroll box around the table.
    const scrollBoxes = await page.locator('#compare *').evaluateAll((els) => els.filter((e) => { const s = getComputedStyle(e); return /(auto|scroll)/.test(s.overflowY) && e.scrollHeight > e.clientHeight + 1; }).length);
    assert.equal(scrollBoxes, 0);
    const sideways = await page.locator('#compare *').evaluateAll((els) => els.filter((e) => { const s = getComputedStyle(e); return /(auto|scroll)/.test(s.overflowX) && e.scrollWidth > e.clientWidth + 1; }).length);
    assert.equal(sideways, 0, 'no sideways scroll box at 800 px either');
    const legend = await page.locator('.compare-legend').textContent() ?? '';
    assert.match(legend, /cash 10,000 · commission 0\.10 %.*1998-01-02 → 2021-03-31/);
    assert.match(legend, /cash 25,000 · commission 0\.20 %.*2005-01-03 → 2021-03-31/);
    assert.match(await page.locator('#cash-differs').textContent() ?? '', /different cash/);
    // The chart is % growth of each run's own cash.
    const first = await page.evaluate(() => {
      const chart = (document.getElementById('chart-compare') as unknown as { slChart: { priceScale(id: string): { options(): { mode: number } } } }).slChart;
      return chart.priceScale('right').options().mode;
    });
    assert.equal(first, 0);
  });

  test('no console errors and no CSP violations', () => {
    assert.deepEqual(problems.csp, []);
    // colourCounts reads canvases back several times per page: Chromium's hint about that is the test's own doing.
    const own = /Multiple readback operations using getImageData/;
    assert.deepEqual(problems.console.filter((m) => !own.test(m)), []);
  });
});
