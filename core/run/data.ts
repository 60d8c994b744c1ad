/** Loads the bars a run needs: the strategy's config plus the user's data choices, through the providers of core/data. */
import { resolveSeries, seriesLabel, SOURCES, type Adjustment, type SourceId } from '../data/provider';
import type { BarSeries } from '../data/series';
import type { Timeframe } from '../sdk/types';

export type DataSourceName = SourceId;
export const DATA_SOURCES = SOURCES;

export interface RunDataRequest {
  source: DataSourceName;
  /** For source 'csv': a file (one symbol) or a folder of `<SYMBOL>….csv` files. */
  csvPath?: string;
  symbols: string[];
  timeframe: Timeframe;
  /** `YYYY-MM-DD` or ISO text; a bare `to` date includes that day. */
  from?: string;
  to?: string;
  /** Cache folder for network sources (default ~/.cache/strategy-lab or STRATEGY_LAB_CACHE_DIR). */
  cacheDir?: string;
  /** raw | split | all (default: all where the provider has it). */
  adjustment?: Adjustment;
  /** Limit for one provider request (ms); default 30 s. */
  requestTimeoutMs?: number;
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
}

export async function loadRunData(request: RunDataRequest): Promise<{ series: BarSeries[]; label: string }> {
  const series = await resolveSeries(
    { symbols: request.symbols, timeframe: request.timeframe },
    {
      source: request.source, csvPath: request.csvPath, from: request.from, to: request.to, cacheDir: request.cacheDir,
      adjustment: request.adjustment, requestTimeoutMs: request.requestTimeoutMs, signal: request.signal, onWarning: request.onWarning,
    },
  );
  return { series, label: seriesLabel(series) };
}
