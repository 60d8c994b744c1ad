/** Two symbols, protective exits and sized orders: the whole pipeline on the breakout example. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleSeries } from '../../core/data/sample';
import { evaluateStrategy } from '../../core/evaluate/pipeline';
import { byId, example } from './helpers';

describe('a two-symbol strategy with stops', () => {
  it('keeps integrity and look-ahead on a portfolio, checks its stops against the request, and explains stop exits', async () => {
    const source = example('breakout-with-stop');
    const series = [sampleSeries('SPY'), sampleSeries('QQQ')];
    const report = await evaluateStrategy({ source, series, mode: 'none', settings: { lookahead: { cutPoints: 3 }, robustness: { maxParams: 2 } } });
    const integrity = byId(report, 'integrity');
    assert.equal(integrity.status, 'passed', integrity.reasons.join('\n'));
    assert.equal(byId(report, 'lookahead').status, 'passed', byId(report, 'lookahead').reasons.join('\n'));
    const alignment = byId(report, 'alignment');
    const items = (alignment.details!.items as { what: string; found: boolean }[]).map((i) => `${i.what}:${i.found}`);
    for (const want of ['ticker SPY:true', 'ticker QQQ:true', 'stop-loss 2%:true', 'take-profit 6%:true', 'position size 40%:true']) assert.ok(items.includes(want), `${want} in ${items.join(', ')}`);
    // The whole request is read now ("40% of equity each" included): nothing is left unchecked.
    assert.match(alignment.reasons.join('\n'), /^Everything the request names is in the code/);
    assert.doesNotMatch(alignment.reasons.join('\n'), /Not checked/);
    const conformance = byId(report, 'conformance');
    assert.equal(conformance.status, 'passed', conformance.reasons.join('\n'));
    assert.ok(report.tradeReasons.length > 2);
    assert.ok(report.tradeReasons.some((t) => /exited \d{4}-\d{2}-\d{2} by its (stop-loss|take-profit) at \d/.test(t.text)), 'stop exits are explained');
  });
});
