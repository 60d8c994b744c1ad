/** Marker thinning (media/charts/markers.ts): kept markers of one row never closer than the gap; merged ones counted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MARKER_GAP_PX, thinMarkers, type MarkerItem } from '../../media/charts/markers';

const buy = (index: number): MarkerItem => ({ index, position: 'belowBar', shape: 'arrowUp', color: 'g', label: 'Buy' });
const sell = (index: number): MarkerItem => ({ index, position: 'aboveBar', shape: 'arrowDown', color: 'r', label: 'Sell' });

test('wide zoom: every marker kept with its own label', () => {
  const out = thinMarkers([buy(0), sell(10), buy(20), sell(30)], 10);
  assert.deepEqual(out.map((m) => m.text), ['Buy', 'Sell', 'Buy', 'Sell']);
  assert.deepEqual(out.map((m) => m.count), [1, 1, 1, 1]);
});

test('tight zoom: markers of a row closer than the gap fold into the one kept before them, which counts them', () => {
  // 1 px a bar: buys at 0, 10, 20 are within 34 px of the first; the buy at 40 is not.
  const out = thinMarkers([buy(0), buy(10), buy(20), buy(40), sell(5)], 1);
  assert.deepEqual(out.map((m) => [m.index, m.text]), [[0, 'Buy ×3'], [5, 'Sell'], [40, 'Buy']]);
  assert.equal(out.reduce((n, m) => n + m.count, 0), 5, 'no marker is lost, only merged');
});

test('rows are independent: a buy and a sell on the same bar both stay', () => {
  const out = thinMarkers([buy(3), sell(3)], 0.5);
  assert.equal(out.length, 2);
});

test('property: over random markers and zooms, kept markers of a row are at least the gap apart and counts add up', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 200; round++) {
    const items = Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => (rnd() < 0.5 ? buy : sell)(Math.floor(rnd() * 6000)));
    const spacing = 0.02 + rnd() * 20;
    const out = thinMarkers(items, spacing);
    assert.equal(out.reduce((n, m) => n + m.count, 0), items.length);
    for (const row of ['aboveBar', 'belowBar']) {
      const xs = out.filter((m) => m.position === row).map((m) => m.index * spacing);
      for (let i = 1; i < xs.length; i++) assert.ok(xs[i] - xs[i - 1] >= MARKER_GAP_PX - 1e-9, `round ${round}: ${xs[i] - xs[i - 1]} px apart`);
    }
  }
});
