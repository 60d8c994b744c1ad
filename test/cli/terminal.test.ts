/** Strategy-controlled text cannot drive the terminal the CLI prints to (core/cli/terminal.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeLine, escapeText } from '../../core/cli/terminal';
import { formatSummary } from '../../core/cli/summary';
import { runCli } from '../helpers/cli';
import { repoRoot } from '../helpers/paths';
import { HOSTILE_TEXT, TERMINAL_CONTROL } from '../helpers/hostileText';

describe('escapeLine and escapeText', () => {
  test('every control character of the hostile corpus becomes visible text', () => {
    for (const text of HOSTILE_TEXT) {
      assert.doesNotMatch(escapeLine(text), TERMINAL_CONTROL, JSON.stringify(text));
      assert.doesNotMatch(escapeLine(text), /\n/, 'one line stays one line');
      assert.doesNotMatch(escapeText(text), TERMINAL_CONTROL, JSON.stringify(text));
    }
    assert.equal(escapeLine('\u001b[2J\rA\nB\tC\u009b\u202e'), '\\x1b[2J\\rA\\nB\\tC\\x9b\\u202e');
    assert.equal(escapeText('a\r\nb\nc\td\re\u001b'), 'a\r\nb\nc\td\\re\\x1b', 'line ends and tabs kept, a lone CR escaped');
  });

  test('plain text, including non-ASCII, passes unchanged (and escaping is idempotent)', () => {
    for (const text of ['RSI reversion on AAPL — 4,845 bars', 'Ünïcødé 日本語 📈', '']) {
      assert.equal(escapeLine(text), text);
      assert.equal(escapeText(text), text);
    }
    for (const text of HOSTILE_TEXT) assert.equal(escapeText(escapeText(text)), escapeText(text));
  });
});

/** In-process (--sandbox none) console output is the strategy's own write to the host's stdout: only this.log there. */
const hostileStrategy = (name: string, log: string, fail: boolean, viaConsole = false) => `import { BaseStrategy, type Bar } from 'strategy-lab';
export default class Probe extends BaseStrategy {
  static config = { symbols: ['SPY'], timeframe: '1d' as const };
  onBar(bar: Bar) {
    if (bar.index === 0) { this.log(${JSON.stringify(log)}); ${viaConsole ? `console.log(${JSON.stringify(log)});` : ''} }
    ${fail ? `if (bar.index === 1) throw new Error(${JSON.stringify(log)});` : ''}
  }
}
Object.defineProperty(Probe, 'name', { value: ${JSON.stringify(name)} });
`;

describe('the CLI prints strategy text escaped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strategy-lab-term-'));

  test('class name, log lines and error messages of a backtest (in-process CLI)', async () => {
    for (const [i, text] of HOSTILE_TEXT.entries()) {
      const file = join(dir, `ok${i}.strategy.ts`);
      writeFileSync(file, hostileStrategy(`Probe${text}`, text, false));
      const ok = await runCli(['backtest', file, '--source', 'sample', '--sandbox', 'none', '--trust', '--from', '2021-01-01', '--to', '2021-03-01']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.doesNotMatch(ok.stdout, TERMINAL_CONTROL, `summary of ${JSON.stringify(text)}`);
      assert.doesNotMatch(ok.stderr, TERMINAL_CONTROL, `logs of ${JSON.stringify(text)}`);
      assert.ok(ok.stdout.startsWith(`${escapeLine(`Probe${text}`)} on SPY`), ok.stdout.split('\n')[0]);
      assert.equal(ok.stderr.split('\n').filter((l) => l.includes(escapeLine(text))).length, 1, 'the log line stays one line');
      writeFileSync(file, hostileStrategy('Probe', text, true));
      const failed = await runCli(['backtest', file, '--source', 'sample', '--sandbox', 'none', '--trust', '--from', '2021-01-01', '--to', '2021-03-01']);
      assert.equal(failed.code, 1);
      assert.doesNotMatch(failed.stderr, TERMINAL_CONTROL, `error of ${JSON.stringify(text)}`);
    }
  });

  test('the summary escapes the name and symbols it is given', () => {
    const result = { run: { strategy: '\u001b[2JX', symbols: ['A\rB'], bars: 1, options: { cash: 1, commission: 0, commissionFixed: 0, slippageBps: 0, fill: 'next-open' } }, metrics: {}, trades: [] };
    const text = formatSummary(result as never, 'label\u001b');
    assert.doesNotMatch(text, TERMINAL_CONTROL);
    assert.match(text, /^\\x1b\[2JX on A\\rB — 1 bar \(label\\x1b\)/);
    // Counts read as every other figure does (docs/metrics.md "How figures are shown"): grouped by three.
    const long = formatSummary({ ...result, run: { ...result.run, bars: 1_000_000 } } as never, 'CSV');
    assert.match(long, /^\\x1b\[2JX on A\\rB — 1,000,000 bars \(CSV\)/);
  });

  test('the binary escapes everything it writes to the terminal (processIo), console output from the Docker sandbox included', () => {
    const file = join(dir, 'bin.strategy.ts');
    writeFileSync(file, hostileStrategy('Probe\u001b[2J\u009b', '\u001b]0;t\u0007\rfake', true, true));
    const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'strategy-lab.js'), 'backtest', file, '--source', 'sample', '--sandbox', 'docker', '--warm', '0', '--from', '2021-01-01', '--to', '2021-03-01'], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr.match(/\\x1b\]0;t\\x07\\rfake/g)?.length, 3, `this.log, console.log and the error: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, TERMINAL_CONTROL);
    assert.doesNotMatch(r.stdout, TERMINAL_CONTROL);
  });
});
