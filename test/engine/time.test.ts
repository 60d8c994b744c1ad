import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTime, isoDate, parseTime } from '../../core/engine/time';

test('formatTime: dates for midnight UTC, ISO date-times otherwise, matching toISOString', () => {
  assert.equal(formatTime(Date.UTC(2021, 0, 4)), '2021-01-04');
  const samples = [Date.UTC(2013, 9, 4, 9, 30), Date.UTC(2013, 9, 4, 23, 59, 59), Date.UTC(1999, 11, 31, 0, 0, 1), Date.UTC(2020, 1, 29, 12, 0, 0, 250), Date.UTC(1969, 11, 31, 13, 5, 7)];
  for (const ms of samples) {
    const iso = new Date(ms).toISOString();
    assert.equal(formatTime(ms), ms % 1000 === 0 ? `${iso.slice(0, 19)}Z` : iso);
    assert.equal(parseTime(formatTime(ms)), ms);
  }
  // Every minute of a day (the shared time-of-day suffixes) and whole seconds between them.
  for (let m = 0; m < 1440; m++) {
    for (const ms of [Date.UTC(2013, 9, 4, 0, m), Date.UTC(2013, 9, 4, 0, m, 17)]) {
      if (ms % 86_400_000 === 0) continue;
      assert.equal(formatTime(ms), `${new Date(ms).toISOString().slice(0, 19)}Z`);
    }
  }
  // alternating days must not reuse a stale cached date
  assert.equal(formatTime(Date.UTC(2021, 0, 5, 10)), '2021-01-05T10:00:00Z');
  assert.equal(formatTime(Date.UTC(2021, 0, 4, 10)), '2021-01-04T10:00:00Z');
});

test('isoDate writes every day from year 0000 to 9999 (and beyond, through Date) as toISOString does', () => {
  const DAY = 86_400_000;
  let checked = 0;
  // Every day of the whole four-digit range: about 3.65 M days, well under a second.
  for (let d = -719_528 - 3; d <= 2_932_896 + 3; d++) {
    const expected = new Date(d * DAY).toISOString().slice(0, 10);
    if (isoDate(d) !== expected) assert.fail(`day ${d}: ${isoDate(d)}, expected ${expected}`);
    checked++;
  }
  assert.ok(checked > 3_600_000);
  assert.equal(isoDate(0), '1970-01-01');
  assert.equal(isoDate(11_016), '2000-02-29');
});
