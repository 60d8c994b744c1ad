import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readJournal } from '../../core/paper/journal';
import { SandboxStrategyHost } from '../../core/paper/sandboxSession';
import { SandboxRunner } from '../../core/sandbox/runner';
import { compileStrategy } from '../../core/strategy/compile';
import { compiledExample, driveDays, loadSpy, makeSession, startFake, tempDir } from './helpers';

for (const mode of ['docker', 'process'] as const) {
  test(`a paper session runs the example strategy in a long-lived ${mode} sandbox: same signals, orders relayed, fills back`, async () => {
    const fake = await startFake();
    const dir = tempDir();
    const runner = new SandboxRunner({ mode, poolSize: 0 });
    try {
      const compiled = await compiledExample('sma-crossover.strategy.ts');
      const logs: string[] = [];
      const host = new SandboxStrategyHost(runner, compiled, (l) => logs.push(l.message));
      const bars = loadSpy(fake, '2015-11-20');
      const { session } = await makeSession({ fake, dir, host });
      await session.start();
      assert.match(host.label, new RegExp(mode));
      await driveDays(fake, session, bars, '2016-01-20');
      await session.stop('test over');
      const entries = readJournal(join(dir, 'journal.jsonl'));
      const live = entries.filter((e) => e.type === 'signal' && !e.warmup).map((e) => e.type === 'signal' && `${new Date(e.placedAt).toISOString().slice(0, 10)} ${e.request.side}`);
      assert.deepEqual(live, ['2015-12-17 buy', '2016-01-11 sell']);
      assert.equal(entries.filter((e) => e.type === 'fill').length, 2);
      assert.equal(fake.positions.get('SPY'), undefined, 'flat again after the sell filled');
    } finally {
      await runner.dispose();
      await fake.close();
    }
  });
}

test('a strategy that throws in the sandbox ends the session with its error; no order is sent after it', async () => {
  const fake = await startFake();
  const dir = tempDir();
  const runner = new SandboxRunner({ mode: 'process', poolSize: 0 });
  try {
    const source = `import { BaseStrategy, type Bar } from 'strategy-lab';
export default class Boom extends BaseStrategy {
  static config = { symbols: ['SPY'], timeframe: '1d' };
  onBar(bar: Bar) { if (bar.time > Date.UTC(2015, 11, 1)) throw new Error('boom on ' + bar.time); }
}`;
    const c = await compileStrategy(source, 'boom.ts');
    const host = new SandboxStrategyHost(runner, { js: c.js, fileName: 'boom.ts' }, () => {});
    const bars = loadSpy(fake, '2015-11-25');
    const { session, log } = await makeSession({ fake, dir, host, warmupBars: 20 });
    await session.start();
    await driveDays(fake, session, bars, '2015-12-10');
    await assert.rejects(session.done, /boom on/);
    assert.ok(log.some((l) => /session failed: .*boom on/.test(l)), log.join('\n'));
    const entries = readJournal(join(dir, 'journal.jsonl'));
    assert.ok(entries.some((e) => e.type === 'error'));
    assert.equal(entries[entries.length - 1].type, 'stop');
    assert.equal(fake.posts.length, 0);
  } finally {
    await runner.dispose();
    await fake.close();
  }
});
