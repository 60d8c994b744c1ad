/** Marker thinning (media/charts/markers.ts): kept markers of one row never closer than the gap; merged ones counted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { estimateWidth, markerGap, thinMarkers, type MarkerItem } from '../../media/charts/markers';

const buy = (index: number): MarkerItem => ({ index, position: 'belowBar', shape: 'arrowUp', color: 'g', label: 'Buy' });
const sell = (index: number): MarkerItem => ({ index, position: 'aboveBar', shape: 'arrowDown', color: 'r', label: 'Sell' });

test('wide zoom: every marker kept with its own label', () => {
  const out = thinMarkers([buy(0), sell(10), buy(20), sell(30)], 10);
  assert.deepEqual(out.map((m) => m.text), ['Buy', 'Sell', 'Buy', 'Sell']);
  assert.deepEqual(out.map((m) => m.count), [1, 1, 1, 1]);
});

test('tight zoom: markers of a row closer than the gap fold into the one kept before them, which counts them', () => {
  // 1 px a bar; two buys need ('Buy ×99' = 7 chars × 7.5 px) + 4 = 56.5 px: 10, 20 and 45 fold into 0, 60 stays.
  assert.equal(markerGap(buy(0), buy(1)), 56.5);
  const out = thinMarkers([buy(0), buy(10), buy(20), buy(45), buy(60), sell(5)], 1);
  assert.deepEqual(out.map((m) => [m.index, m.text]), [[0, 'Buy ×4'], [5, 'Sell'], [60, 'Buy']]);
  assert.equal(out.reduce((n, m) => n + m.count, 0), 6, 'no marker is lost, only merged');
});

test('rows are independent: a buy and a sell on the same bar both stay', () => {
  const out = thinMarkers([buy(3), sell(3)], 0.5);
  assert.equal(out.length, 2);
});

test('property: over random markers and zooms, the labels of a row never overlap and counts add up', () => {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 200; round++) {
    const items = Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => (rnd() < 0.5 ? buy : sell)(Math.floor(rnd() * 6000)));
    const spacing = 0.02 + rnd() * 20;
    const out = thinMarkers(items, spacing);
    assert.equal(out.reduce((n, m) => n + m.count, 0), items.length);
    for (const row of ['aboveBar', 'belowBar']) {
      const kept = out.filter((m) => m.position === row);
      for (let i = 1; i < kept.length; i++) {
        const dx = (kept[i].index - kept[i - 1].index) * spacing;
        const need = (estimateWidth(kept[i].text) + estimateWidth(kept[i - 1].text)) / 2;
        assert.ok(dx >= need, `round ${round}: '${kept[i - 1].text}' and '${kept[i].text}' ${dx} px apart, need ${need}`);
      }
    }
  }
});
