/**
 * The byte-level CSV parser (core/data/csv.ts): plain rows take a one-pass fast path, everything else the general
 * path. Random files mixing both must load exactly as Number()/Date.parse read each field; non-ASCII text is
 * decoded only where it is shown, with the same results and messages as reading the decoded text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCsv, parseCsvBytes } from '../../core/data/csv';
import { DataError } from '../../core/data/errors';

/** Seeded LCG: the same files on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function numberText(v: number, r: () => number): string {
  const f = r();
  if (f < 0.5) return v.toFixed(2);
  if (f < 0.6) return ` ${v.toFixed(3)} `;
  if (f < 0.7) return `"${v.toFixed(2)}"`;
  if (f < 0.8) return v.toExponential(4);
  if (f < 0.9) return (v + 1e-13).toPrecision(17); // 17 digits: past the fast path's 15
  return `+${v.toFixed(1)}`;
}

function dateText(t: number, r: () => number): { text: string; ms: number } {
  const iso = new Date(t).toISOString();
  const f = r();
  if (f < 0.4) return { text: `${iso.slice(0, 10)} ${iso.slice(11, 16)}`, ms: t };
  if (f < 0.55) return { text: `${iso.slice(0, 10)}T${iso.slice(11, 19)}`, ms: t };
  if (f < 0.7) return { text: `"${iso.slice(0, 10)} ${iso.slice(11, 19)}"`, ms: t };
  if (f < 0.8) return { text: `${iso.slice(0, 19)}Z`, ms: t };
  if (f < 0.9) return { text: `${iso.slice(0, 10)} ${iso.slice(11, 19)}.250`, ms: t + 250 };
  return { text: `${iso.slice(0, 19)}+01:00`, ms: t - 3_600_000 };
}

test('random files mixing plain and unusual fields load exactly as Number() and Date.parse read them', () => {
  for (let seed = 1; seed <= 30; seed++) {
    const r = rng(seed);
    const lines = [r() < 0.5 ? 'Date,Open,High,Low,Close,Volume' : 'Date,Open,High,Low,Close,Volume,Note'];
    const note = lines[0].endsWith('Note');
    const want: { t: number; c: number; v: number }[] = [];
    let t = Date.UTC(2021, 2, 1, 14, 30) + Math.floor(r() * 1000) * 86_400_000;
    for (let i = 0; i < 400; i++) {
      t += r() < 0.05 ? 86_400_000 : 60_000 * (1 + Math.floor(r() * 3));
      const { text, ms } = dateText(t, r);
      const c = 50 + r() * 50;
      const cText = numberText(c, r);
      const v = Math.floor(r() * 1e6);
      lines.push(`${text},${numberText(c, r)},${(c * 2).toFixed(2)},${(c / 2).toFixed(2)},${cText},${v}${note ? ',x é y' : ''}`);
      // Later rows must come after earlier ones in time (offsets and fractions shift a row's time).
      if (want.length && ms <= want[want.length - 1].t) { lines.pop(); continue; }
      want.push({ t: ms, c: Number(cText.replace(/"/g, '').trim()), v });
    }
    const text = `${lines.join(r() < 0.5 ? '\n' : '\r\n')}\n`;
    const s = parseCsv(text, { file: `seed${seed}.csv` });
    assert.equal(s.length, want.length, `seed ${seed}`);
    for (let i = 0; i < want.length; i++) {
      assert.equal(s.time[i], want[i].t, `seed ${seed} row ${i} time`);
      assert.equal(s.close[i], want[i].c, `seed ${seed} row ${i} close`);
      assert.equal(s.volume[i], want[i].v, `seed ${seed} row ${i} volume`);
    }
    const bytes = parseCsvBytes(Buffer.from(text, 'utf8'), { file: `seed${seed}.csv` });
    assert.deepEqual(Array.from(bytes.close), Array.from(s.close));
    assert.deepEqual(Array.from(bytes.time), Array.from(s.time));
  }
});

test('a plain file read by the fast path equals the general path row by row (one general row in the middle)', () => {
  const rows = ['Date,Open,High,Low,Close,Volume'];
  for (let i = 0; i < 1000; i++) {
    const d = new Date(Date.UTC(2020, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
    rows.push(`${d},${(10 + i / 7).toFixed(4)},${(11 + i / 7).toFixed(4)},${(9 + i / 7).toFixed(4)},${(10.5 + i / 7).toFixed(4)},${i * 3}`);
  }
  const plain = parseCsv(`${rows.join('\n')}\n`);
  rows[500] = rows[500].replace(/,(\d+)$/, ', $1 '); // spaces: this row takes the general path
  const mixed = parseCsv(`${rows.join('\n')}\n`);
  for (const k of ['time', 'open', 'high', 'low', 'close', 'volume'] as const) assert.deepEqual(Array.from(mixed[k]), Array.from(plain[k]), k);
  for (let i = 0; i < 1000; i++) assert.equal(plain.open[i], Number((10 + i / 7).toFixed(4)));
});

test('every row reads the same by the fast path as by the general one: values, and errors word for word', () => {
  // A space after each field sends a row to the general path (which trims it) without changing what it says, so
  // each random row is compared with itself padded. Fields mix valid and broken forms at the fast path's edges.
  const dates = ['2020-01-02', '2020-01-02 09:30', '2020-01-02T09:30:15', '2020-02-29 23:59:59', '2021-02-29', '2020-13-01', '2020-01-32 10:00',
    '2020-01-02 24:00', '2020-01-02 10:60', '2020-01-02 10:00:60', '2020-1-02', '2020-01-02x', '2020-01-02 9:30', '2020-01-02 09:30:1', '2020-01-02 09:30:15Z',
    '2020-01-02T09:30:00+02:00', '2020-01-02 09:30:00.5', '20200102', '202001020930', '1577957400', '1577957400000', '', '2020-01-02 ', 'x020-01-02'];
  const numbers = ['1', '1.5', '.5', '5.', '0012.250', '123456789012345', '1234567890123456', '1.2.3', '', '-1', '+2', '1e2', '0', '7.000000000000001', 'NaN', '1_5'];
  const outcome = (text: string) => {
    try {
      const s = parseCsv(text, { file: 'f.csv' });
      return { rows: Array.from({ length: s.length }, (_, i) => [s.time[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]]) };
    } catch (e) {
      return { error: (e as DataError).code, line: (e as DataError).line, message: (e as Error).message };
    }
  };
  const r = rng(7);
  const pick = <T,>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  let fast = 0;
  for (let i = 0; i < 3000; i++) {
    const price = r() < 0.7 ? '2' : pick(numbers);
    const fields = [pick(dates), r() < 0.5 ? price : '1', r() < 0.5 ? pick(numbers) : '9', '1', r() < 0.5 ? price : '2', r() < 0.7 ? String(i) : pick(numbers)];
    const first = r() < 0.5 ? '2019-12-31,1,2,1,2,5\n' : ''; // the row second, after a calendar date, or first
    const eol = r() < 0.3 ? '\r\n' : '\n';
    const head = `Date,Open,High,Low,Close,Volume${eol}${first.replace('\n', eol)}`;
    const plain = outcome(`${head}${fields.join(',')}${eol}`);
    const padded = outcome(`${head}${fields.map((f) => `${f} `).join(',')}${eol}`);
    assert.deepEqual(plain, padded, `row ${JSON.stringify(fields.join(','))}`);
    if (!('error' in plain)) fast++;
  }
  assert.ok(fast > 300, `only ${fast} of the rows loaded: the comparison must cover values, not only errors`);
});

test('non-ASCII text: decoded where shown, the same values and messages as the decoded text gives', () => {
  const H = 'Date,Open,High,Low,Close,Volume';
  // A no-break space around a number: trimmed, as String.prototype.trim does.
  const nbsp = parseCsv(`${H}\n2020-01-02,\u00a01.5\u00a0,2,1,1.5,7\n`);
  assert.equal(nbsp.open[0], 1.5);
  // Full-width digits are not digits.
  assert.throws(() => parseCsv(`${H}\n2020-01-02,１,2,1,1.5,7\n`), (e: unknown) => e instanceof DataError && e.code === 'bad-number' && e.message.includes("Open '１' is not a number"));
  // An invalid UTF-8 byte: shown as U+FFFD in the message, as decoding the file shows it.
  const bad = Buffer.concat([Buffer.from(`${H}\n2020-01-02,1,2,1,`), Buffer.from([0xff]), Buffer.from(',7\n')]);
  assert.throws(() => parseCsvBytes(bad, { file: 'bad.csv' }), (e: unknown) => e instanceof DataError && e.code === 'bad-number' && e.message === "bad.csv:2: Close '\ufffd' is not a number.");
  // Multi-byte characters in the date and header.
  assert.throws(() => parseCsv(`${H}\n2020-01-02é,1,2,1,1.5,7\n`), (e: unknown) => e instanceof DataError && e.code === 'bad-date' && e.message.includes("Date '2020-01-02é'"));
  const s = parseCsv(`Date,Open,High,Low,Close,Volume,Notiz (Ä)\n2020-01-02,1,2,1,1.5,7,größer\n`);
  assert.equal(s.close[0], 1.5);
  // A long first line is measured in characters, not bytes: 3,000 'é' (6,000 bytes) is a header; 4,100 is not.
  assert.equal(parseCsv(`${H},${'é'.repeat(3000)}\n2020-01-02,1,2,1,1.5,7,x\n`).close[0], 1.5);
  assert.throws(() => parseCsv(`${'é'.repeat(4100)}\n2020-01-02,1,2,1,1.5,7\n`), (e: unknown) => e instanceof DataError && e.code === 'missing-columns' && e.message.includes('the first line is 4100 characters long'));
});

test('a UTF-8 byte order mark is skipped, in bytes and in text', () => {
  const text = '\ufeffDate,Open,High,Low,Close,Volume\n2020-01-02,1,2,1,1.5,7\n';
  assert.equal(parseCsv(text).close[0], 1.5);
  assert.equal(parseCsvBytes(Buffer.from(text, 'utf8')).close[0], 1.5);
  assert.equal(parseCsvBytes(new Uint8Array(Buffer.from(text, 'utf8'))).close[0], 1.5, 'a plain Uint8Array too');
});

test('a file read in pieces (any piece size, rows across the seams) loads and fails exactly as read whole', async () => {
  const { mkdtempSync, writeFileSync, readdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { loadCsv } = await import('../../core/data/csv');
  const dir = mkdtempSync(join(tmpdir(), 'sl-csv-chunks-'));
  const H = 'Date,Open,High,Low,Close,Volume';
  const good = Array.from({ length: 300 }, (_, i) => `${new Date(Date.UTC(2020, 0, 2, 14, 30) + i * 60_000).toISOString().slice(0, 16).replace('T', ' ')},${(10 + i / 100).toFixed(2)},${(11 + i / 100).toFixed(2)},${(9 + i / 100).toFixed(2)},${(10.5 + i / 100).toFixed(2)},${i}`);
  const files: Record<string, string> = {
    plain: `${H}\n${good.join('\n')}\n`,
    crlfNoFinalNewline: `\ufeff${H}\r\n${good.join('\r\n')}`,
    blankLinesAndQuotes: `\n\n${H}\n${good.map((r, i) => (i % 7 === 0 ? `"${r.split(',')[0]}",${r.split(',').slice(1).join(',')}\n` : `${r}\n`)).join('')}`,
    longRow: `${H},Note\n${good.map((r, i) => `${r},${i === 150 ? 'x'.repeat(5000) : 'n'}`).join('\n')}\n`,
    badLate: `${H}\n${good.slice(0, 250).join('\n')}\n2020-01-02 19:00,1,2,3,1,5\n${good.slice(251).join('\n')}\n`,
    unsortedLate: `${H}\n${good.slice(0, 200).join('\n')}\n${good[10]}\n`,
    badDateLate: `${H}\n${good.slice(0, 280).join('\n')}\n2020-13-01 10:00,1,2,1,1,5\n`,
    adjClose: `${H},Adj Close\n${good.map((r) => `${r},1.25`).join('\n')}\n`,
    // Long rows first, short ones after: room for the rows is estimated from the first piece and must grow.
    shrinking: `${H}\n${good.map((r, i) => (i < 40 ? r.split(',').map((f, k) => (k === 0 ? f : Number(f).toFixed(12 - String(Math.trunc(Number(f))).length))).join(',') : `${r.split(',')[0]},1,1,1,1,${i}`)).join('\n')}\n`,
  };
  const outcome = async (path: string, chunkBytes?: number) => {
    try {
      const s = await loadCsv(path, { chunkBytes });
      return { length: s.length, time: Array.from(s.time), close: Array.from(s.close), volume: Array.from(s.volume), adj: s.adjClose && Array.from(s.adjClose), symbol: s.symbol };
    } catch (e) {
      return { error: (e as DataError).code, message: (e as Error).message, line: (e as DataError).line };
    }
  };
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, `${name}.csv`);
    writeFileSync(path, content);
    const whole = await outcome(path);
    for (const chunk of [7, 32, 64, 333, 4096]) assert.deepEqual(await outcome(path, chunk), whole, `${name}, pieces of ${chunk}`);
  }
  assert.equal((await outcome(join(dir, 'plain.csv')) as { length: number }).length, 300);
  const shrinking = await outcome(join(dir, 'shrinking.csv'), 333) as { length: number; close: number[]; volume: number[] };
  assert.equal(shrinking.length, 300);
  assert.deepEqual([shrinking.close[39], shrinking.close[40], shrinking.volume[299]], [10.89, 1, 299]);
  assert.equal((await outcome(join(dir, 'badLate.csv')) as { line: number }).line, 252); // header line 1, 250 good rows
  const shared = join(repoRootDir(), '..', 'shared', 'data');
  for (const name of readdirSync(shared).filter((n) => n.endsWith('.csv'))) {
    assert.deepEqual(await outcome(join(shared, name), 50_000), await outcome(join(shared, name)), name);
  }
});

function repoRootDir(): string {
  return require('node:path').resolve(__dirname, '..', '..');
}
