import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCsv, parseCsv, symbolFromFileName } from '../../core/data/csv';
import { DataError } from '../../core/data/errors';
import { sharedData } from '../helpers/paths';

const sharedDir = join(sharedData('PROVENANCE.md'), '..');
const csvFiles = readdirSync(sharedDir).filter((f) => f.endsWith('.csv')).sort();

/** Row counts stated in PROVENANCE.md ("## n. `FILE`" … "Rows: N"). */
function provenanceRows(): Map<string, number> {
  const text = readFileSync(sharedData('PROVENANCE.md'), 'utf8');
  const rows = new Map<string, number>();
  const sections = text.split(/^## \d+\. /m).slice(1);
  for (const section of sections) {
    const name = /^`([^`]+\.csv)`/.exec(section)?.[1];
    const count = /Rows:\s*([\d\s,]+?)\s+(?:daily|one-minute|hourly|\w)/.exec(section)?.[1];
    if (name && count) rows.set(name, Number(count.replace(/[\s,]/g, '')));
  }
  return rows;
}

/** The obvious slow parser, as a reference for the fast one. */
function naiveParse(text: string): { time: number[]; cols: Record<string, number[]> } {
  const [header, ...lines] = text.trim().split('\n');
  const names = header.split(',').map((h) => h.trim().toLowerCase());
  const time: number[] = [];
  const cols: Record<string, number[]> = {};
  for (const n of names) cols[n] = [];
  for (const line of lines) {
    const cells = line.split(',');
    names.forEach((n, i) => {
      if (n === 'date') time.push(Date.parse(cells[i].length === 10 ? `${cells[i]}T00:00:00Z` : `${cells[i].replace(' ', 'T')}Z`));
      else cols[n].push(Number(cells[i]));
    });
  }
  return { time, cols };
}

test('every shared CSV loads, with the row count PROVENANCE.md states', async () => {
  const expected = provenanceRows();
  assert.ok(csvFiles.length >= 6, `expected the shared CSVs, found ${csvFiles.join(', ')}`);
  for (const file of csvFiles) {
    const series = await loadCsv(join(sharedDir, file));
    assert.ok(expected.has(file), `PROVENANCE.md lists ${file}`);
    assert.equal(series.length, expected.get(file), `${file} rows`);
    assert.equal(series.symbol, file.split('_')[0]);
    assert.equal(series.source?.provider, 'csv');
    assert.equal(series.source?.synthetic, false);
  }
});

test('fast parsing equals Number() and Date.parse on every value of every shared file', async () => {
  for (const file of csvFiles) {
    const text = readFileSync(join(sharedDir, file), 'utf8');
    const series = parseCsv(text, { file });
    const ref = naiveParse(text);
    assert.deepEqual(Array.from(series.time), ref.time, `${file} time`);
    assert.deepEqual(Array.from(series.open), ref.cols.open, `${file} open`);
    assert.deepEqual(Array.from(series.high), ref.cols.high, `${file} high`);
    assert.deepEqual(Array.from(series.low), ref.cols.low, `${file} low`);
    assert.deepEqual(Array.from(series.close), ref.cols.close, `${file} close`);
    assert.deepEqual(Array.from(series.volume), ref.cols.volume, `${file} volume`);
    if (ref.cols['adj close']) assert.deepEqual(Array.from(series.adjClose!), ref.cols['adj close'], `${file} adj close`);
    else assert.equal(series.adjClose, undefined);
  }
});

test('known values: SPY daily first and last rows, intraday naive times read as UTC', async () => {
  const spy = await loadCsv(sharedData('SPY_daily_1998_2021_lean.csv'));
  assert.equal(spy.time[0], Date.UTC(1998, 0, 2));
  assert.deepEqual([spy.open[0], spy.high[0], spy.low[0], spy.close[0], spy.volume[0], spy.adjClose![0]], [97.31, 97.53, 96.53, 97.36, 2150000, 63.932476]);
  assert.equal(spy.close[spy.length - 1], 396.33);
  const minute = await loadCsv(sharedData('SPY_1min_2013-10-04_2013-10-11_lean.csv'));
  assert.equal(minute.time[0], Date.UTC(2013, 9, 4, 4, 6));
});

test('headers in any order and case, Adj Close spellings, CRLF, BOM, blank lines', () => {
  const text = '\ufeffclose,VOLUME,date,Low,HIGH,open,adj_close\r\n10,100,2020-01-02,9,11,9.5,9.9\r\n\r\n10.5,200,2020-01-03,10,10.8,10.1,10.4\r\n';
  const s = parseCsv(text, { symbol: 'X' });
  assert.equal(s.length, 2);
  assert.deepEqual(Array.from(s.time), [Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3)]);
  assert.deepEqual(Array.from(s.open), [9.5, 10.1]);
  assert.deepEqual(Array.from(s.close), [10, 10.5]);
  assert.deepEqual(Array.from(s.adjClose!), [9.9, 10.4]);
  assert.equal(parseCsv('Date,Open,High,Low,Close,Volume,Adj Close\n2020-01-02,1,2,1,2,3,1.5\n').adjClose![0], 1.5);
});

test('date forms: ISO with T, Z, offsets, seconds and fractions; epoch seconds and ms (one kind per file)', () => {
  const rows = [
    '2020-01-02T14:30:00Z',
    '2020-01-02 14:31',
    '2020-01-02T10:32:00-04:00',
    '2020-01-02T16:33:00+0200',
    '2020-01-02T14:34:00.500Z',
    '202001021435',
  ];
  const csv = (dates: string[]) => `Date,Open,High,Low,Close,Volume\n${dates.map((d) => `${d},1,1,1,1,1`).join('\n')}\n`;
  const at = (m: number, ms = 0) => Date.UTC(2020, 0, 2, 14, m) + ms;
  assert.deepEqual(Array.from(parseCsv(csv(rows)).time), [at(30), at(31), at(32), at(33), at(34, 500), at(35)]);
  assert.deepEqual(Array.from(parseCsv(csv([String(at(35) / 1000), String(at(36) / 1000)])).time), [at(35), at(36)]);
  assert.deepEqual(Array.from(parseCsv(csv([String(at(35)), String(at(36))])).time), [at(35), at(36)]);
  assert.throws(() => parseCsv(csv([rows[0], String(at(36))])), /line 3|:3: .*epoch milliseconds but the first row's as a calendar date/);
});

test('symbol comes from the file name unless given', () => {
  assert.equal(symbolFromFileName('/x/SPY_daily_1998.csv'), 'SPY');
  assert.equal(symbolFromFileName('aapl.csv'), 'AAPL');
  assert.equal(parseCsv('Date,Open,High,Low,Close,Volume\n2020-01-02,1,1,1,1,1\n', { file: 'msft.csv', symbol: 'OTHER' }).symbol, 'OTHER');
});

const dir = mkdtempSync(join(tmpdir(), 'sl-csv-'));
const HEADER = 'Date,Open,High,Low,Close,Volume';

async function rejects(name: string, content: string, code: DataError['code'], line: number | undefined, pattern: RegExp): Promise<void> {
  const path = join(dir, name);
  writeFileSync(path, content);
  await assert.rejects(loadCsv(path), (error: unknown) => {
    assert.ok(error instanceof DataError, `DataError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.file, path);
    assert.equal(error.line, line);
    assert.match(error.message, pattern);
    if (line !== undefined) assert.ok(error.message.includes(`${path}:${line}:`), error.message);
    return true;
  });
}

test('empty file and header-only file', async () => {
  await rejects('empty.csv', '', 'empty-file', undefined, /empty/);
  await rejects('blank.csv', '\n \n', 'empty-file', undefined, /empty/);
  await rejects('header.csv', `${HEADER}\n`, 'empty-file', undefined, /no rows/);
});

test('missing columns: says which, and what was found', async () => {
  await rejects('missing.csv', 'Date,Open,Close,Vol\n2020-01-02,1,1,1\n', 'missing-columns', 1, /missing columns High, Low, Volume; the header has: Date, Open, Close, Vol/);
  await rejects('nodate.csv', 'Day,Open,High,Low,Close,Volume\n', 'missing-columns', 1, /missing column Date;/);
});

test('bad numbers, bad dates, impossible calendar dates', async () => {
  await rejects('num.csv', `${HEADER}\n2020-01-02,1,2,1,2,10\n2020-01-03,1,abc,1,2,10\n`, 'bad-number', 3, /High 'abc' is not a number/);
  await rejects('emptycell.csv', `${HEADER}\n2020-01-02,1,2,1,,10\n`, 'bad-number', 2, /Close '' is not a number/);
  await rejects('fields.csv', `${HEADER}\n2020-01-02,1,2,1\n`, 'bad-number', 2, /expected 6 fields/);
  await rejects('date.csv', `${HEADER}\n2020-01-02,1,2,1,2,10\n01/03/2020,1,2,1,2,10\n`, 'bad-date', 3, /Date '01\/03\/2020' is not a date/);
  await rejects('feb30.csv', `${HEADER}\n2021-02-30,1,2,1,2,10\n`, 'bad-date', 2, /2021-02-30/);
  await rejects('hour.csv', `${HEADER}\n2021-02-03 25:00,1,2,1,2,10\n`, 'bad-date', 2, /25:00/);
});

test('OHLC consistency and negative values', async () => {
  await rejects('hl.csv', `${HEADER}\n2020-01-02,1,1,2,1,10\n`, 'bad-ohlc', 2, /High 1 is below Low 2/);
  await rejects('close.csv', `${HEADER}\n2020-01-02,1,2,1,2.5,10\n`, 'bad-ohlc', 2, /Close 2.5 must lie within Low 1 … High 2/);
  await rejects('open.csv', `${HEADER}\n2020-01-02,0.5,2,1,1.5,10\n`, 'bad-ohlc', 2, /Open 0.5/);
  await rejects('negp.csv', `${HEADER}\n2020-01-02,-1,2,-2,1,10\n`, 'negative-value', 2, /Open is negative/);
  await rejects('negv.csv', `${HEADER}\n2020-01-02,1,2,1,1,-10\n`, 'negative-value', 2, /Volume is negative/);
});

test('unsorted and duplicate dates', async () => {
  await rejects('unsorted.csv', `${HEADER}\n2020-01-03,1,2,1,2,10\n2020-01-02,1,2,1,2,10\n`, 'unsorted-dates', 3, /2020-01-02 comes before the previous row's; sort the file/);
  await rejects('dup.csv', `${HEADER}\n2020-01-02,1,2,1,2,10\n2020-01-03,1,2,1,2,10\n2020-01-03,1,2,1,2,10\n`, 'duplicate-date', 4, /duplicate date 2020-01-03/);
});

test('a missing file is a DataError too', async () => {
  await assert.rejects(loadCsv(join(dir, 'nope.csv')), (e: unknown) => e instanceof DataError && e.code === 'file-not-found' && /not found/.test(e.message));
});
