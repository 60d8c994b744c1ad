/**
 * Failures inside a batch (core/run/batchEngine.ts) stay with their variant, as in separate runs, and a cancel
 * stops the batch at once and removes every container. Its own file (own process): the containers it checks
 * for are only its own runner's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { sandboxBatchEngine } from '../../core/run/batchEngine';
import { perRunEngine } from '../../core/run/variantEngines';
import type { Variant, VariantBatch } from '../../core/run/variants';
import { SandboxRunner } from '../../core/sandbox/runner';
import { assertNoContainersLeft, bars, compiled, HOSTILE_LIMITS, requireDocker, runtimeBundle, strategySource } from './helpers';

let docker: Docker;
before(async () => {
  docker = await requireDocker();
  await runtimeBundle();
});

describe('failures inside a Docker batch stay with their variant', () => {
  let strict: SandboxRunner;
  before(async () => {
    strict = new SandboxRunner({ mode: 'docker', poolSize: 0, limits: { ...HOSTILE_LIMITS, timeMs: 4000, maxLogBytes: 64 * 1024 } });
  });
  after(async () => {
    await strict?.dispose();
    await assertNoContainersLeft(docker);
  });

  const HOSTILE = strategySource(
    `const m = this.params.mode;
    if (m === 1) while (true) {}
    if (m === 2) { const hog: Float64Array[] = []; while (true) hog.push(new Float64Array(3e7).fill(bar.index)); }
    if (m === 3) for (let i = 0; i < 1e6; i++) console.log('x'.repeat(100));
    if (m === 4) { const frame = String.fromCharCode(8, 0, 0, 0, 4) + 'k'.repeat(16) + '\\u0000'.repeat(8); console.log(frame); try { (globalThis as any).process.stdout.write(frame); } catch {} }
    if (bar.index === 3) this.buy(bar.symbol);
    if (bar.index === 9) this.close(bar.symbol);`,
    { members: 'params = { mode: 0 };' },
  );

  test('a time-out, a memory bomb, a log flood and forged frames fail (or not) exactly as separate runs do; the rest runs on', async () => {
    const modes = [0, 1, 0, 2, 0, 3, 4, 0];
    const variants: Variant[] = modes.map((mode, i) => ({ id: `${i}:mode${mode}`, params: { mode } }));
    const batch: VariantBatch = { compiled: await compiled(HOSTILE), series: [bars(20)], options: {}, variants, detail: 'full' };
    const outcomes = await sandboxBatchEngine({ mode: 'docker', runner: strict, concurrency: 1 }).run(batch);
    const errors = outcomes.map((o) => (o.ok ? 'ok' : o.error));
    assert.match(errors[1], /time limit/);
    assert.match(errors[3], /memory/i);
    assert.match(errors[5], /log output/);
    for (const i of [0, 2, 4, 6, 7]) {
      assert.equal(errors[i], 'ok', `variant ${variants[i].id}`);
      const numbers = (k: number) => JSON.stringify({ ...(outcomes[k] as { result: object }).result, run: null }); // all but the params echo
      assert.ok(numbers(i) === numbers(0), `variant ${variants[i].id}: forged frames change nothing`);
    }
    // The same failures as separate runs give (each variant in its own sandbox).
    const separate = await perRunEngine('docker', strict, 2).run({ ...batch, variants: variants.slice(1, 6) });
    for (const [k, o] of separate.entries()) {
      const got = outcomes[k + 1];
      assert.equal(got.ok, o.ok, variants[k + 1].id);
      if (!o.ok && !got.ok) assert.equal(got.error.split(' ').slice(0, 6).join(' '), o.error.split(' ').slice(0, 6).join(' '), variants[k + 1].id);
    }
    await strict.idle();
    await assertNoContainersLeft(docker);
  });

  test('cancel mid-batch stops at once and removes every container', async () => {
    const slow = strategySource('let x = 0; for (let i = 0; i < 3e5; i++) x += Math.sqrt(i); if (x < 0) this.buy(bar.symbol);');
    const controller = new AbortController();
    const variants: Variant[] = Array.from({ length: 400 }, (_, i) => ({ id: String(i), options: { commission: i * 1e-5 } }));
    let seen = 0;
    let abortedAt = 0;
    const started = performance.now();
    await assert.rejects(
      sandboxBatchEngine({ mode: 'docker', runner: strict, concurrency: 2, barRunsPerSandbox: 1 }).run({
        compiled: await compiled(slow), series: [bars(60)], options: {}, variants, detail: 'summary', signal: controller.signal,
        onOutcome: () => { if (++seen === 3) { abortedAt = performance.now(); controller.abort(); } },
      }),
      (err: Error) => err.name === 'AbortError',
    );
    const stoppedAfter = performance.now() - abortedAt;
    assert.ok(abortedAt > 0 && seen < variants.length, `cancelled after ${seen} outcomes (${Math.round(abortedAt - started)} ms in)`);
    assert.ok(stoppedAfter < 2000, `the batch stopped ${Math.round(stoppedAfter)} ms after the cancel`);
    await strict.idle();
    await assertNoContainersLeft(docker);
  });
});

