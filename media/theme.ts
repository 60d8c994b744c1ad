/**
 * Chart colours come from VS Code's theme variables (through the --sl-* aliases
 * in main.css, which also carry fallbacks for the exported report), so charts
 * follow light, dark and high-contrast themes.
 */
export interface ChartTheme {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  border: string;
  fontFamily: string;
  up: string;
  down: string;
  equity: string;
  benchmark: string;
  drawdown: string;
  compare: string;
  /** Colours of the strategy's indicator lines, in order (VS Code's chart palette). */
  indicators: string[];
}

export function readTheme(root: Element = document.body): ChartTheme {
  const style = getComputedStyle(root);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  return {
    background: v('--sl-bg', '#1e1e1e'),
    foreground: v('--sl-fg', '#cccccc'),
    muted: v('--sl-muted', '#9d9d9d'),
    grid: v('--sl-grid', 'rgba(128,128,128,0.15)'),
    border: v('--sl-border', 'rgba(128,128,128,0.35)'),
    fontFamily: v('--sl-font', 'system-ui, sans-serif'),
    up: v('--sl-up', '#26a269'),
    down: v('--sl-down', '#e5534b'),
    equity: v('--sl-equity', '#3794ff'),
    benchmark: v('--sl-benchmark', '#cca700'),
    drawdown: v('--sl-down', '#e5534b'),
    compare: v('--sl-compare', '#b180d7'),
    indicators: [v('--sl-ind-1', '#d18616'), v('--sl-ind-2', '#b180d7'), v('--sl-ind-3', '#3794ff'), v('--sl-ind-4', '#89d185'), v('--sl-ind-5', '#f14c4c'), v('--sl-ind-6', '#cca700')],
  };
}
