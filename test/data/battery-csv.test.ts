/**
 * Bad and odd CSV inputs, one row each: every case either loads exactly (the values are
 * listed) or fails with the listed code and a message naming the file and the line. Add a
 * case by adding a row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCsv } from '../../core/data/csv';
import { DataError } from '../../core/data/errors';

const H = 'Date,Open,High,Low,Close,Volume';
const dir = mkdtempSync(join(tmpdir(), 'sl-battery-csv-'));
const U = (iso: string) => Date.parse(iso.length === 10 ? `${iso}T00:00:00Z` : iso);
const rows = (...r: string[]) => `${H}\n${r.join('\n')}\n`;
const epochS = (iso: string) => String(U(iso) / 1000);
const epochMs = (iso: string) => String(U(iso));

interface Loads { times: string[]; close?: number[]; open?: number[]; volume?: number[]; adjClose?: number[] }
interface Fails { code: DataError['code']; line?: number; message: RegExp }
interface Case { name: string; content: string | Buffer | null; expect: Loads | Fails; symbol?: string; maxBytes?: number }

const cases: Case[] = [
  // Loads exactly
  { name: 'plain ISO daily', content: rows('2020-01-02,10,11,9,10.5,100', '2020-01-03,10.5,12,10,11,200'), expect: { times: ['2020-01-02', '2020-01-03'], close: [10.5, 11], volume: [100, 200] } },
  { name: 'compact YYYYMMDD', content: rows('20200102,10,11,9,10.5,100', '20200103,10,11,9,10.5,100'), expect: { times: ['2020-01-02', '2020-01-03'] } },
  { name: 'compact YYYYMMDDhhmm (was read as 1976 epoch ms)', content: rows('202001020930,10,11,9,10.5,1', '202001020931,10,11,9,10.5,1'), expect: { times: ['2020-01-02T09:30:00Z', '2020-01-02T09:31:00Z'] } },
  { name: 'compact YYYYMMDDhhmmss', content: rows('20200102093000,10,11,9,10.5,1', '20200102093100,10,11,9,10.5,1'), expect: { times: ['2020-01-02T09:30:00Z', '2020-01-02T09:31:00Z'] } },
  { name: 'epoch seconds, daily', content: rows(`${epochS('2020-01-02')},1,1,1,1,1`, `${epochS('2020-01-03')},1,1,1,1,1`), expect: { times: ['2020-01-02', '2020-01-03'] } },
  { name: 'epoch ms, minutes', content: rows(`${epochMs('2020-01-02T14:30:00Z')},1,1,1,1,1`, `${epochMs('2020-01-02T14:31:00Z')},1,1,1,1,1`), expect: { times: ['2020-01-02T14:30:00Z', '2020-01-02T14:31:00Z'] } },
  { name: 'BOM and CRLF', content: `\ufeff${H}\r\n2020-01-02,1,2,1,2,5\r\n2020-01-03,2,3,2,3,6\r\n`, expect: { times: ['2020-01-02', '2020-01-03'], close: [2, 3] } },
  { name: 'quoted fields', content: rows('"2020-01-02","1","2","1","1.5","7"'), expect: { times: ['2020-01-02'], close: [1.5], volume: [7] } },
  { name: 'extra columns are ignored', content: `Date,Open,High,Low,Close,Volume,Note\n2020-01-02,1,2,1,2,5,hello\n`, expect: { times: ['2020-01-02'], close: [2] } },
  { name: 'columns in another order and case', content: `close,VOLUME,date,low,High,open\n2,5,2020-01-02,1,2,1\n`, expect: { times: ['2020-01-02'], close: [2], open: [1] } },
  { name: 'symbol column that matches the requested symbol', symbol: 'SPY', content: `Symbol,Date,Open,High,Low,Close,Volume\nspy,2020-01-02,1,2,1,2,5\nSPY,2020-01-03,1,2,1,2,5\n`, expect: { times: ['2020-01-02', '2020-01-03'] } },
  { name: 'blank lines and a missing final newline', content: `\n\n${H}\n\n2020-01-02,1,2,1,2,5\n   \n2020-01-03,1,2,1,2,5`, expect: { times: ['2020-01-02', '2020-01-03'] } },
  { name: 'exponent notation', content: rows('2020-01-02,1.5e2,2e2,1e2,1.5e2,1e3'), expect: { times: ['2020-01-02'], close: [150], volume: [1000] } },
  { name: 'Adj Close kept', content: `${H},Adj Close\n2020-01-02,1,2,1,2,5,1.8\n`, expect: { times: ['2020-01-02'], adjClose: [1.8] } },
  { name: 'flat bar (O=H=L=C) and zero volume', content: rows('2020-01-02,5,5,5,5,0'), expect: { times: ['2020-01-02'], close: [5], volume: [0] } },
  { name: 'ISO offsets', content: rows('2020-01-02T09:30:00-05:00,1,1,1,1,1', '2020-01-02T15:31:00+01:00,1,1,1,1,1'), expect: { times: ['2020-01-02T14:30:00Z', '2020-01-02T14:31:00Z'] } },
  { name: 'close a rounding hair above high (1e-12) passes', content: rows('2020-01-02,1,2,1,2.000000000002,5'), expect: { times: ['2020-01-02'], close: [2.000000000002] } },
  { name: 'fractional seconds', content: rows('2020-01-02 14:30:00.250,1,1,1,1,1'), expect: { times: ['2020-01-02T14:30:00.250Z'] } },
  { name: 'leap day', content: rows('2020-02-28,1,1,1,1,1', '2020-02-29,1,1,1,1,1'), expect: { times: ['2020-02-28', '2020-02-29'] } },

  // Fails, naming file and line
  { name: 'close of 0', content: rows('2020-01-02,1,2,1,2,5', '2020-01-03,1,2,0.5,0,5'), expect: { code: 'bad-price', line: 3, message: /Close is 0; prices must be > 0/ } },
  { name: 'open of 0', content: rows('2020-01-02,0,2,1,2,5'), expect: { code: 'bad-price', line: 2, message: /Open is 0/ } },
  { name: 'all prices 0 (zeroed row)', content: rows('2020-01-02,1,1,1,1,1', '2020-01-03,0,0,0,0,0'), expect: { code: 'bad-price', line: 3, message: /Open is 0/ } },
  { name: 'negative low', content: rows('2020-01-02,1,2,-1,2,5'), expect: { code: 'negative-value', line: 2, message: /Low is negative \(-1\)/ } },
  { name: '1e400 (Infinity)', content: rows('2020-01-02,1,1e400,1,1,5'), expect: { code: 'bad-number', line: 2, message: /High Infinity is not a finite number/ } },
  { name: 'NaN text', content: rows('2020-01-02,1,NaN,1,1,5'), expect: { code: 'bad-number', line: 2, message: /High 'NaN' is not a number/ } },
  { name: 'Infinity text', content: rows('2020-01-02,1,2,1,Infinity,5'), expect: { code: 'bad-number', line: 2, message: /Close 'Infinity' is not a number/ } },
  { name: 'empty price field', content: rows('2020-01-02,1,,1,1,5'), expect: { code: 'bad-number', line: 2, message: /High '' is not a number/ } },
  { name: 'High below Low', content: rows('2020-01-02,1,2,1,2,5', '2020-01-03,1,1,2,1.5,5'), expect: { code: 'bad-ohlc', line: 3, message: /High 1 is below Low 2/ } },
  { name: 'Close above High', content: rows('2020-01-02,1,2,1,3,5'), expect: { code: 'bad-ohlc', line: 2, message: /Close 3 must lie within Low 1 … High 2/ } },
  { name: 'Open below Low', content: rows('2020-01-02,0.5,2,1,1.5,5'), expect: { code: 'bad-ohlc', line: 2, message: /Open 0.5 .* Low 1/ } },
  { name: 'negative volume', content: rows('2020-01-02,1,2,1,2,-5'), expect: { code: 'negative-value', line: 2, message: /Volume is negative \(-5\)/ } },
  { name: 'volume 1e400', content: rows('2020-01-02,1,2,1,2,1e400'), expect: { code: 'bad-number', line: 2, message: /Volume Infinity is not a finite number/ } },
  { name: 'duplicate date', content: rows('2020-01-02,1,2,1,2,5', '2020-01-02,1,2,1,2,5'), expect: { code: 'duplicate-date', line: 3, message: /duplicate date 2020-01-02/ } },
  { name: 'unsorted dates', content: rows('2020-01-03,1,2,1,2,5', '2020-01-02,1,2,1,2,5'), expect: { code: 'unsorted-dates', line: 3, message: /comes before the previous row's/ } },
  { name: 'YYYYMMDDhh (was read as 2034 epoch seconds)', content: rows('2020010209,1,1,1,1,1'), expect: { code: 'bad-date', line: 2, message: /'2020010209' is not a date\. Accepted: .*compact YYYYMMDD/ } },
  { name: '11 digits', content: rows('20200102093,1,1,1,1,1'), expect: { code: 'bad-date', line: 2, message: /not a date\. Accepted/ } },
  { name: 'epoch ms 1 ms apart', content: rows('1577975400000,1,1,1,1,1', '1577975400001,1,1,1,1,1'), expect: { code: 'bad-date', line: 3, message: /1 ms after the previous row's: these numbers are not bar times/ } },
  { name: 'epoch and ISO mixed', content: rows('2020-01-02,1,1,1,1,1', `${epochS('2020-01-03')},1,1,1,1,1`), expect: { code: 'bad-date', line: 3, message: /epoch seconds but the first row's as a calendar date/ } },
  { name: 'epoch seconds far in the future (2100)', content: rows('4102444800,1,1,1,1,1'), expect: { code: 'bad-date', line: 2, message: /not a date\. Accepted:.*from 1971 to a year from now/ } },
  { name: 'epoch seconds before 1971', content: rows('100000000,1,1,1,1,1'.replace('100000000', '000000100')), expect: { code: 'bad-date', line: 2, message: /not a date/ } },
  { name: 'impossible calendar date', content: rows('2021-02-30,1,1,1,1,1'), expect: { code: 'bad-date', line: 2, message: /'2021-02-30' is not a date/ } },
  { name: 'impossible compact date', content: rows('20211332,1,1,1,1,1'), expect: { code: 'bad-date', line: 2, message: /'20211332' is not a date/ } },
  { name: 'two-digit year', content: rows('20-01-02,1,1,1,1,1'), expect: { code: 'bad-date', line: 2, message: /'20-01-02' is not a date/ } },
  { name: 'US month/day/year', content: rows('01/02/2020,1,1,1,1,1'), expect: { code: 'bad-date', line: 2, message: /'01\/02\/2020' is not a date/ } },
  { name: 'hour 24', content: rows('2020-01-02 24:00,1,1,1,1,1'), expect: { code: 'bad-date', line: 2, message: /not a date/ } },
  { name: 'missing Volume column', content: 'Date,Open,High,Low,Close\n2020-01-02,1,1,1,1\n', expect: { code: 'missing-columns', line: 1, message: /missing column Volume/ } },
  { name: 'no header at all (numbers first)', content: '2020-01-02,1,1,1,1,1\n', expect: { code: 'missing-columns', line: 1, message: /missing columns Date, Open, High, Low, Close, Volume/ } },
  { name: 'header only', content: `${H}\n`, expect: { code: 'empty-file', message: /no rows follow/ } },
  { name: 'empty file', content: '', expect: { code: 'empty-file', message: /the file is empty/ } },
  { name: 'only blank lines', content: '\n\r\n\n', expect: { code: 'empty-file', message: /the file is empty/ } },
  { name: 'row with too few fields', content: rows('2020-01-02,1,1,1'), expect: { code: 'bad-number', line: 2, message: /expected 6 fields like the header, found 4/ } },
  { name: 'UTF-16 LE with BOM', content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(rows('2020-01-02,1,1,1,1,1'), 'utf16le')]), expect: { code: 'bad-encoding', message: /UTF-16 text; save it as UTF-8/ } },
  { name: 'UTF-16 BE with BOM', content: Buffer.from([0xfe, 0xff, 0, 0x44, 0, 0x61]), expect: { code: 'bad-encoding', message: /UTF-16/ } },
  { name: 'UTF-16 LE without BOM', content: Buffer.from(rows('2020-01-02,1,1,1,1,1'), 'utf16le'), expect: { code: 'bad-encoding', message: /UTF-16/ } },
  { name: 'binary with NUL bytes', content: Buffer.concat([Buffer.from(`${H}\n2020-01-02,1,1,1,1,1\n`), Buffer.from([0, 1, 2, 3])]), expect: { code: 'binary-file', message: /NUL byte, so this is a binary file/ } },
  { name: 'gzip file', content: Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]), expect: { code: 'binary-file', message: /compressed \(gzip\)/ } },
  { name: 'zip file', content: Buffer.from([0x50, 0x4b, 3, 4, 10, 0, 0, 0]), expect: { code: 'binary-file', message: /compressed \(zip\)/ } },
  { name: 'one huge first line (echo capped)', content: 'x'.repeat(50_000), expect: { code: 'missing-columns', line: 1, message: /first line is 50000 characters long, so it is not a header row/ } },
  { name: 'huge date field (echo capped)', content: rows(`${'9'.repeat(20_000)},1,1,1,1,1`), expect: { code: 'bad-date', line: 2, message: /more characters\)' is not a date/ } },
  { name: 'huge number field (echo capped)', content: rows(`2020-01-02,${'z'.repeat(20_000)},1,1,1,1`), expect: { code: 'bad-number', line: 2, message: /more characters\)' is not a number/ } },
  { name: 'symbol column names another symbol', symbol: 'SPY', content: `Ticker,Date,Open,High,Low,Close,Volume\nSPY,2020-01-02,1,2,1,2,5\nQQQ,2020-01-03,1,2,1,2,5\n`, expect: { code: 'symbol-mismatch', line: 3, message: /Symbol 'QQQ' differs from the requested symbol 'SPY'/ } },
  { name: 'symbol column mixes symbols', content: `Symbol,Date,Open,High,Low,Close,Volume\nAAA,2020-01-02,1,2,1,2,5\nBBB,2020-01-03,1,2,1,2,5\n`, expect: { code: 'symbol-mismatch', line: 3, message: /differs from the first row's 'AAA'/ } },
  { name: 'file over the size limit', maxBytes: 64, content: rows('2020-01-02,1,1,1,1,1', '2020-01-03,1,1,1,1,1', '2020-01-06,1,1,1,1,1'), expect: { code: 'file-too-large', message: /is \d+ bytes; the limit is 64 bytes\. Split it/ } },
  { name: 'missing file', content: null, expect: { code: 'file-not-found', message: /CSV file not found/ } },
];

const MAX_MESSAGE = 700;

let seq = 0;
for (const c of cases) {
  test(`csv: ${c.name}`, async () => {
    const path = join(dir, `case${++seq}.csv`);
    if (c.content !== null) writeFileSync(path, c.content);
    const load = loadCsv(path, { symbol: c.symbol, maxBytes: c.maxBytes });
    if ('times' in c.expect) {
      const s = await load;
      assert.deepEqual(Array.from(s.time, (t) => new Date(t).toISOString()), c.expect.times.map((t) => new Date(U(t)).toISOString()));
      if (c.expect.close) assert.deepEqual(Array.from(s.close), c.expect.close);
      if (c.expect.open) assert.deepEqual(Array.from(s.open), c.expect.open);
      if (c.expect.volume) assert.deepEqual(Array.from(s.volume), c.expect.volume);
      if (c.expect.adjClose) assert.deepEqual(Array.from(s.adjClose ?? []), c.expect.adjClose);
      return;
    }
    const expected = c.expect;
    await assert.rejects(load, (e: unknown) => {
      assert.ok(e instanceof DataError, `expected a DataError, got ${String(e)}`);
      assert.equal(e.code, expected.code, e.message);
      assert.match(e.message, expected.message);
      assert.ok(e.message.includes(path), `the message names the file: ${e.message}`);
      if (expected.line !== undefined) {
        assert.equal(e.line, expected.line);
        assert.ok(e.message.includes(`${path}:${expected.line}:`), `the message names the line: ${e.message}`);
      }
      assert.ok(e.message.length < MAX_MESSAGE, `message capped, got ${e.message.length} characters`);
      return true;
    });
  });
}

test('csv: a folder given as the file is unreadable-file, not file-not-found', async () => {
  const folder = join(dir, 'a-folder.csv');
  mkdirSync(folder, { recursive: true });
  await assert.rejects(loadCsv(folder), (e: unknown) => e instanceof DataError && e.code === 'unreadable-file' && e.message.includes(folder));
});

test('csv battery has at least 60 cases with exact expectations', () => {
  assert.ok(cases.length >= 60, `${cases.length} cases`);
});
