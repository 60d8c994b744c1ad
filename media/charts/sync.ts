/**
 * Panes in step: the same visible bars (by logical index: every pane has the same grid, see data.ts) and one
 * crosshair. Echoes are suppressed with a flag, so moving one pane never bounces back.
 */
import type { IChartApi, ISeriesApi, LogicalRange, MouseEventParams, SeriesType, Time } from 'lightweight-charts';

export interface SyncedPane {
  chart: IChartApi;
  /** The series the crosshair snaps to in this pane. */
  series: ISeriesApi<SeriesType>;
  /** Called with the hovered bar's grid index (or null when the pointer left): the pane's legend shows that bar. */
  onHover(index: number | null): void;
}

export function syncPanes(panes: SyncedPane[], onUserRange?: (range: LogicalRange) => void): () => void {
  let syncing = false;
  const unsubscribers: (() => void)[] = [];
  for (const source of panes) {
    const onRange = (range: LogicalRange | null) => {
      if (!range || syncing) return;
      syncing = true;
      try {
        for (const target of panes) if (target !== source) target.chart.timeScale().setVisibleLogicalRange(range);
      } finally { syncing = false; }
      onUserRange?.(range);
    };
    source.chart.timeScale().subscribeVisibleLogicalRangeChange(onRange);
    unsubscribers.push(() => source.chart.timeScale().unsubscribeVisibleLogicalRangeChange(onRange));

    const onMove = (param: MouseEventParams<Time>) => {
      if (syncing) return;
      syncing = true;
      try {
        const time = param.time ?? null;
        const index = time === null || param.logical === undefined ? null : Math.round(param.logical);
        for (const pane of panes) {
          pane.onHover(index);
          if (pane === source) continue;
          const point = index === null ? undefined : pane.series.data()[index];
          const value = point && 'value' in point ? point.value : point && 'close' in point ? point.close : undefined;
          if (time === null || value === undefined) pane.chart.clearCrosshairPosition();
          else pane.chart.setCrosshairPosition(value as number, time, pane.series);
        }
      } finally { syncing = false; }
    };
    source.chart.subscribeCrosshairMove(onMove);
    unsubscribers.push(() => source.chart.unsubscribeCrosshairMove(onMove));
  }
  return () => { for (const u of unsubscribers) u(); };
}
