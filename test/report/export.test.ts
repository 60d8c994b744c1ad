import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { before, test } from 'node:test';
import type { RunRecord } from '../../core/history/types';
import { tradesToCsv } from '../../core/report/csv';
import { buildHtmlReport, readPanelAssets } from '../../core/report/html';
import { ALL_METRICS } from '../../core/report/metricCatalog';
import { buildPanelHtml, contentSecurityPolicy, jsonForHtml } from '../../core/report/shell';
import type { Metrics } from '../../core/metrics/types';
import { EMBEDDED_MODEL_ID } from '../../media/protocol';
import { repoRoot } from '../helpers/paths';
import { realRun } from '../webview/realRun';

let run: RunRecord;
before(async () => { run = await realRun(); });

/** Minimal RFC 4180 reader, to check the writer from the outside. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  return rows;
}

test('trades CSV: header, one row per trade, exact numbers', () => {
  const rows = parseCsv(tradesToCsv(run.result.trades));
  assert.deepEqual(rows[0], ['n', 'symbol', 'side', 'size', 'entryTime', 'entryPrice', 'exitTime', 'exitPrice', 'pnl', 'returnPct', 'commission', 'open', 'exitReason', 'tag']);
  assert.equal(rows.length, run.result.trades.length + 1);
  run.result.trades.forEach((t, i) => {
    const r = rows[i + 1];
    assert.equal(r[0], String(i + 1));
    assert.equal(r[1], t.symbol);
    assert.equal(Number(r[5]), t.entryPrice);
    assert.equal(Number(r[8]), t.pnl);
    assert.equal(r[6], t.exitTime ?? '');
  });
});

test('trades CSV quotes commas and quotes, and defuses spreadsheet formulas in text', () => {
  const t = { ...run.result.trades[0], tag: '=HYPERLINK("x"),1', exitReason: 'stop, "loss"' };
  const rows = parseCsv(tradesToCsv([t]));
  assert.equal(rows[1][13], `'=HYPERLINK("x"),1`);
  assert.equal(rows[1][12], 'stop, "loss"');
  assert.equal(tradesToCsv([]), 'n,symbol,side,size,entryTime,entryPrice,exitTime,exitPrice,pnl,returnPct,commission,open,exitReason,tag\r\n');
});

test('HTML report is self-contained: inline bundle and styles, embedded run, strict CSP, no external URLs', async () => {
  const html = buildHtmlReport(run, await readPanelAssets(resolve(repoRoot, 'dist')), 'abcdefabcdefabcdefabcdef');
  assert.ok(html.includes(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`));
  assert.ok(html.includes(`script-src 'nonce-abcdefabcdefabcdefabcdef'`));
  assert.doesNotMatch(html, /<script[^>]+src=/, 'no script loaded by URL');
  assert.doesNotMatch(html, /<link[^>]+stylesheet/, 'no stylesheet loaded by URL');
  assert.doesNotMatch(html, /sourceMappingURL/);
  const json = html.slice(html.indexOf(`id="${EMBEDDED_MODEL_ID}">`) + EMBEDDED_MODEL_ID.length + 6, html.indexOf('</script>', html.indexOf(EMBEDDED_MODEL_ID)));
  assert.deepEqual(JSON.parse(json).run, run);
});

test('embedded JSON cannot break out of its script element', () => {
  const hostile = { name: '</script><script>alert(1)</script><!--', sep: '\u2028' };
  const text = jsonForHtml(hostile);
  assert.doesNotMatch(text, /<\/script/i);
  assert.doesNotMatch(text, /<!--/);
  assert.deepEqual(JSON.parse(text), hostile);
  const html = buildPanelHtml({ title: '<b>x</b>', nonce: 'abcdefabcdefabcdefabcdef', script: { inline: 'var s = "</script>";' }, style: { inline: 'a{}' } });
  assert.equal(html.match(/<\/script>/g)?.length, 1, 'only the real end tag');
  assert.ok(html.includes('<title>&lt;b&gt;x&lt;/b&gt;</title>'));
});

test('webview CSP: only the nonce and the extension\'s own files; a weak nonce is refused', () => {
  assert.equal(contentSecurityPolicy('n0nce', 'https://file+.vscode-resource.vscode-cdn.net'),
    "default-src 'none'; img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net; style-src https://file+.vscode-resource.vscode-cdn.net 'nonce-n0nce'; script-src 'nonce-n0nce'; base-uri 'none'; form-action 'none'");
  assert.throws(() => buildPanelHtml({ title: 't', nonce: 'abc', script: { inline: '' }, style: { inline: '' } }), /nonce/);
});

test('the metric catalog covers exactly the Metrics keys of a real result', () => {
  const keys = Object.keys(run.result.metrics).sort();
  assert.deepEqual(ALL_METRICS.map((m) => m.key as string).sort(), keys);
  for (const m of ALL_METRICS) assert.ok(m.definition.length > 10, `${m.key} has a definition`);
  const check: (keyof Metrics)[] = ALL_METRICS.map((m) => m.key);
  assert.equal(new Set(check).size, check.length, 'no duplicates');
});
