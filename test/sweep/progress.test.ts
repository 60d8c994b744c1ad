/** The progress gate: what a screen (notification, webview, terminal line) gets of a sweep's many reports. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressGate, progressLine } from '../../core/sweep/execute';

test('the first report, the last, and at most one per interval in between', () => {
  let t = 0;
  const due = progressGate(200, () => t);
  const passed: number[] = [];
  // 1,000 variants finishing 1 ms apart
  for (let done = 0; done <= 1000; done++, t++) if (due({ done, total: 1000 })) passed.push(done);
  assert.deepEqual(passed, [0, 200, 400, 600, 800, 1000]);
});

test('the last report passes even right after another one', () => {
  let t = 0;
  const due = progressGate(200, () => t);
  assert.equal(due({ done: 0, total: 2 }), true);
  t = 1;
  assert.equal(due({ done: 1, total: 2 }), false);
  t = 2;
  assert.equal(due({ done: 2, total: 2 }), true, 'the count on screen ends at total');
});

test('a slow sweep shows every report', () => {
  let t = 0;
  const due = progressGate(200, () => t);
  const shown = [0, 1, 2, 3].filter((done) => { t += 500; return due({ done, total: 4 }); });
  assert.deepEqual(shown, [0, 1, 2, 3]);
  assert.match(progressLine({ done: 2, total: 4, resumed: 1, elapsedMs: 1500, etaMs: 1500 }), /^2\/4 variants \(50 %\) · 2 s elapsed · ETA 2 s \(1 from the journal\)$/);
});
