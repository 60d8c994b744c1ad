/**
 * Runtime errors placed on the strategy's source line (docs/sandbox.md, "Runtime errors on the source line"):
 * in this process, in process mode and in Docker, a throw at a known line and column of the user's TypeScript
 * maps back there through the compiler's source map, with the bar; forged stacks and non-Error throws never
 * place anything outside the strategy's file and never crash the host.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { SandboxRunner } from '../../core/sandbox/runner';
import type { SandboxMode } from '../../core/sandbox/runner';
import { compileStrategy } from '../../core/strategy/compile';
import { attachErrorLocation, errorDiagnosticMessage, errorRange, formatErrorLocation, locateStrategyError, strategyFrame, type StrategyErrorLocation } from '../../core/strategy/errorLocation';
import { describeError } from '../../core/history/describeError';
import { assertNoContainersLeft, bars, HOSTILE_LIMITS, requireDocker, runtimeBundle } from './helpers';

const FILE = 'where.strategy.ts';

/**
 * A strategy whose error sits where `@@` marks it (the marker is removed): the expected line and column are
 * where V8 places the error (the `new` of a thrown Error, the failing access), 1-based as an editor numbers them.
 */
interface Case {
  name: string;
  source: string;
  phase: StrategyErrorLocation['phase'];
  bar: number | null;
}

function marked(name: string, text: string, phase: Case['phase'], bar: number | null): Case & { line: number; column: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes('@@'));
  assert.ok(line >= 0, `case ${name} has no @@ marker`);
  const column = lines[line].indexOf('@@') + 1;
  lines[line] = lines[line].replace('@@', '');
  return { name, source: lines.join('\n'), phase, bar, line: line + 1, column };
}

const HEAD = `import { BaseStrategy, type Bar } from 'strategy-lab';
import { SMA, RSI } from 'strategy-lab/indicators';

interface Note { text: string }
type Maybe = Note | undefined;
`;

const CASES = [
  marked('throw in onBar', `${HEAD}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  private count: number = 0;
  onBar(bar: Bar): void {
    this.count += 1;
    if (bar.index === 4) {
      throw @@new Error('boom at four');
    }
  }
}
`, 'onBar', 4),
  marked('throw in a helper method', `${HEAD}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  private check(value: number): number {
    const limit: number = 2;
    if (value > limit) throw @@new RangeError(\`too big: \${value}\`);
    return value;
  }
  onBar(bar: Bar): void {
    this.check(bar.index);
  }
}
`, 'onBar', 3),
  marked('throw in the constructor (field initializer)', `${HEAD}
function makeIndicator(period: number): SMA {
  if (period > 10) throw @@new Error('period too long');
  return new SMA(period);
}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  private sma: SMA = makeIndicator(50);
  onBar(bar: Bar): void {
    this.sma.update(bar.close);
  }
}
`, 'constructor', null),
  marked('TypeError from undefined access', `${HEAD}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  private notes: Maybe[] = [];
  onBar(bar: Bar): void {
    const note = this.notes[bar.index] as Note;
    const size: number = note.@@text.length;
    this.log(size);
  }
}
`, 'onBar', 0),
  marked('error inside an SDK call maps to the strategy frame that made it', `${HEAD}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  private rsi = new RSI(3);
  onBar(bar: Bar): void {
    const value = bar.index === 2 ? Number.NaN : bar.close;
    this.rsi.@@update(value);
  }
}
`, 'onBar', 2),
  marked('throw in onStart', `${HEAD}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  onStart(): void {
    const label: string = 'start';
    throw @@new Error(label);
  }
  onBar(_bar: Bar): void {}
}
`, 'onStart', null),
];

/** Strategies that try to forge where their error lands. */
const HOSTILE = {
  nonError: `${HEAD}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  onBar(bar: Bar): void {
    if (bar.index === 1) throw { toString() { throw new Error('no string for you'); }, stack: 'at x (${FILE}:1:1)' };
  }
}
`,
  forgedStack: `${HEAD}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  onBar(bar: Bar): void {
    const e = new Error('forged');
    Object.defineProperty(e, 'stack', { value: 'Error: forged\\n    at evil (/etc/passwd:3:1)\\n    at far (${FILE}:99999:5)\\n    at wide (${FILE}:1:99999)' });
    if (bar.index === 1) throw e;
  }
}
`,
  prepareStackTrace: `${HEAD}
(Error as any).prepareStackTrace = () => { throw new Error('no stack'); };
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  onBar(bar: Bar): void {
    if (bar.index === 1) throw new Error('hidden');
  }
}
`,
  otherFileStack: `${HEAD}
(Error as any).prepareStackTrace = () => 'Error: x\\n    at other (/home/user/secret.ts:10:2)\\n    at again (other.strategy.ts:4:4)';
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  onBar(bar: Bar): void {
    if (bar.index === 1) throw new Error('elsewhere');
  }
}
`,
  hugeStack: `${HEAD}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  onBar(bar: Bar): void {
    const e = new Error('big');
    Object.defineProperty(e, 'stack', { value: ('    at f (${FILE}:2:1)\\n').repeat(200000) });
    if (bar.index === 1) throw e;
  }
}
`,
};

async function failure(mode: SandboxMode | 'none', source: string, runner?: SandboxRunner): Promise<{ err: unknown; location: StrategyErrorLocation | undefined }> {
  const compiled = await compileStrategy(source, FILE);
  let err: unknown;
  try {
    if (mode === 'none') {
      // In this process the strategy shares our realm (trusted mode): put back what the hostile ones replace.
      const prepare = Error.prepareStackTrace;
      const { runInThisProcess } = await import('../../core/run/runStrategy');
      try {
        runInThisProcess({ compiled, series: [bars(10)] });
      } finally {
        Error.prepareStackTrace = prepare;
      }
    } else {
      await runner!.run({ compiled, series: [bars(10)], mode });
    }
  } catch (e) {
    err = e;
  }
  assert.ok(err, 'the run must fail');
  return { err, location: await locateStrategyError(err, source, compiled) };
}

function checkCase(c: (typeof CASES)[number], location: StrategyErrorLocation | undefined): void {
  assert.ok(location, `${c.name}: a location`);
  assert.equal(location.file, FILE);
  assert.deepEqual({ line: location.line, column: location.column }, { line: c.line, column: c.column }, `${c.name}: line and column`);
  assert.equal(location.phase, c.phase, `${c.name}: phase`);
  assert.equal(location.bar ?? null, c.bar, `${c.name}: bar`);
  if (c.bar !== null) assert.match(location.time ?? '', /^2020-01-\d\d/, `${c.name}: the bar's time`);
}

function checkHostile(name: string, location: StrategyErrorLocation | undefined, source: string): void {
  // Never another file; a line only inside this one.
  if (!location) return;
  assert.equal(location.file, FILE, `${name}: the file is the host's`);
  if (location.line !== undefined) {
    assert.ok(location.line >= 1 && location.line <= source.split('\n').length, `${name}: line ${location.line} inside the file`);
    assert.ok(location.column! >= 1 && location.column! <= source.split('\n')[location.line - 1].length + 1, `${name}: column inside the line`);
  }
}

describe('runtime error locations: in this process', () => {
  for (const c of CASES) {
    test(c.name, async () => checkCase(c, (await failure('none', c.source)).location));
  }
  test('the CLI form names file:line:col and the bar', async () => {
    const c = CASES[0];
    const { location } = await failure('none', c.source);
    assert.equal(formatErrorLocation(location!), `${FILE}:${c.line}:${c.column}, in onBar, bar 4 (2020-01-05, TEST)`);
  });
  for (const [name, source] of Object.entries(HOSTILE)) {
    test(`hostile: ${name} cannot place a diagnostic outside its file`, async () => {
      const { err, location } = await failure('none', source);
      assert.ok(err instanceof Error, 'the host gets an Error, whatever was thrown');
      checkHostile(name, location, source);
      assert.equal(location?.bar, 1, 'the bar is still known');
    });
  }
  test('a forged frame past the end of the compiled file is ignored', async () => {
    const { location } = await failure('none', HOSTILE.forgedStack);
    // Line 99999 is not in the file and column 99999 is not in line 1: nothing maps, so no line.
    assert.equal(location?.line, undefined);
  });
});

describe('strategyFrame', () => {
  test('reads both V8 frame shapes and only the strategy file', () => {
    assert.deepEqual(strategyFrame(`Error: x\n    at SDK.update (/app/runtime.js:10:3)\n    at Where.onBar (${FILE}:12:9)`, FILE), { line: 12, column: 9 });
    assert.deepEqual(strategyFrame(`Error: x\n    at ${FILE}:7:2`, FILE), { line: 7, column: 2 });
    assert.equal(strategyFrame(`Error: x\n    at f (other.strategy.ts:7:2)\n    at g (x${FILE}:1:1)`, FILE), undefined);
    assert.equal(strategyFrame('not a stack at all', FILE), undefined);
  });
});

for (const mode of ['process', 'docker'] as const) {
  describe(`runtime error locations: ${mode} sandbox`, () => {
    let runner: SandboxRunner;
    let docker: Docker | undefined;
    before(async () => {
      if (mode === 'docker') docker = await requireDocker();
      await runtimeBundle();
      runner = new SandboxRunner({ poolSize: 0, limits: HOSTILE_LIMITS, mode });
    });
    after(async () => {
      await runner?.dispose();
      if (docker) await assertNoContainersLeft(docker);
    });
    test('every shape maps to its line and column, with the bar', async () => {
      for (const c of CASES) checkCase(c, (await failure(mode, c.source, runner)).location);
    });
    test('hostile throws and forged stacks stay inside the strategy file', async () => {
      for (const [name, source] of Object.entries(HOSTILE)) {
        const { err, location } = await failure(mode, source, runner);
        assert.equal((err as Error).name, 'SandboxError', name);
        checkHostile(name, location, source);
      }
    });
  });
}

describe('runtime error locations: a huge message', () => {
  test('a 4 MB message still leaves the frames that place the error', async () => {
    const c = marked('huge', `${HEAD}
export default class Where extends BaseStrategy {
  static config = { symbols: ['TEST'], timeframe: '1d' as const };
  onBar(bar: Bar): void {
    if (bar.index === 3) throw @@new Error('E'.repeat(4 << 20));
  }
}
`, 'onBar', 3);
    checkCase(c, (await failure('none', c.source)).location);
  });
});

describe('what the editor shows', () => {
  test('the underline covers the word at the column; without a column, the line', () => {
    const source = 'line one\n  const size = note.text.length;\n';
    assert.deepEqual(errorRange({ file: FILE, line: 2, column: 21 }, source), { line: 1, start: 20, end: 24 });
    assert.deepEqual(errorRange({ file: FILE, line: 2 }, source), { line: 1, start: 2, end: 32 });
    assert.equal(errorRange({ file: FILE }, source), undefined);
    assert.equal(errorRange({ file: FILE, line: 99, column: 1 }, source), undefined, 'a line past the end shows nothing');
    assert.equal(errorDiagnosticMessage('Where.onBar threw: boom\nmore', { file: FILE, bar: 4, time: '2020-01-05', symbol: 'TEST' }), 'Where.onBar threw: boom (bar 4, 2020-01-05, TEST)');
  });
  test('describeError hands the location to the panel', async () => {
    const c = CASES[0];
    const compiled = await compileStrategy(c.source, FILE);
    const { runInThisProcess } = await import('../../core/run/runStrategy');
    let err: unknown;
    try {
      runInThisProcess({ compiled, series: [bars(10)] });
    } catch (e) {
      err = await attachErrorLocation(e, c.source, compiled);
    }
    const shown = describeError(err);
    assert.equal(shown.title, 'The strategy failed');
    assert.deepEqual({ line: shown.location?.line, column: shown.location?.column, bar: shown.location?.bar }, { line: c.line, column: c.column, bar: 4 });
    assert.equal(describeError(new Error('plain')).location, undefined, 'other errors have none');
  });
});
