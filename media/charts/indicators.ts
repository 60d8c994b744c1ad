/**
 * The strategy's indicators on the price chart (result.plots, core/engine/plots.ts): price-scale ones (SMA, EMA,
 * Bollinger Bands…) as lines on the price pane, oscillators (RSI, MACD, Stochastic…) each in a small pane of the
 * same chart below it, so they share its time axis, with their threshold levels. Every line is mapped onto the
 * run's grid (the equity curve's bars) so logical indices stay those of the candles and the synced panes.
 */
import { LineSeries, LineStyle, PriceScaleMode, type IChartApi, type ISeriesApi, type LineData, type UTCTimestamp, type WhitespaceData } from 'lightweight-charts';
import type { IndicatorPlots, PlotSeries } from '../../core/engine/types';
import { formatNumber } from '../../core/report/format';
import type { ChartTheme } from '../theme';
import type { RunGrid } from './data';

/** Height of one oscillator pane (px); the price chart grows by this much per pane. */
export const OSCILLATOR_PANE_PX = 96;

/** Values of one plot line on the grid: the recorded value at or before each grid bar (strided runs), gaps as whitespace. */
export function lineOnGrid(grid: RunGrid, time: number[], values: (number | null)[]): (LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[] {
  const out: (LineData<UTCTimestamp> | WhitespaceData<UTCTimestamp>)[] = new Array(grid.times.length);
  let j = -1;
  for (let i = 0; i < grid.times.length; i++) {
    const ms = grid.times[i] * 1000;
    while (j + 1 < time.length && time[j + 1] <= ms) j++;
    const v = j >= 0 ? values[j] : null;
    out[i] = v === null || v === undefined ? { time: grid.times[i] } : { time: grid.times[i], value: v };
  }
  return out;
}

/** The colour of series `index`, line `line` (Bollinger's three lines share one colour, dimmed outside). */
export function plotColour(theme: ChartTheme, index: number, line: number): string {
  const base = theme.indicators[index % theme.indicators.length];
  return line === 0 || theme.indicators.length === 0 ? base : theme.indicators[(index + line) % theme.indicators.length];
}

interface Drawn {
  plot: PlotSeries;
  index: number;
  lines: ISeriesApi<'Line'>[];
}

export interface IndicatorOverlays {
  /** The series drawn for `symbol` (others are removed); returns how many oscillator panes there are now. */
  show(symbol: string): number;
  setVisible(index: number, on: boolean): void;
  applyTheme(theme: ChartTheme): void;
  /** "name value · name value" of the price-pane indicators on grid bar i (the legend under the OHLC). */
  legendAt(i: number): string;
  readonly plots: PlotSeries[];
}

export function indicatorOverlays(chart: IChartApi, plots: IndicatorPlots | undefined, grid: RunGrid, initialTheme: ChartTheme, hidden: Set<number>, pricePanePx: number): IndicatorOverlays {
  let theme = initialTheme;
  let drawn: Drawn[] = [];
  const series = plots?.series ?? [];
  const data = new Map<string, ReturnType<typeof lineOnGrid>>();
  const lineData = (i: number, k: number) => {
    const key = `${i}:${k}`;
    let d = data.get(key);
    if (!d) data.set(key, (d = lineOnGrid(grid, plots!.time, series[i].lines[k].values)));
    return d;
  };
  const colour = () => {
    for (const d of drawn) d.lines.forEach((l, k) => l.applyOptions({ color: plotColour(theme, d.index, k) }));
  };
  return {
    plots: series,
    show(symbol) {
      for (const d of drawn) for (const l of d.lines) chart.removeSeries(l);
      drawn = [];
      let pane = 0;
      series.forEach((plot, index) => {
        if (plot.symbol !== symbol) return;
        const paneIndex = plot.pane === 'price' ? 0 : ++pane;
        const lines = plot.lines.map((line, k) => {
          const s = chart.addSeries(LineSeries, {
            lineWidth: plot.pane === 'price' && plot.lines.length === 3 && k !== 1 ? 1 : 2,
            lineStyle: line.key === 'signal' || line.key === 'd' ? LineStyle.Dashed : LineStyle.Solid,
            priceLineVisible: false,
            lastValueVisible: false,
            crosshairMarkerVisible: false,
            visible: !hidden.has(index),
            title: '',
            ...(plot.range ? { autoscaleInfoProvider: () => ({ priceRange: { minValue: plot.range![0], maxValue: plot.range![1] } }) } : {}),
            priceFormat: { type: 'custom', minMove: 0.01, formatter: (v: number) => formatNumber(v, Math.abs(v) >= 1000 ? 0 : 2) },
          }, paneIndex);
          s.setData(lineData(index, k));
          return s;
        });
        if (plot.levels && lines[0]) {
          for (const level of plot.levels) lines[0].createPriceLine({ price: level, lineWidth: 1, lineStyle: LineStyle.Dotted, axisLabelVisible: true, title: '', color: theme.muted });
        }
        drawn.push({ plot, index, lines });
      });
      colour();
      // Heights by stretch factor: the chart element grows by OSCILLATOR_PANE_PX per pane (results.ts) and autoSize
      // shares it out in these proportions, so the price pane keeps its own height.
      const panes = chart.panes();
      panes[0]?.setStretchFactor(pricePanePx);
      for (let p = 1; p < panes.length; p++) {
        panes[p].setStretchFactor(OSCILLATOR_PANE_PX);
        // Oscillators are linear whatever the price pane uses (a log scale squashes 0…100 and cannot show MACD < 0).
        chart.priceScale('right', p).applyOptions({ mode: PriceScaleMode.Normal, scaleMargins: { top: 0.1, bottom: 0.1 } });
      }
      return pane;
    },
    setVisible(index, on) {
      if (on) hidden.delete(index); else hidden.add(index);
      for (const d of drawn) if (d.index === index) for (const l of d.lines) l.applyOptions({ visible: on });
    },
    applyTheme(next) {
      theme = next;
      colour();
      for (const d of drawn) for (const pl of d.lines[0]?.priceLines() ?? []) pl.applyOptions({ color: theme.muted });
    },
    legendAt(i) {
      const parts: string[] = [];
      for (const d of drawn) {
        if (hidden.has(d.index)) continue;
        const values = d.plot.lines.map((_, k) => (lineData(d.index, k)[i] as { value?: number } | undefined)?.value);
        if (values.every((v) => v === undefined)) continue;
        parts.push(`${d.plot.name} ${values.map((v) => (v === undefined ? '–' : formatNumber(v, Math.abs(v) >= 1000 ? 0 : 2))).join(' / ')}`);
      }
      return parts.join('  ·  ');
    },
  };
}
