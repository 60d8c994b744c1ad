import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateOffline, GenerateError, readRequestFromSource, checkStrategySource } from '../../core/generate/index';
import { compileStrategy } from '../../core/strategy/compile';
import { loadStrategy } from '../../core/strategy/load';
import { runBacktest } from '../../core/engine/backtest';
import { sampleSeries } from '../../core/data/sample';
import { sliceSeries } from '../../core/data/series';
import { PHRASINGS, UNSUPPORTED } from './phrasings';
import { inspectStrategy } from './inspect';

/** Enough intraday bars to warm up every indicator and trade, without a slow test. */
const INTRADAY_BARS = 4000;

test('at least 40 distinct phrasings are covered', () => {
  assert.ok(new Set(PHRASINGS.map((p) => p.idea)).size >= 40, `only ${PHRASINGS.length} phrasings`);
});

let tradedCount = 0;
for (const p of PHRASINGS) {
  test(`offline: ${p.idea}`, async () => {
    const result = generateOffline(p.idea);
    const { source } = result;

    assert.equal(readRequestFromSource(source), p.idea, 'the file starts with the request, verbatim');
    const report = checkStrategySource(source);
    assert.deepEqual(report.errors, [], 'validates with zero errors');
    assert.deepEqual(report.warnings, [], 'and zero warnings');

    const facts = inspectStrategy(source);
    assert.deepEqual(facts.symbols, p.symbols, 'tickers');
    assert.equal(facts.timeframe, p.timeframe ?? '1d', 'timeframe');
    for (const cls of p.indicators) assert.ok(facts.constructed.includes(cls), `constructs ${cls}; got ${facts.constructed.join(', ')}`);
    const values = Object.values(facts.params);
    for (const n of p.numbers) assert.ok(values.includes(n), `a param equals ${n}; params ${JSON.stringify(facts.params)}`);
    for (const c of p.calls ?? []) assert.ok(facts.calls.includes(c), `calls ${c}`);
    for (const o of p.orderOptions ?? []) assert.ok(facts.orderOptions.includes(o), `entry order passes ${o}; got ${facts.orderOptions.join(', ')}`);
    const direction = p.direction ?? 'long';
    assert.equal(result.spec?.direction, direction);
    assert.ok(facts.calls.includes(direction === 'long' ? 'buy' : 'sell'), `enters with ${direction === 'long' ? 'buy' : 'sell'}`);

    const compiled = await compileStrategy(source, 'generated.strategy.ts');
    const cls = loadStrategy(compiled.js, 'generated.strategy.ts');
    const series = p.symbols.map((s) => {
      const full = sampleSeries(s, facts.timeframe as never);
      return facts.timeframe === '1d' || facts.timeframe === '1wk' ? full : sliceSeries(full, -Infinity, full.time[Math.min(full.length, INTRADAY_BARS) - 1]);
    });
    const run = runBacktest(cls, series);
    assert.ok(run.run.bars > 0, 'backtest ran over the sample');
    assert.deepEqual(run.run.symbols, p.symbols);
    if (run.trades.length > 0) tradedCount++;
    for (const t of run.trades) assert.equal(t.side, direction, 'every trade goes the requested way');
  });
}

test('most generated strategies actually trade on the sample (the rules are live, not dead code)', { concurrency: false }, () => {
  // Runs after the phrasing tests in this file (node:test runs a file's top-level tests in order).
  assert.ok(tradedCount >= Math.ceil(PHRASINGS.length * 0.8), `${tradedCount} of ${PHRASINGS.length} traded`);
});

for (const u of UNSUPPORTED) {
  test(`offline refuses: ${u.idea}`, () => {
    assert.throws(
      () => generateOffline(u.idea),
      (err: unknown) => {
        assert.ok(err instanceof GenerateError);
        assert.equal(err.kind, 'not-understood');
        assert.match(err.message, /did not understand/);
        assert.match(err.message, /Understood:/);
        assert.ok(err.details?.notUnderstood?.some((t) => t.includes(u.notUnderstood)), `names "${u.notUnderstood}": ${err.message}`);
        if (u.understood) assert.ok(err.message.includes(u.understood), `lists what it understood: ${err.message}`);
        assert.ok(!err.message.includes('@sym'), 'tickers are shown as written, not as internal tokens');
        return true;
      },
    );
  });
}

test('offline generation is deterministic', () => {
  const idea = PHRASINGS[0].idea;
  assert.equal(generateOffline(idea).source, generateOffline(idea).source);
});
