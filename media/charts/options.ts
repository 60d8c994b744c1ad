/** Chart options shared by every pane, built from the theme, so a theme switch re-applies them live. */
import { ColorType, type ChartOptions, type DeepPartial } from 'lightweight-charts';
import { formatNumber } from '../../core/report/format';
import type { ChartTheme } from '../theme';

/** One width for every right price scale keeps the panes' time axes exactly under each other. */
export const PRICE_SCALE_WIDTH = 76;

export function themeOptions(theme: ChartTheme): DeepPartial<ChartOptions> {
  return {
    layout: {
      background: { type: ColorType.Solid, color: theme.background },
      textColor: theme.foreground,
      fontFamily: theme.fontFamily,
    },
    grid: { vertLines: { color: theme.grid }, horzLines: { color: theme.grid } },
    rightPriceScale: { borderColor: theme.border },
    timeScale: { borderColor: theme.border },
  };
}

export function baseOptions(theme: ChartTheme, intraday: boolean): DeepPartial<ChartOptions> {
  const themed = themeOptions(theme);
  return {
    ...themed,
    autoSize: true,
    layout: { ...themed.layout, attributionLogo: false }, // the credit is a text line in the panel footer (no link out of the webview)
    rightPriceScale: { ...themed.rightPriceScale, minimumWidth: PRICE_SCALE_WIDTH },
    timeScale: {
      ...themed.timeScale, timeVisible: intraday, secondsVisible: false,
      // Decades of daily bars must fit a 300 px side panel: the default minimum (0.5 px a bar) cuts them to the last years.
      minBarSpacing: 0.01,
      rightOffset: 2,
    },
    handleScroll: true,
    handleScale: true,
  };
}

/** Colours with transparency for area fills, whatever notation the theme used. */
export function withAlpha(color: string, alpha: number): string {
  const ctx = document.createElement('canvas').getContext('2d');
  if (!ctx) return color;
  ctx.fillStyle = color;
  const normal = ctx.fillStyle; // '#rrggbb' or 'rgba(r, g, b, a)'
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(normal);
  if (hex) return `rgba(${parseInt(hex[1], 16)}, ${parseInt(hex[2], 16)}, ${parseInt(hex[3], 16)}, ${alpha})`;
  const rgb = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(normal);
  return rgb ? `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})` : color;
}

/**
 * A price on the axis: separators, whole numbers from 1,000, 2 decimals from 1, the data's own precision below
 * (so 0.28 reads 0.2800 and 80,000 never reads "80000.00").
 */
export function axisPrice(value: number, precision: number): string {
  const abs = Math.abs(value);
  return formatNumber(value, abs >= 1000 ? 0 : abs >= 1 ? Math.min(2, precision) : precision);
}
