/**
 * Trade markers that never overlap: at any zoom, markers in one row (entries below the bars, exits above, or
 * the reverse for shorts) are kept at least `gapPx` apart; a marker too close to the one kept before it is
 * merged into it, and the kept marker then says how many it stands for ("Buy ×3"). Pure, so it is tested in
 * node (test/webview/markers.test.ts) and in the browser on the real chart.
 */

export interface MarkerItem {
  /** Logical index of the bar on the chart's time grid. */
  index: number;
  position: 'aboveBar' | 'belowBar';
  shape: 'arrowUp' | 'arrowDown';
  color: string;
  /** "Buy", "Sell", "Short", "Cover". */
  label: string;
}

export interface ThinnedMarker extends MarkerItem {
  /** How many markers this one stands for (1 = itself only). */
  count: number;
  text: string;
}

/** Pixels between two markers of a row below which they would overlap (a label is ~4 characters wide). */
export const MARKER_GAP_PX = 34;

/**
 * Greedy left to right per row: keep a marker when it is at least `gapPx` right of the last kept one,
 * otherwise fold it into that one. `barSpacing` is pixels per bar at the current zoom.
 */
export function thinMarkers(items: readonly MarkerItem[], barSpacing: number, gapPx = MARKER_GAP_PX): ThinnedMarker[] {
  const out: ThinnedMarker[] = [];
  const lastKept = new Map<string, ThinnedMarker>();
  const sorted = [...items].sort((a, b) => a.index - b.index);
  for (const item of sorted) {
    const row = item.position;
    const last = lastKept.get(row);
    if (last && (item.index - last.index) * barSpacing < gapPx) {
      last.count++;
      continue;
    }
    const kept: ThinnedMarker = { ...item, count: 1, text: item.label };
    out.push(kept);
    lastKept.set(row, kept);
  }
  for (const m of out) m.text = m.count === 1 ? m.label : `${m.label.split(' ')[0]} ×${m.count}`;
  return out;
}
