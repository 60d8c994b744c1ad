/**
 * The idea corpus in CI: every supported idea either generates a file that
 * validates, backtests on the bundled sample and does what the idea says
 * (spec check against the expectation, and each trade's signal bar re-checked
 * with the SDK's indicators), or is refused; a file that means anything else
 * (a silent misread) fails. At least 90% must generate. Every unsupported
 * idea must be refused with a message naming what was not understood.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStrategySource, describeRule, generateOffline, GenerateError, readRequestFromSource, type GeneratedStrategy } from '../../core/generate/index';
import { compileStrategy } from '../../core/strategy/compile';
import { loadStrategy } from '../../core/strategy/load';
import { runBacktest } from '../../core/engine/backtest';
import { sampleSeries } from '../../core/data/sample';
import { sliceSeries } from '../../core/data/series';
import { parseTime } from '../../core/engine/time';
import { barAt } from '../../core/evaluate/ledger';
import { checkRule, SpecTape } from '../../core/evaluate/spec/tape';
import { loadSupported, loadUnsupported } from './corpus/corpus';
import { inspectStrategy } from './inspect';

const SUPPORTED = loadSupported();
const UNSUPPORTED = loadUnsupported();
/** Enough intraday bars to warm up every indicator and trade, without a slow test. */
const INTRADAY_BARS = 3000;
const REQUIRED_RATE = 0.9;

test('the corpus has at least 300 supported and 50 unsupported ideas, all distinct', () => {
  assert.ok(SUPPORTED.length >= 300, `${SUPPORTED.length} supported`);
  assert.ok(UNSUPPORTED.length >= 50, `${UNSUPPORTED.length} unsupported`);
  const all = [...SUPPORTED, ...UNSUPPORTED].map((i) => i.idea);
  assert.equal(new Set(all).size, all.length, 'no idea twice');
});

const refused: string[] = [];
let generated = 0;

for (const e of SUPPORTED) {
  test(`corpus:${e.line}: ${e.idea}`, async () => {
    let result: GeneratedStrategy;
    try {
      result = generateOffline(e.idea);
    } catch (err) {
      // A refusal is allowed (it counts against the rate), but it must be a clear one.
      assert.ok(err instanceof GenerateError && err.kind === 'not-understood', String(err));
      assert.ok(err.details?.notUnderstood?.length, 'names what was not understood');
      refused.push(`${e.line}: ${e.idea}\n    → ${err.details!.notUnderstood!.join(' | ')}`);
      return;
    }
    const spec = result.spec!;
    // Spec check: the idea's meaning, part by part.
    assert.deepEqual(spec.symbols, e.symbols, 'tickers');
    assert.equal(spec.timeframe, e.timeframe, 'timeframe');
    assert.equal(spec.direction, e.direction, 'side');
    assert.equal(describeRule(spec.entry), e.entry, 'entry rule');
    assert.equal(spec.exit && describeRule(spec.exit), e.exit, 'exit rule');
    assert.deepEqual(spec.risk, e.risk, 'stops');
    assert.equal(spec.sizePercent, e.sizePercent, 'position size');

    // The file: request header, validates, and its config says the same.
    const { source } = result;
    assert.equal(readRequestFromSource(source), e.idea);
    assert.deepEqual(checkStrategySource(source).errors, [], 'validates');
    const facts = inspectStrategy(source);
    assert.deepEqual(facts.symbols, e.symbols);
    assert.equal(facts.timeframe, e.timeframe);
    assert.ok(facts.calls.includes(e.direction === 'long' ? 'buy' : 'sell'), 'enters the requested way');

    // Behaviour: backtest on the sample; every trade's signal bar meets the rule (fills at the next open).
    const compiled = await compileStrategy(source, 'corpus.strategy.ts');
    const cls = loadStrategy(compiled.js, 'corpus.strategy.ts');
    const intraday = !['1d', '1wk'].includes(e.timeframe);
    const series = e.symbols.map((s) => {
      const full = sampleSeries(s, e.timeframe as never);
      return intraday ? sliceSeries(full, -Infinity, full.time[Math.min(full.length, INTRADAY_BARS) - 1]) : full;
    });
    const run = runBacktest(cls, series);
    assert.ok(run.run.bars > 0, 'backtest ran');
    const tapes = new Map(series.map((s) => [s.symbol, { s, tape: new SpecTape(s, spec) }]));
    for (const t of run.trades) {
      assert.equal(t.side, e.direction, 'trade side');
      const { s, tape } = tapes.get(t.symbol)!;
      const entrySignal = barAt(s, parseTime(t.entryTime)) - 1;
      const entryCheck = checkRule(tape, spec.entry, entrySignal, 1e-7);
      assert.ok(entryCheck.holds, `entry at ${t.entryTime} without the signal: ${entryCheck.words}`);
      if (t.exitReason === 'signal' && spec.exit && t.exitTime) {
        const exitCheck = checkRule(tape, spec.exit, barAt(s, parseTime(t.exitTime)) - 1, 1e-7);
        assert.ok(exitCheck.holds, `exit at ${t.exitTime} without the signal: ${exitCheck.words}`);
      }
    }
    generated++;
  });
}

test('at least 90% of the supported ideas generate a correct strategy', () => {
  const rate = generated / SUPPORTED.length;
  const report = `${generated} of ${SUPPORTED.length} generated (${(rate * 100).toFixed(1)}%); refused:\n${refused.join('\n')}`;
  console.log(report);
  assert.equal(generated + refused.length, SUPPORTED.length, 'every idea either generated correctly or was refused (the rest misread)');
  assert.ok(rate >= REQUIRED_RATE, report);
});

for (const u of UNSUPPORTED) {
  test(`corpus refuses:${u.line}: ${u.idea}`, () => {
    assert.throws(
      () => generateOffline(u.idea),
      (err: unknown) => {
        assert.ok(err instanceof GenerateError, String(err));
        assert.equal(err.kind, 'not-understood', err.message);
        const named = (err.details?.notUnderstood ?? []).join(' | ').toLowerCase();
        assert.ok(named.includes(u.named.toLowerCase()), `names "${u.named}" as not understood: ${named}`);
        assert.ok(!err.message.includes('@sym'), 'tickers shown as written');
        return true;
      },
    );
  });
}
