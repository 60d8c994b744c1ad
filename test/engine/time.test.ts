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

test('parseTime gives what Date.parse gives: every day of years 0000–9999, random date-times, and malformed text', () => {
  const reference = (text: string) => (/^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : Date.parse(text));
  const same = (text: string) => {
    const got = parseTime(text), want = reference(text);
    if (!Object.is(got, want)) assert.fail(`${JSON.stringify(text)}: ${got}, Date.parse gives ${want}`);
  };
  const DAY = 86_400_000;
  for (let d = -719_528; d <= 2_932_896; d += 1) same(isoDate(d));
  let seed = 5;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
  for (let i = 0; i < 200_000; i++) same(formatTime(Date.UTC(1800, 0, 1) + rand(400 * 365) * DAY + rand(86_400) * 1000));
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  // Every field out of range, at and past each boundary, and leap days.
  for (const [y, m, d] of [[2021, 2, 29], [2020, 2, 29], [1900, 2, 29], [2000, 2, 29], [2021, 4, 31], [2021, 13, 1], [2021, 0, 10], [2021, 1, 0], [2021, 12, 32], [0, 1, 1], [9999, 12, 31]]) {
    same(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
    for (const [hh, mi, ss] of [[0, 0, 0], [23, 59, 59], [24, 0, 0], [23, 60, 0], [23, 0, 60], [99, 99, 99]]) same(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(hh, 2)}:${pad(mi, 2)}:${pad(ss, 2)}Z`);
  }
  for (const text of ['', '2021-01-04 ', ' 2021-01-04', '2021/01/04', '2021-1-04', '2021-01-4x', '2021-01-04T10:00:00', '2021-01-04t10:00:00z', '2021-01-04T10:00:00.250Z',
    '2021-01-04T10:00:00+01:00', '2021-01-04 10:00:00Z', '2021-01-04T10-00-00Z', '2021-01-04T1a:00:00Z', '+002021-01-04', '2021-0a-04', '２０２１-01-04', 'abcd-ef-gh', '2021-01-04T10:00Z', '1e21-01-04']) same(text);
});
