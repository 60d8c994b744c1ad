/**
 * The idea corpus (supported.txt, unsupported.txt): each supported idea with
 * the meaning it must be read as, in the words `describeRule` prints, and each
 * unsupported one with the part its refusal must name.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Timeframe } from '../../../core/sdk/types';

export interface ExpectedIdea {
  idea: string;
  line: number;
  symbols: string[];
  timeframe: Timeframe;
  direction: 'long' | 'short';
  entry: string;
  /** undefined: no signal exit. */
  exit?: string;
  risk: { stopLossPct?: number; takeProfitPct?: number; trailingStopPct?: number; atrStop?: { multiple: number; period: number } };
  sizePercent?: number;
}

export interface RefusedIdea {
  idea: string;
  line: number;
  named: string;
}

const dataLines = (file: string) =>
  readFileSync(join(__dirname, file), 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.trim(), line: i + 1 }))
    .filter((l) => l.text && !l.text.startsWith('#'));

/** Shorthands of the expectation column → describeRule's words. */
const SHORTHANDS: [RegExp, string][] = [
  [/\bRSI\b(?!\()/g, 'RSI(14)'],
  [/\bMACD\b(?!\()/g, 'MACD(12,26,9) line'],
  [/\bSIGNAL\b/g, 'MACD(12,26,9) signal'],
  [/\bHIST\b/g, 'MACD(12,26,9) histogram'],
  [/\bBB\.(lower|middle|upper)\b/g, 'Bollinger(20,2) $1 band'],
  [/%([KD])(?!\w)/g, 'Stochastic(14,3) %$1'],
  [/\bADX\b(?!\()/g, 'ADX(14)'],
  [/([+-])DI\b(?!\()/g, '$1DI(14)'],
];

export function expand(rule: string): string {
  // "Stochastic(10,3) %K" is already explicit: protect it from the %K shorthand.
  let out = rule.replace(/Stochastic\((\d+),(\d+)\) %([KD])/g, 'Stochastic($1,$2) \u0001$3');
  for (const [re, to] of SHORTHANDS) out = out.replace(re, to);
  return out.replace(/\u0001/g, '%');
}

export function loadSupported(): ExpectedIdea[] {
  return dataLines('supported.txt').map(({ text, line }) => {
    const [idea, expectation] = text.split(/\s+=>\s+/);
    if (!expectation) throw new Error(`supported.txt:${line}: no "=>" expectation`);
    const [head, entry, exit, risk = ''] = expectation.split('|').map((s) => s.trim());
    const [symbols, timeframe, direction] = head.split(/\s+/);
    const out: ExpectedIdea = {
      idea,
      line,
      symbols: symbols.split(','),
      timeframe: timeframe as Timeframe,
      direction: direction as 'long' | 'short',
      entry: expand(entry),
      exit: exit === '-' ? undefined : expand(exit),
      risk: {},
    };
    for (const token of risk.split(/\s+/).filter(Boolean)) {
      const [key, value] = token.split('=');
      if (key === 'sl') out.risk.stopLossPct = Number(value);
      else if (key === 'tp') out.risk.takeProfitPct = Number(value);
      else if (key === 'trail') out.risk.trailingStopPct = Number(value);
      else if (key === 'atr') {
        const [multiple, period] = value.split('x').map(Number);
        out.risk.atrStop = { multiple, period };
      } else if (key === 'size') out.sizePercent = Number(value);
      else throw new Error(`supported.txt:${line}: unknown risk token ${token}`);
    }
    return out;
  });
}

export function loadUnsupported(): RefusedIdea[] {
  return dataLines('unsupported.txt').map(({ text, line }) => {
    const [idea, named] = text.split(/\s+!!\s+/);
    if (!named) throw new Error(`unsupported.txt:${line}: no "!!" part`);
    return { idea, line, named };
  });
}
