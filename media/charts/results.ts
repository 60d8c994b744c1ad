/**
 * The three result panes (price with trade markers, equity growth against buy & hold, drawdown) on one time
 * grid with one crosshair, drawn with TradingView's lightweight-charts. First sight is the whole period
 * (fitAll); each pane has a legend that shows the hovered bar (OHLC, growth, drawdown) or the last one.
 */
import {
  AreaSeries, CandlestickSeries, LineSeries, LineStyle, PriceScaleMode, createChart, createSeriesMarkers,
  type IChartApi, type ISeriesApi, type ISeriesMarkersPluginApi, type LogicalRange, type SeriesMarker, type Time,
} from 'lightweight-charts';
import type { Trade } from '../../core/engine/types';
import type { CandleSeries, RunRecord } from '../../core/history/types';
import { formatCompact, formatNumber, formatPercent, pricePrecision } from '../../core/report/format';
import type { ChartTheme } from '../theme';
import { benchmarkGrowth, candleData, drawdownData, equityGrowth, gridIndexAt, priceSpan, runGrid, type RunGrid } from './data';
import { thinMarkers, type MarkerItem } from './markers';
import { axisPrice, baseOptions, themeOptions, withAlpha } from './options';
import { syncPanes } from './sync';
import { indicatorOverlays, OSCILLATOR_PANE_PX, type IndicatorOverlays } from './indicators';

export interface ResultChartOptions {
  symbol?: string;
  /** Equity growth on a logarithmic scale (default: linear % growth). */
  logEquity?: boolean;
  /** Show buy & hold (default true). */
  benchmark?: boolean;
  /** Indexes into result.plots.series of the indicators the user switched off. */
  hiddenIndicators?: number[];
}

export interface ResultCharts {
  /** Zooms every pane to a trade (with some bars of context) and selects its symbol. */
  jumpTo(trade: Trade): void;
  showSymbol(symbol: string): void;
  /** The whole period in every pane. */
  fitAll(): void;
  setLogEquity(on: boolean): void;
  setBenchmark(on: boolean): void;
  /** Shows or hides one of the strategy's indicators (index into result.plots.series). */
  setIndicatorVisible(index: number, on: boolean): void;
  /** Re-colours every pane (VS Code theme switch). */
  applyTheme(theme: ChartTheme): void;
  destroy(): void;
}

/** What the browser tests read (element property `slCharts` of the price pane). */
export interface ResultChartsProbe {
  panes: IChartApi[];
  bars: number;
  markers(): readonly SeriesMarker<Time>[];
  priceSeries: ISeriesApi<'Candlestick'>;
  equitySeries: ISeriesApi<'Line'>;
  benchmarkSeries: ISeriesApi<'Line'>;
  indicators: IndicatorOverlays;
}

/** A long history (lowest price ≤ ¼ of the highest) reads on a log price scale; a linear one would squash its start. */
const LOG_PRICE_RATIO = 4;

/** Growth beyond this multiple (strategy or buy & hold) squashes the other line on a linear axis: log by default. */
const LOG_GROWTH_RATIO = 5;

/** Log scale unless the user chose: when either line grows past LOG_GROWTH_RATIO× its low. */
/** A range change within this long after a wheel, drag, touch or key on a chart is the user's zoom or scroll. */
const USER_INPUT_MS = 500;

export function defaultLogEquity(run: RunRecord): boolean {
  const spread = (values: number[]) => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) { if (v < min) min = v; if (v > max) max = v; }
    return min > 0 ? max / min : 1;
  };
  return Math.max(spread(run.result.equity.map((p) => p.equity)), spread(run.chart.benchmark)) > LOG_GROWTH_RATIO;
}

function isIntraday(run: RunRecord): boolean {
  return run.result.equity.some((p) => p.time.length > 10);
}

function legend(el: HTMLElement): HTMLElement {
  const div = document.createElement('div');
  div.className = 'pane-legend';
  div.setAttribute('aria-hidden', 'true'); // the tables carry the same numbers for screen readers
  el.append(div);
  return div;
}

function markerItems(trades: Trade[], symbol: string, grid: RunGrid, theme: ChartTheme): MarkerItem[] {
  const items: MarkerItem[] = [];
  for (const t of trades) {
    if (t.symbol !== symbol) continue;
    const long = t.side === 'long';
    items.push({ index: gridIndexAt(grid, t.entryTime), position: long ? 'belowBar' : 'aboveBar', shape: long ? 'arrowUp' : 'arrowDown', color: long ? theme.up : theme.down, label: long ? 'Buy' : 'Short' });
    if (t.exitTime) {
      items.push({ index: gridIndexAt(grid, t.exitTime), position: long ? 'aboveBar' : 'belowBar', shape: long ? 'arrowDown' : 'arrowUp', color: long ? theme.down : theme.up, label: long ? 'Sell' : 'Cover' });
    }
  }
  return items;
}

export function renderResultCharts(
  els: { price: HTMLElement; equity: HTMLElement; drawdown: HTMLElement },
  run: RunRecord,
  initialTheme: ChartTheme,
  opts: ResultChartOptions = {},
): ResultCharts {
  let theme = initialTheme;
  const grid = runGrid(run);
  const bars = grid.times.length;
  const options = baseOptions(theme, isIntraday(run));
  const price = createChart(els.price, options);
  const equity = createChart(els.equity, options);
  const drawdown = createChart(els.drawdown, options);
  const panes = [price, equity, drawdown];
  const legends = { price: legend(els.price), equity: legend(els.equity), drawdown: legend(els.drawdown) };
  const timeText = (i: number) => run.result.equity[i]?.time ?? '';

  // Price: candles on the grid, precision from the data, never below 0.
  const candles = price.addSeries(CandlestickSeries, {
    borderVisible: false,
    autoscaleInfoProvider: (original: () => { priceRange: { minValue: number; maxValue: number } | null } | null) => {
      const info = original();
      if (info?.priceRange && info.priceRange.minValue < 0) info.priceRange.minValue = 0;
      return info;
    },
  });
  const markers: ISeriesMarkersPluginApi<Time> = createSeriesMarkers(candles, []);
  // The strategy's indicators: lines on the price pane, oscillators in panes of their own below it (indicators.ts).
  const priceHeight = els.price.getBoundingClientRect().height || 340;
  const overlays = indicatorOverlays(price, run.result.plots, grid, theme, new Set(opts.hiddenIndicators ?? []), priceHeight);
  let current: CandleSeries | undefined;
  let precision = 2;
  let items: MarkerItem[] = [];

  // Equity as growth multiples (1 = the starting cash), labelled as % growth; buy & hold the same way.
  const growthFormat = { type: 'custom' as const, minMove: 0.0001, formatter: (v: number) => formatPercent((v - 1) * 100, true) };
  const strategy = equity.addSeries(LineSeries, { lineWidth: 2, priceFormat: growthFormat, title: 'Strategy' });
  const benchmark = equity.addSeries(LineSeries, { lineWidth: 1, priceFormat: growthFormat, title: 'Buy & hold', visible: opts.benchmark ?? true });
  strategy.setData(equityGrowth(grid, run));
  const benchData = benchmarkGrowth(grid, run);
  benchmark.setData(benchData);
  const zeroLine = strategy.createPriceLine({ price: 1, lineWidth: 1, lineStyle: LineStyle.Dotted, axisLabelVisible: false, title: '' });
  const setLogEquity = (on: boolean) => equity.priceScale('right').applyOptions({ mode: on ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal });
  setLogEquity(opts.logEquity ?? defaultLogEquity(run));

  const dd = drawdown.addSeries(AreaSeries, {
    lineWidth: 1,
    priceFormat: { type: 'custom', minMove: 0.01, formatter: (v: number) => `${formatNumber(v, 1)} %` },
    autoscaleInfoProvider: (original: () => { priceRange: { minValue: number; maxValue: number } | null } | null) => {
      const info = original();
      if (info?.priceRange) info.priceRange.maxValue = 0;
      return info;
    },
  });
  dd.setData(drawdownData(grid, run));

  const colour = () => {
    candles.applyOptions({ upColor: theme.up, downColor: theme.down, wickUpColor: theme.up, wickDownColor: theme.down });
    strategy.applyOptions({ color: theme.equity });
    benchmark.applyOptions({ color: theme.benchmark });
    zeroLine.applyOptions({ color: theme.muted });
    dd.applyOptions({ lineColor: theme.drawdown, topColor: withAlpha(theme.drawdown, 0.05), bottomColor: withAlpha(theme.drawdown, 0.4) });
  };
  colour();

  // Markers: thinned for the current zoom so no two labels overlap (markers.ts), measured in the chart's font.
  const measureCtx = document.createElement('canvas').getContext('2d');
  const measure = (text: string) => {
    if (!measureCtx) return text.length * 7.5;
    measureCtx.font = `${price.options().layout.fontSize}px ${theme.fontFamily}`;
    return measureCtx.measureText(text).width;
  };
  let shownMarkers: SeriesMarker<Time>[] = [];
  const redrawMarkers = () => {
    const range = price.timeScale().getVisibleLogicalRange();
    const width = price.timeScale().width();
    const spacing = range && width > 0 ? width / Math.max(1, range.to - range.from) : 6;
    shownMarkers = thinMarkers(items, spacing, measure).map((m) => ({ time: grid.times[m.index], position: m.position, shape: m.shape, color: m.color, text: m.text }));
    markers.setMarkers(shownMarkers);
  };
  // Price scales of one width, so the three time axes stay exactly under each other when labels widen ("+599,900 %").
  const alignScales = () => {
    const widest = Math.max(...panes.map((c) => c.priceScale('right').width()));
    for (const c of panes) {
      if (c.priceScale('right').width() < widest) c.applyOptions({ rightPriceScale: { minimumWidth: Math.ceil(widest) } });
    }
  };
  let markerFrame = 0;
  const scheduleMarkers = () => {
    cancelAnimationFrame(markerFrame);
    markerFrame = requestAnimationFrame(() => { alignScales(); redrawMarkers(); });
  };

  const showSymbol = (symbol: string) => {
    current = run.chart.candles.find((c) => c.symbol === symbol) ?? run.chart.candles[0];
    if (!current) return;
    precision = pricePrecision(current.close);
    const span = priceSpan(current);
    const p = precision;
    candles.applyOptions({ priceFormat: { type: 'custom', minMove: Math.pow(10, -p), formatter: (v: number) => axisPrice(v, p) } });
    price.priceScale('right').applyOptions({ mode: span.min > 0 && span.max / span.min > LOG_PRICE_RATIO ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal });
    candles.setData(candleData(grid, current));
    const oscillators = overlays.show(current.symbol);
    els.price.style.height = `${Math.round(priceHeight + oscillators * OSCILLATOR_PANE_PX)}px`;
    items = markerItems(run.result.trades, current.symbol, grid, theme);
    redrawMarkers();
    showLegends(null);
  };

  const showLegends = (hover: number | null) => {
    const i = hover === null || hover < 0 || hover >= bars ? bars - 1 : hover;
    if (i < 0) return;
    const c = current ? (candles.data()[i] as { open?: number; high?: number; low?: number; close?: number } | undefined) : undefined;
    const f = (v: number) => formatNumber(v, precision);
    legends.price.textContent = `${current?.symbol ?? ''} ${timeText(i)}  ${c?.open !== undefined ? `O ${f(c.open)}  H ${f(c.high!)}  L ${f(c.low!)}  C ${f(c.close!)}` : 'no bar'}`;
    const values = overlays.legendAt(i);
    if (values) {
      const line = document.createElement('span');
      line.className = 'indicator-values';
      line.textContent = values;
      legends.price.append(line);
    }
    const e = run.result.equity[i];
    const b = benchData[i]?.value;
    legends.equity.textContent = `${timeText(i)}  Strategy ${formatPercent((e.equity / grid.cash - 1) * 100, true)} (${formatCompact(e.equity)})${b !== undefined && benchmark.options().visible ? `  ·  Buy & hold ${formatPercent((b - 1) * 100, true)}` : ''}`;
    legends.drawdown.textContent = `${timeText(i)}  Drawdown ${formatNumber(e.drawdownPct, 2)} %`;
  };

  const initial = opts.symbol ?? run.chart.candles[0]?.symbol;
  if (initial) showSymbol(initial);

  // The whole period, and kept whole on resize until the user zooms or scrolls.
  let fitted = true;
  let fitting = false;
  // Room for half a marker label at each end, so the first and last labels are not clipped.
  const fitRange = (): LogicalRange => {
    const width = price.timeScale().width() || 800;
    const pad = 28 / (width / Math.max(1, bars)) / (1 - 56 / width);
    return { from: -pad, to: bars - 1 + pad } as LogicalRange;
  };
  // The whole period stays fitted until the user zooms or scrolls. Range changes that follow no input of theirs
  // at another width than the last fit's are the charts adapting to a new size (lightweight-charts keeps the bar
  // spacing and the right edge, so a wider pane would get an empty stretch before the first bar, a narrower one
  // would lose the start): refitted once per width (a range the chart clamps can then not loop).
  let lastFit: LogicalRange | null = null;
  /** The time axis' width at the last fit (or refit request). */
  let refitWidth = -1;
  let userAt = -Infinity;
  const markUser = (e: Event) => { if (e.type !== 'pointermove' || (e as PointerEvent).buttons) userAt = performance.now(); };
  const inputs = ['wheel', 'pointerdown', 'pointermove', 'touchstart', 'touchmove', 'keydown'];
  const paneEls = [els.price, els.equity, els.drawdown];
  for (const el of paneEls) for (const type of inputs) el.addEventListener(type, markUser, { capture: true, passive: true });
  const fitAll = () => {
    const range = fitRange();
    fitting = true;
    try { for (const c of panes) c.timeScale().setVisibleLogicalRange(range); } finally { fitting = false; }
    fitted = true;
    lastFit = range;
    refitWidth = price.timeScale().width();
    scheduleMarkers();
  };
  let refitFrame = 0;
  const unsync = syncPanes([
    { chart: price, series: candles, onHover: showLegends },
    { chart: equity, series: strategy, onHover: showLegends },
    { chart: drawdown, series: dd, onHover: showLegends },
  ], (range) => {
    if (!fitting && performance.now() - userAt < USER_INPUT_MS) fitted = false;
    else if (!fitting && fitted && lastFit && (Math.abs(range.from - lastFit.from) >= 0.5 || Math.abs(range.to - lastFit.to) >= 0.5)) {
      const width = price.timeScale().width();
      if (width !== refitWidth) {
        refitWidth = width;
        cancelAnimationFrame(refitFrame);
        refitFrame = requestAnimationFrame(fitAll);
      }
    }
    scheduleMarkers();
  });
  fitAll();
  const resize = new ResizeObserver(() => { if (fitted) requestAnimationFrame(fitAll); else scheduleMarkers(); });
  resize.observe(els.price);

  const probe: ResultChartsProbe = { panes, bars, markers: () => markers.markers(), priceSeries: candles, equitySeries: strategy, benchmarkSeries: benchmark, indicators: overlays };
  (els.price as unknown as { slCharts: ResultChartsProbe }).slCharts = probe;

  return {
    showSymbol,
    fitAll,
    setLogEquity,
    setBenchmark(on) { benchmark.applyOptions({ visible: on }); showLegends(null); },
    setIndicatorVisible(index, on) { overlays.setVisible(index, on); showLegends(null); },
    applyTheme(next) {
      theme = next;
      for (const c of panes) c.applyOptions(themeOptions(theme));
      colour();
      overlays.applyTheme(theme);
      if (current) items = markerItems(run.result.trades, current.symbol, grid, theme);
      redrawMarkers();
    },
    jumpTo(trade) {
      if (current?.symbol !== trade.symbol) showSymbol(trade.symbol);
      const from = gridIndexAt(grid, trade.entryTime);
      const to = trade.exitTime ? gridIndexAt(grid, trade.exitTime) : bars - 1;
      const pad = Math.max(10, Math.round((to - from) * 0.5));
      fitted = false; // the user asked for this trade: a resize keeps it in view, not the whole period
      price.timeScale().setVisibleLogicalRange({ from: from - pad, to: to + pad });
    },
    destroy() {
      cancelAnimationFrame(markerFrame);
      cancelAnimationFrame(refitFrame);
      for (const el of paneEls) for (const type of inputs) el.removeEventListener(type, markUser, { capture: true });
      resize.disconnect();
      unsync();
      for (const c of panes) c.remove();
    },
  };
}
