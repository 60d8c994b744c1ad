/** Loads the bars a run needs from a named source. */
import type { BarSeries } from '../data/series';

export type DataSourceName = 'sample' | 'csv' | 'yahoo' | 'alpaca';
export const DATA_SOURCES: readonly DataSourceName[] = ['sample', 'csv', 'yahoo', 'alpaca'];

export interface SourceRequest {
  source: DataSourceName;
  symbols: string[];
  timeframe: string;
  from?: number;
  to?: number;
  signal?: AbortSignal;
}

export async function loadSeriesFromSource(request: SourceRequest): Promise<{ series: BarSeries[]; label: string }> {
  throw new Error(`Data source '${request.source}' is not wired yet.`);
}
