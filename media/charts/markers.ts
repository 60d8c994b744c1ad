/**
 * Trade markers that never overlap: at any zoom, markers in one row (entries below the bars, exits above, or
 * the reverse for shorts) are kept far enough apart for their labels; a marker too close to the one kept
 * before it is merged into it, and the kept marker then says how many it stands for ("Buy ×3"). Pure, so it is
 * tested in node (test/webview/markers.test.ts) and in the browser on the real chart (charts.test.ts).
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

/** Text width in pixels; the chart passes a canvas measurement in its own font. */
export type Measure = (text: string) => number;

/** A rough width of 12 px sans-serif text when nothing measures (node tests). */
export const estimateWidth: Measure = (text) => text.length * 7.5;

/** Pixels kept free between two labels. */
const LABEL_PADDING_PX = 4;

/**
 * Centre-to-centre distance two markers of a row need: half of each one's widest possible label (the merged
 * form "Sell ×99", since a kept marker's count may still grow) plus padding.
 */
export function markerGap(a: MarkerItem, b: MarkerItem, measure: Measure = estimateWidth): number {
  return (measure(`${a.label} ×99`) + measure(`${b.label} ×99`)) / 2 + LABEL_PADDING_PX;
}

/**
 * Greedy left to right per row: keep a marker when it is at least markerGap right of the last kept one,
 * otherwise fold it into that one. `barSpacing` is pixels per bar at the current zoom.
 */
export function thinMarkers(items: readonly MarkerItem[], barSpacing: number, measure: Measure = estimateWidth): ThinnedMarker[] {
  const out: ThinnedMarker[] = [];
  const lastKept = new Map<string, ThinnedMarker>();
  const sorted = [...items].sort((a, b) => a.index - b.index);
  for (const item of sorted) {
    const last = lastKept.get(item.position);
    if (last && (item.index - last.index) * barSpacing < markerGap(last, item, measure)) {
      last.count++;
      continue;
    }
    const kept: ThinnedMarker = { ...item, count: 1, text: item.label };
    out.push(kept);
    lastKept.set(item.position, kept);
  }
  for (const m of out) m.text = m.count === 1 ? m.label : `${m.label} ×${m.count}`;
  return out;
}
