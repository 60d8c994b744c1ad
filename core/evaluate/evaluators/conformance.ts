/**
 * Spec conformance on the trades, and per-trade reasons. The request, read as
 * a structured spec (e.g. entry RSI(14) < 35), is re-evaluated at each trade's
 * signal bar with the SDK's indicators: a trade whose signal bar does not meet
 * the rule is listed. Every trade also gets a sentence built from those values:
 * "entered 2013-03-13 because RSI(14)=33.80 < 35; filled next open at 150.21".
 */
import type { BarSeries } from '../../data/series';
import { formatTime, parseTime } from '../../engine/time';

import { describeRule } from '../../generate/spec';
import type { EvalContext } from '../context';
import { count, fmt } from '../context';
import { barAt } from '../ledger';
import { checkRule, SpecTape } from '../spec/tape';
import { scored, skipped, type EvaluatorResult, type Finding, type TradeReason } from '../types';

export const CONFORMANCE = { id: 'conformance', name: 'Spec conformance', kind: 'deterministic' } as const;

export interface Violation {
  trade: number;
  side: 'entry' | 'exit';
  time: string;
  message: string;
}

export interface ConformanceOutcome {
  result: EvaluatorResult;
  reasons: TradeReason[];
}

const STOP_WORDS: Record<string, string> = {
  'stop-loss': 'stop-loss',
  'take-profit': 'take-profit',
  'trailing-stop': 'trailing stop',
};

export function evaluateConformance(ctx: EvalContext): ConformanceOutcome {
  const r = ctx.result;
  if (!r) return { result: skipped(CONFORMANCE, 'Skipped: the backtest did not complete.'), reasons: [] };
  const spec = ctx.codeSpec ?? ctx.spec;
  const fillWords = r.run.options.fill === 'close' ? 'filled at the close' : 'filled next open';
  const signalOffset = r.run.options.fill === 'close' ? 0 : 1;
  const bySymbol = new Map(ctx.series.map((s) => [s.symbol, s]));
  const tapes = new Map<string, SpecTape>();
  const tapeOf = (s: BarSeries) => {
    let t = tapes.get(s.symbol);
    if (!t && spec) tapes.set(s.symbol, (t = new SpecTape(s, spec)));
    return t;
  };
  const tol = ctx.settings.conformance.relativeTolerance;
  const violations: Violation[] = [];
  const reasons: TradeReason[] = [];
  let checked = 0;

  r.trades.forEach((t, index) => {
    const s = bySymbol.get(t.symbol);
    const entryBar = s ? barAt(s, parseTime(t.entryTime)) : -1;
    const words: string[] = [];
    const entrySignal = entryBar - signalOffset;
    const signalDate = s && entrySignal >= 0 ? formatTime(s.time[entrySignal]) : t.entryTime;
    const tape = s && tapeOf(s);
    if (tape && spec) {
      const wantSide = spec.direction;
      const check = checkRule(tape, spec.entry, entrySignal, tol);
      checked++;
      words.push(`${t.side === 'long' ? 'entered' : 'shorted'} ${signalDate} because ${check.words}; ${fillWords} at ${fmt(t.entryPrice)}`);
      if (t.side !== wantSide) {
        violations.push({ trade: index, side: 'entry', time: t.entryTime, message: `trade ${index + 1} is ${t.side} but the request asks for ${wantSide} trades` });
      } else if (!check.holds) {
        violations.push({ trade: index, side: 'entry', time: signalDate, message: `trade ${index + 1} entered on ${signalDate} although the entry rule "${describeRule(spec.entry)}" did not hold: ${check.words}` });
      }
    } else {
      words.push(`${t.side === 'long' ? 'entered' : 'shorted'} ${signalDate}; ${fillWords} at ${fmt(t.entryPrice)}`);
    }
    if (!t.open && t.exitTime !== null && t.exitPrice !== null) {
      const exitBar = s ? barAt(s, parseTime(t.exitTime)) : -1;
      const stop = t.exitReason ? STOP_WORDS[t.exitReason] : undefined;
      if (stop) words.push(`exited ${t.exitTime} by its ${stop} at ${fmt(t.exitPrice)}`);
      else {
        const exitSignal = exitBar - signalOffset;
        const exitDate = s && exitSignal >= 0 ? formatTime(s.time[exitSignal]) : t.exitTime;
        if (tape && spec?.exit && t.exitReason === 'signal') {
          const check = checkRule(tape, spec.exit, exitSignal, tol);
          checked++;
          words.push(`exited ${exitDate} because ${check.words}; ${fillWords} at ${fmt(t.exitPrice)}`);
          if (!check.holds) violations.push({ trade: index, side: 'exit', time: exitDate, message: `trade ${index + 1} exited on ${exitDate} although the exit rule "${describeRule(spec.exit)}" did not hold: ${check.words}` });
        } else words.push(`exited ${exitDate}${t.exitReason && t.exitReason !== 'signal' ? ` (${t.exitReason})` : ''}; ${fillWords} at ${fmt(t.exitPrice)}`);
      }
    } else if (t.open) words.push('still open at the end of the data');
    reasons.push({ trade: index, text: capitalise(words.join('; ')) + '.' });
  });

  if (!spec) return { result: skipped(CONFORMANCE, `Skipped: ${ctx.specProblem ?? 'no request to check the trades against'}.`), reasons };
  if (r.trades.length === 0) return { result: skipped(CONFORMANCE, 'Skipped: no trades to check.', { trades: 0 }), reasons };
  const bad = new Set(violations.map((v) => v.trade)).size;
  const findings: Finding[] = violations.slice(0, 3).map((v) => ({ message: `Spec conformance: ${v.message}.`, severity: 'warning', anchor: { kind: 'rule', role: v.side } }));
  const result = scored(
    CONFORMANCE,
    1 - bad / r.trades.length,
    violations.length === 0,
    violations.length
      ? [`${bad} of ${count(r.trades.length)} trade(s) break the requested rules:`, ...violations.slice(0, 10).map((v) => v.message)]
      : [`All ${count(r.trades.length)} trade(s) match the requested rules at their signal bars (entry: ${describeRule(spec.entry)}${spec.exit ? `; exit: ${describeRule(spec.exit)}` : ''}).`],
    { trades: r.trades.length, checked, violations },
    findings,
  );
  return { result, reasons };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

