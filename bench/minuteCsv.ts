/** The benches' generated minute-bar CSV file (not a bench itself: no `.bench.ts`). */
import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * One-minute bars, a seeded random walk over trading minutes, in the CSV layout of ../shared/data, written in
 * pieces (a 20 M-row file is ~1.1 GB). Returns the closes for the hand loop.
 */
export function writeMinuteCsv(path: string, rows: number): Float64Array {
  const closes = new Float64Array(rows);
  const fd = openSync(path, 'w');
  let s = 123456789, price = 100;
  let out = ['Date,Open,High,Low,Close,Volume'];
  let t = Date.UTC(2015, 0, 2, 14, 30);
  for (let i = 0; i < rows; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const open = price;
    price = Math.max(1, price * (1 + ((s / 2 ** 32) - 0.5) * 0.002));
    const high = Math.max(open, price) * 1.0003, low = Math.min(open, price) * 0.9997;
    out.push(`${new Date(t).toISOString().slice(0, 16).replace('T', ' ')},${open.toFixed(4)},${high.toFixed(4)},${low.toFixed(4)},${price.toFixed(4)},${1000 + (s % 5000)}`);
    closes[i] = Number(price.toFixed(4));
    t += 60_000;
    if (new Date(t).getUTCHours() === 21) t += (17 * 60 + 30) * 60_000; // next session at 14:30 UTC
    if (out.length >= 100_000) {
      writeSync(fd, `${out.join('\n')}\n`);
      out = [];
    }
  }
  if (out.length) writeSync(fd, `${out.join('\n')}\n`);
  closeSync(fd);
  return closes;
}
