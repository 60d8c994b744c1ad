/**
 * Both runs' equity on one chart as % growth from each run's own starting cash, so runs with different cash
 * compare by what they earned, never by a currency axis; the whole period of both at first sight.
 */
import { LineSeries, LineStyle, createChart, type IChartApi } from 'lightweight-charts';
import type { RunRecord } from '../../core/history/types';
import { formatPercent } from '../../core/report/format';
import type { ChartTheme } from '../theme';
import { equityGrowth, runGrid } from './data';
import { baseOptions, themeOptions } from './options';

export interface CompareChart {
  applyTheme(theme: ChartTheme): void;
  destroy(): void;
}

export function renderCompareChart(el: HTMLElement, a: RunRecord, b: RunRecord, initialTheme: ChartTheme): CompareChart {
  let theme = initialTheme;
  const intraday = [a, b].some((r) => r.result.equity.some((p) => p.time.length > 10));
  const chart: IChartApi = createChart(el, baseOptions(theme, intraday));
  const growthFormat = { type: 'custom' as const, minMove: 0.0001, formatter: (v: number) => formatPercent((v - 1) * 100, true) };
  const line = (run: RunRecord, title: string) => {
    const s = chart.addSeries(LineSeries, { lineWidth: 2, title, priceFormat: growthFormat });
    s.setData(equityGrowth(runGrid(run), run));
    return s;
  };
  const sa = line(a, 'A');
  const sb = line(b, 'B');
  const zero = sa.createPriceLine({ price: 1, lineWidth: 1, lineStyle: LineStyle.Dotted, axisLabelVisible: false, title: '' });
  const colour = () => {
    sa.applyOptions({ color: theme.equity });
    sb.applyOptions({ color: theme.compare });
    zero.applyOptions({ color: theme.muted });
  };
  colour();
  chart.timeScale().fitContent();
  const resize = new ResizeObserver(() => requestAnimationFrame(() => chart.timeScale().fitContent()));
  resize.observe(el);
  (el as unknown as { slChart: IChartApi }).slChart = chart;
  return {
    applyTheme(next) { theme = next; chart.applyOptions(themeOptions(theme)); colour(); },
    destroy: () => { resize.disconnect(); chart.remove(); },
  };
}
