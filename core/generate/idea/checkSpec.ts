/**
 * Numbers the parser read but the SDK or the broker would reject at run time
 * (a zero period, a 150% position, MACD fast ≥ slow): caught here so the user
 * hears it before a file is written, in the idea's terms.
 */
import { comparisonsOf, describeOperand, type IndicatorSpec, type StrategySpec } from '../spec';

export function specProblems(spec: StrategySpec): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of [...comparisonsOf(spec.entry), ...comparisonsOf(spec.exit)]) {
    for (const o of [c.left, c.right, c.upper]) {
      if (o?.kind !== 'indicator') continue;
      const key = JSON.stringify(o.indicator);
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(...indicatorProblems(o.indicator).map((p) => `${describeOperand(o)}: ${p}`));
    }
    if (c.multiplier !== undefined && !(c.multiplier > 0)) problems.push(`the multiple in "${c.text}" must be above 0`);
  }
  const r = spec.risk;
  const pct = (name: string, v: number | undefined, max: number) => {
    if (v !== undefined && !(v > 0 && v < max)) problems.push(`${name} ${v}% must be above 0% and below ${max}%`);
  };
  pct('stop-loss', r.stopLossPct, 100);
  pct('trailing stop', r.trailingStopPct, 100);
  pct('take-profit', r.takeProfitPct, 10_000);
  if (r.atrStop) {
    if (!(r.atrStop.multiple > 0)) problems.push(`ATR stop multiple ${r.atrStop.multiple} must be above 0`);
    if (!isPeriod(r.atrStop.period)) problems.push(`ATR period ${r.atrStop.period} must be a whole number of at least 1`);
  }
  if (spec.sizePercent !== undefined && !(spec.sizePercent > 0 && spec.sizePercent <= 100)) {
    problems.push(`position size ${spec.sizePercent}% must be above 0% and at most 100% (no leverage)`);
  }
  return problems;
}

function indicatorProblems(i: IndicatorSpec): string[] {
  const periods: [string, number][] =
    i.type === 'MACD' ? [['fast period', i.fast], ['slow period', i.slow], ['signal period', i.signal]]
      : i.type === 'Stochastic' ? [['period', i.period], ['signal period', i.signal]]
        : [['period', i.period]];
  const problems = periods.filter(([, v]) => !isPeriod(v)).map(([name, v]) => `${name} ${v} must be a whole number of at least 1`);
  if (i.type === 'MACD' && isPeriod(i.fast) && isPeriod(i.slow) && i.fast >= i.slow) problems.push(`fast period ${i.fast} must be less than slow period ${i.slow}`);
  if (i.type === 'BollingerBands' && !(i.stdDev > 0)) problems.push(`width ${i.stdDev} standard deviations must be above 0`);
  return problems;
}

const isPeriod = (n: number) => Number.isInteger(n) && n >= 1;
