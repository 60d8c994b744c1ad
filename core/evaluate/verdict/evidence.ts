/**
 * The statistical evidence of one run (docs/evaluate.md, "Evidence"): trade count and test length,
 * bootstrap confidence intervals of the annualised Sharpe ratio and return (stationary block bootstrap of
 * the period returns the metrics use) and of the mean trade return (bootstrap of trades), the probabilistic
 * Sharpe ratio and the deflated Sharpe ratio over every variant tried. Pure: the same result gives the same
 * numbers (seeded resampling).
 */
import type { BacktestResult } from '../../engine/types';
import { parseTime } from '../../engine/time';
import { detectSampling, periodReturns } from '../../metrics/periods';
import { annualise } from '../../metrics/returns';
import { equityColumns } from '../ledger';
import type { EvaluateSettings } from '../settings';
import type { Evidence } from './types';
import { bootstrapIntervals, defaultBlockLength, deflatedSharpe, meanOf, moments, probabilisticSharpe } from './stats';

/** Fixed seed: intervals are reproducible run to run (and still vary with the data). */
export const BOOTSTRAP_SEED = 20260412;

/** Fewest closed trades for the trade bootstrap: with fewer, a percentile interval of the mean is noise. */
export const MIN_TRADES_FOR_TRADE_CI = 10;

const DAY_MS = 86_400_000;

/** Closed trades (open ones are marked to market, not outcomes). */
export function closedTrades(result: BacktestResult): number {
  return result.trades.filter((t) => !t.open).length;
}

/** Calendar length of the run in years (365.25 days). */
export function testYears(result: BacktestResult): number {
  const n = result.equity.length;
  if (n < 2) return 0;
  return (parseTime(result.equity[n - 1].time) - parseTime(result.equity[0].time)) / DAY_MS / 365.25;
}

/**
 * @param trials every variant tried for this strategy, this run included (≥ 1): the caller's count from the
 *   run history plus the parameter variants the robustness check ran.
 */
export function computeEvidence(result: BacktestResult, settings: EvaluateSettings['evidence'], trials: number): Evidence {
  const { time, equity } = equityColumns(result);
  const sampling = detectSampling(time);
  const returns = periodReturns(time, equity, sampling.period);
  const ppy = sampling.periodsPerYear;
  const opts = { resamples: settings.resamples, level: settings.level, seed: BOOTSTRAP_SEED };
  const [sharpe, ret] = bootstrapIntervals(
    returns,
    (s) => {
      const a = annualise(s, ppy, 0);
      return [a.sharpe, a.returnAnn === null ? null : a.returnAnn * 100];
    },
    { ...opts, meanBlock: defaultBlockLength(returns.length) },
  );
  const blockNote = `stationary block bootstrap of ${returns.length.toLocaleString('en-US')} ${sampling.period} returns, ${settings.resamples.toLocaleString('en-US')} resamples, mean block ${defaultBlockLength(returns.length)}`;
  const tradeReturns = Float64Array.from(result.trades.filter((t) => !t.open).map((t) => t.returnPct));
  const [trade] = tradeReturns.length >= MIN_TRADES_FOR_TRADE_CI
    ? bootstrapIntervals(tradeReturns, (s) => [meanOf(s)], { ...opts, meanBlock: 1 })
    : [null];
  const m = moments(returns);
  const sr = m ? m.mean / m.std : null;
  const allTrials = Math.max(1, Math.round(trials));
  return {
    trades: tradeReturns.length,
    years: testYears(result),
    sharpe: result.metrics.sharpeRatio,
    sharpeCI: sharpe ? { low: sharpe.low, high: sharpe.high, level: settings.level, method: blockNote } : null,
    returnCI: ret ? { low: ret.low, high: ret.high, level: settings.level, method: blockNote } : null,
    tradeReturnCI: trade ? { low: trade.low, high: trade.high, level: settings.level, method: `bootstrap of ${tradeReturns.length} closed trades' returns (%), ${settings.resamples.toLocaleString('en-US')} resamples` } : null,
    probabilisticSharpe: m && sr !== null ? probabilisticSharpe(sr, m.n, m.skew, m.kurtosis) : null,
    deflatedSharpe: m && sr !== null ? deflatedSharpe(sr, m.n, m.skew, m.kurtosis, allTrials) : null,
    trials: allTrials,
  };
}

/** Why the evidence is insufficient (empty when it is enough): too few trades, too short a test. */
export function evidenceShortfalls(e: Evidence, settings: EvaluateSettings['evidence']): string[] {
  const out: string[] = [];
  if (e.trades < settings.minTrades) out.push(`only ${e.trades} closed trade(s), fewer than the ${settings.minTrades} the statistics need (strategyLab.evaluate.evidence.minTrades)`);
  if (e.years < settings.minYears) out.push(`the test covers ${e.years.toFixed(2)} years, shorter than ${settings.minYears} (strategyLab.evaluate.evidence.minYears)`);
  return out;
}

/** Strong evidence: the deflated Sharpe ratio clears its bar and the Sharpe interval lies above 0. */
export function evidenceIsStrong(e: Evidence, settings: EvaluateSettings['evidence']): boolean {
  return e.deflatedSharpe !== null && e.deflatedSharpe >= settings.minDeflatedSharpe && e.sharpeCI !== null && e.sharpeCI.low > 0;
}
