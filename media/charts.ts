/**
 * The three result charts (price with trade markers, equity against buy-and-hold,
 * drawdown) and the comparison chart, drawn with TradingView's lightweight-charts.
 * Charts share one visible time range, so zooming one zooms all.
 */
import {
  AreaSeries, CandlestickSeries, ColorType, LineSeries, createChart, createSeriesMarkers,
  type DeepPartial, type IChartApi, type ChartOptions, type SeriesMarker, type Time, type UTCTimestamp,
} from 'lightweight-charts';
import { parseTime } from '../core/engine/time';
import type { Trade } from '../core/engine/types';
import type { CandleSeries, RunRecord } from '../core/history/types';
import type { ChartTheme } from './theme';

const sec = (ms: number) => (ms / 1000) as UTCTimestamp;
const timeOf = (text: string) => sec(parseTime(text));
/** Above this many trades, markers drop their text labels: arrows alone stay readable. */
const MARKER_TEXT_LIMIT = 150;

export interface ResultCharts {
  /** Zooms every chart to a trade (with some bars of context) and selects its symbol. */
  jumpTo(trade: Trade): void;
  showSymbol(symbol: string): void;
  destroy(): void;
}

function baseOptions(theme: ChartTheme, intraday: boolean): DeepPartial<ChartOptions> {
  return {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: theme.background },
      textColor: theme.foreground,
      fontFamily: theme.fontFamily,
      attributionLogo: false, // the credit is a text line in the panel footer instead (no link out of the webview)
    },
    grid: { vertLines: { color: theme.grid }, horzLines: { color: theme.grid } },
    // One width for every price scale keeps the three time axes aligned under each other.
    rightPriceScale: { borderColor: theme.border, minimumWidth: 84 },
    timeScale: { borderColor: theme.border, timeVisible: intraday, secondsVisible: false },
    handleScroll: true,
    handleScale: true,
  };
}

/** Colours with transparency for area fills, whatever notation the theme used. */
function withAlpha(color: string, alpha: number): string {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return color;
  ctx.fillStyle = color;
  const normal = ctx.fillStyle; // '#rrggbb' or 'rgba(r, g, b, a)'
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(normal);
  if (hex) return `rgba(${parseInt(hex[1], 16)}, ${parseInt(hex[2], 16)}, ${parseInt(hex[3], 16)}, ${alpha})`;
  const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(normal);
  return rgb ? `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})` : color;
}

function isIntraday(run: RunRecord): boolean {
  return run.result.equity.some((p) => p.time.length > 10);
}

/** Keeps the visible time range of several charts in step without echo loops. */
function syncTimeRanges(charts: IChartApi[]): void {
  const quietUntil = new Map<IChartApi, number>();
  for (const source of charts) {
    source.timeScale().subscribeVisibleTimeRangeChange((range) => {
      if (!range || (quietUntil.get(source) ?? 0) > performance.now()) return;
      for (const target of charts) {
        if (target === source) continue;
        quietUntil.set(target, performance.now() + 150);
        try { target.timeScale().setVisibleRange(range); } catch { /* target has no data yet */ }
      }
    });
  }
}

function markersFor(trades: Trade[], symbol: string, theme: ChartTheme): SeriesMarker<Time>[] {
  const mine = trades.filter((t) => t.symbol === symbol);
  const label = mine.length <= MARKER_TEXT_LIMIT;
  const markers: SeriesMarker<Time>[] = [];
  for (const t of mine) {
    const long = t.side === 'long';
    markers.push({
      time: timeOf(t.entryTime), position: long ? 'belowBar' : 'aboveBar', shape: long ? 'arrowUp' : 'arrowDown',
      color: long ? theme.up : theme.down, ...(label ? { text: long ? 'Buy' : 'Short' } : {}),
    });
    if (t.exitTime) {
      markers.push({
        time: timeOf(t.exitTime), position: long ? 'aboveBar' : 'belowBar', shape: long ? 'arrowDown' : 'arrowUp',
        color: long ? theme.down : theme.up, ...(label ? { text: long ? 'Sell' : 'Cover' } : {}),
      });
    }
  }
  return markers.sort((a, b) => (a.time as number) - (b.time as number));
}

function candleData(c: CandleSeries) {
  return c.time.map((t, i) => ({ time: sec(t), open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i] }));
}

/** Index of the first candle at or after `ms`. */
function candleIndex(c: CandleSeries, ms: number): number {
  let lo = 0;
  let hi = c.time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (c.time[mid] < ms) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, c.time.length - 1);
}

export function renderResultCharts(
  els: { price: HTMLElement; equity: HTMLElement; drawdown: HTMLElement },
  run: RunRecord,
  theme: ChartTheme,
  initialSymbol?: string,
): ResultCharts {
  const intraday = isIntraday(run);
  const options = baseOptions(theme, intraday);
  const price = createChart(els.price, options);
  const equity = createChart(els.equity, options);
  const drawdown = createChart(els.drawdown, options);

  const candles = price.addSeries(CandlestickSeries, {
    upColor: theme.up, downColor: theme.down, wickUpColor: theme.up, wickDownColor: theme.down, borderVisible: false,
  });
  const markers = createSeriesMarkers(candles, []);
  let current: CandleSeries | undefined;
  const showSymbol = (symbol: string) => {
    current = run.chart.candles.find((c) => c.symbol === symbol) ?? run.chart.candles[0];
    if (!current) return;
    candles.setData(candleData(current));
    markers.setMarkers(markersFor(run.result.trades, current.symbol, theme));
  };
  showSymbol(initialSymbol ?? run.chart.candles[0]?.symbol ?? '');

  const eq = equity.addSeries(LineSeries, { color: theme.equity, lineWidth: 2, title: 'Strategy', priceFormat: { type: 'price', precision: 2, minMove: 0.01 } });
  eq.setData(run.result.equity.map((p) => ({ time: timeOf(p.time), value: p.equity })));
  if (run.chart.benchmark.length === run.result.equity.length) {
    const bh = equity.addSeries(LineSeries, { color: theme.benchmark, lineWidth: 1, title: 'Buy & hold', priceFormat: { type: 'price', precision: 2, minMove: 0.01 } });
    bh.setData(run.result.equity.map((p, i) => ({ time: timeOf(p.time), value: run.chart.benchmark[i] })));
  }

  const dd = drawdown.addSeries(AreaSeries, {
    lineColor: theme.drawdown, topColor: withAlpha(theme.drawdown, 0.05), bottomColor: withAlpha(theme.drawdown, 0.45), lineWidth: 1,
    invertFilledArea: true,
    priceFormat: { type: 'custom', formatter: (v: number) => `${v.toFixed(1)} %`, minMove: 0.01 },
  });
  dd.setData(run.result.equity.map((p) => ({ time: timeOf(p.time), value: p.drawdownPct })));

  const charts = [price, equity, drawdown];
  for (const c of charts) c.timeScale().fitContent();
  syncTimeRanges(charts);

  return {
    showSymbol,
    jumpTo(trade) {
      if (current?.symbol !== trade.symbol) showSymbol(trade.symbol);
      if (!current) return;
      const from = candleIndex(current, parseTime(trade.entryTime));
      const to = trade.exitTime ? candleIndex(current, parseTime(trade.exitTime)) : current.time.length - 1;
      const pad = Math.max(10, Math.round((to - from) * 0.5));
      price.timeScale().setVisibleLogicalRange({ from: from - pad, to: to + pad });
      const range = { from: sec(current.time[Math.max(0, from - pad)]), to: sec(current.time[Math.min(current.time.length - 1, to + pad)]) };
      for (const c of [equity, drawdown]) { try { c.timeScale().setVisibleRange(range); } catch { /* no data */ } }
    },
    destroy() { for (const c of charts) c.remove(); },
  };
}

/** Both runs' equity curves on one chart. */
export function renderCompareChart(el: HTMLElement, a: RunRecord, b: RunRecord, theme: ChartTheme): { destroy(): void } {
  const chart = createChart(el, baseOptions(theme, isIntraday(a) || isIntraday(b)));
  const line = (run: RunRecord, color: string, title: string) =>
    chart.addSeries(LineSeries, { color, lineWidth: 2, title, priceFormat: { type: 'price', precision: 2, minMove: 0.01 } })
      .setData(run.result.equity.map((p) => ({ time: timeOf(p.time), value: p.equity })));
  line(a, theme.equity, 'A');
  line(b, theme.compare, 'B');
  chart.timeScale().fitContent();
  return { destroy: () => chart.remove() };
}
