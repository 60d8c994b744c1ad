/**
 * Issue 13.5 / 12.5: the validator finds routes to the Function constructor, nondeterminism and in-sample dates by
 * type, whatever the spelling — and stays quiet on ordinary code (examples, offline-generated strategies).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateOffline, GenerateError } from '../../core/generate/index';
import { getSdkDeclarations } from '../../core/sdk/declarations/index';
import { validateStrategySource, type StrategyDiagnostic } from '../../core/validate/index';
import { PHRASINGS } from '../generate/phrasings';

const wrap = (body: string, top = '') =>
  `import { BaseStrategy, type Bar } from 'strategy-lab';\nimport { SMA } from 'strategy-lab/indicators';\n${top}\nexport default class S extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' };\n  private xs: number[] = [];\n  private sma = new SMA(5);\n  onBar(bar: Bar) {\n    ${body}\n  }\n}\n`;

function found(source: string): StrategyDiagnostic[] {
  return validateStrategySource(source, 's.strategy.ts').diagnostics;
}
const codesOf = (ds: StrategyDiagnostic[]) => ds.filter((d) => d.code !== 'SL002').map((d) => d.code);

const FUNCTION_ROUTES: [string, string][] = [
  ['chain on an array', "const f = this.xs.constructor.constructor('return 1'); this.log(f);"],
  ['chain on a number', "const f = (5).constructor.constructor; this.log(f);"],
  ['computed literal key', "const f = (() => 1)['constructor']; this.log(f);"],
  ['template key', 'const f = (() => 1)[`constructor`]; this.log(f);'],
  ['folded key', "const k = 'con' + 'struc' + 'tor'; const f = (this.onBar as any)[k]; this.log(f);"],
  ['literal-typed key', "const k: 'constructor' = 'constructor'; const f = this.xs[k]; this.log(f);"],
  ['arrow function constructor', 'const f = ((x: number) => x).constructor; this.log(f);'],
  ['async function constructor', 'const f = (async () => 1).constructor; this.log(f);'],
  ['generator function constructor', 'const f = (function* () { yield 1; }).constructor; this.log(f);'],
  ['async generator constructor', 'const f = (async function* () { yield 1; }).constructor; this.log(f);'],
  ['method constructor', 'const f = this.log.constructor; this.log(f);'],
  ['prototype of a generator', 'const p = Object.getPrototypeOf(function* () { yield 1; }); this.log(p);'],
  ['aliased Object', 'const O = Object; const p = O.getPrototypeOf(this.log); this.log(p);'],
  ['destructured getPrototypeOf', 'const { getPrototypeOf: gp } = Object; this.log(gp);'],
  ['getPrototypeOf through brackets', "const p = Object['getPrototypeOf'](this); this.log(p);"],
  ['setPrototypeOf', 'Object.setPrototypeOf(this, null);'],
  ['own property descriptors', 'this.log(Object.getOwnPropertyDescriptors(this.log));'],
  ['Reflect.get', "this.log(Reflect.get(this, 'broker'));"],
  ['Reflect.construct', 'this.log(Reflect.construct(Date, []));'],
  ['Reflect.getPrototypeOf', 'this.log(Reflect.getPrototypeOf(this.log));'],
  ['__proto__', 'const p = (this.xs as any).__proto__; this.log(p);'],
  ['__lookupGetter__', "const p = (this as any).__lookupGetter__('x'); this.log(p);"],
  ['dynamic key on a function', 'const k = String(bar.close); const v = (this.log as any)[k]; this.log(v);'],
  ['dynamic key on any', 'const k = String(bar.close); const o: any = this.xs; this.log(o[k]);'],
  ['call of a Function-typed value', "const c: Function = this.log; c('return 1');"],
  ['new of a Function-typed value', "const c: Function = this.log; this.log(new (c as FunctionConstructor)('return 1'));"],
  ['constructor of any', "const g: any = bar; this.log(g.constructor);"],
  ['constructor through an alias of this', "const self: any = this; this.log(self.constructor.constructor('return 1'));"],
  ['Proxy', 'this.log(new Proxy({}, {}));'],
  ['globalThis alias', 'const g = globalThis; this.log(g);'],
];

for (const [name, body] of FUNCTION_ROUTES) {
  test(`SL041 route to the Function constructor: ${name}`, () => {
    const ds = found(wrap(body));
    assert.ok(codesOf(ds).includes('SL041'), `not found: ${body}\n${ds.map((d) => `${d.code} ${d.message}`).join('\n')}`);
  });
}

test('SL041 private SDK members read with brackets or through a cast', () => {
  // Any private member the SDK declares will do; the SMA indicator's is read from the declarations, not assumed.
  const sma = /export class SMA [^{]*\{([\s\S]*?)\n  \}/.exec(getSdkDeclarations().text)?.[1] ?? '';
  const name = /private (?:readonly )?(\w+)/.exec(sma)?.[1];
  assert.ok(name, 'the SDK declares no private member on SMA any more: point this test at another SDK class with one');
  for (const body of [`this.log(this.sma['${name}']);`, `this.log((this.sma as any)['${name}']);`, `this.log((this.sma as any).${name});`, `this.log((this.sma as unknown as Record<string, number>)['${name}']);`]) {
    const ds = found(wrap(body));
    assert.ok(ds.some((d) => d.code === 'SL041' && new RegExp(`'${name}' is private to the engine`).test(d.message)), `${body}: ${ds.map((d) => d.message).join('; ')}`);
  }
  const own = wrap("this.log(this['mine']);").replace('private xs', 'private mine = 1;\n  private xs');
  assert.deepEqual(codesOf(found(own)), [], "the strategy's own private fields are its business");
});

const NONDETERMINISM: [string, string, RegExp][] = [
  ['Math alias', 'const M = Math; this.log(M.random());', /Math\.random under another name/],
  ['brackets', "this.log(Math['random']());", /Math\.random under another name/],
  ['destructuring', 'const { random } = Math; this.log(random());', /Math\.random under another name/],
  ['passed as a callback', 'this.log([1, 2].map(Math.random));', /Math\.random\(\) makes every backtest different/],
  ['globalThis.Math', 'this.log(globalThis.Math.random());', /Math\.random under another name/],
  ['Date.now', 'this.log(Date.now());', /wall clock/],
  ['Date alias now', 'const D = Date; this.log(D.now());', /wall clock/],
  ['Date brackets', "this.log(Date['now']());", /wall clock/],
  ['destructured now', 'const { now } = Date; this.log(now());', /wall clock/],
  ['new Date()', 'this.log(new Date());', /wall clock/],
  ['aliased new Date()', 'const D = Date; this.log(new D());', /wall clock/],
  ['Date() as a function', 'this.log(Date());', /wall clock/],
  ['Date constructor passed around', 'const make = (C: DateConstructor) => new C(); this.log(make(Date));', /wall clock/],
  ['performance.now', 'const p = (performance as any).now(); this.log(p);', /wall clock/],
];

for (const [name, body, message] of NONDETERMINISM) {
  test(`SL042 nondeterminism (not look-ahead): ${name}`, () => {
    const ds = found(wrap(body)).filter((d) => d.code === 'SL042');
    assert.ok(ds.some((d) => message.test(d.message)), `${body}: ${found(wrap(body)).map((d) => `${d.code} ${d.message}`).join('; ')}`);
    assert.ok(!found(wrap(body)).some((d) => d.code === 'SL050'), 'nondeterminism is not reported as future data');
  });
}

test('SL042 stays quiet on deterministic dates and look-alike names', () => {
  for (const body of [
    'this.log(new Date(bar.time).getUTCDay());',
    'const random = (seed: number) => (seed * 9301 + 49297) % 233280; this.log(random(bar.index));',
    'const rng = { random: () => 0.5, now: () => 1 }; this.log(rng.random(), rng.now());',
    'this.log(Math.max(bar.open, bar.close), Math.abs(bar.close - bar.open), Math.floor(bar.index / 5));',
    "this.log(Date.UTC(2020, 0, 1) > 0 ? 'a' : 'b');".replace('Date.UTC(2020, 0, 1)', 'bar.time'),
  ]) assert.deepEqual(found(wrap(body)).filter((d) => d.code === 'SL042'), [], body);
});

test('SL050 follows a const alias of bar.index', () => {
  assert.ok(codesOf(found(wrap('const i = bar.index; const j = i; this.log(this.xs[j + 1]);'))).includes('SL050'));
  assert.deepEqual(codesOf(found(wrap('let i = 0; i = bar.index; this.log(this.xs[i - 1], this.xs.slice(0, i + 1));'))), []);
});

const DATES: [string, string][] = [
  ['ISO string', "if (new Date(bar.time).toISOString().startsWith('2020-03-23')) this.buy(bar.symbol);"],
  ['ISO date-time', "this.log(bar.time > Date.parse('2020-03-23T14:30:00Z'));"],
  ['slashes', "this.log('2020/03/23');"],
  ['US order', "this.log('03/23/2020');"],
  ['month name', "this.log('March 23, 2020');"],
  ['day month year', "this.log('23 Mar 2020');"],
  ['a month', "this.log('2020-03');"],
  ['YYYYMMDD number', 'this.log(bar.index === 20200323);'],
  ['YYYYMMDD string', "this.log('20200323');"],
  ['epoch ms', 'this.log(bar.time === 1584921600000);'],
  ['Date.UTC', 'this.log(Date.UTC(2020, 2, 23));'],
  ['aliased Date.UTC', 'const D = Date; this.log(D.UTC(2020, 2, 23));'],
  ['new Date of a string', "this.log(new Date('2020-03-23'));"],
  ['new Date of numbers', 'this.log(new Date(2020, 2, 23));'],
  ['Set table', "const days = new Set(['2020-03-23', '2020-03-24']); this.log(days.has(''));"],
  ['Map table', "const days = new Map([[20200323, 1], [20200324, 2]]); this.log(days.size);"],
  ['object table', "const days: Record<string, number> = { '2020-03-23': 1, '2020-03-24': 2 }; this.log(days);"],
  ['array of epoch ms', 'const days = [1584921600000, 1585008000000]; this.log(days);'],
  ['nested table', "const t = { best: ['2020-03-23'], worst: ['2020-02-20'] }; this.log(t);"],
];

for (const [name, body] of DATES) {
  test(`SL070 in-sample date: ${name}`, () => {
    const ds = found(wrap(body)).filter((d) => d.code === 'SL070');
    assert.equal(ds.length, 1, `${body}: ${found(wrap(body)).map((d) => `${d.code} ${d.message}`).join('; ')}`);
    assert.equal(ds[0].severity, 'warning');
    assert.equal(ds[0].range.start.line, 8, 'on the line of the date');
  });
}

test('SL070 counts a table once, with its size', () => {
  const ds = found(wrap("const days = new Set(['2020-03-23', '2020-03-24', '2020-04-01', '2020-05-12']); this.log(days);")).filter((d) => d.code === 'SL070');
  assert.equal(ds.length, 1);
  assert.match(ds[0].message, /A table of 4 dates \(first `'2020-03-23'`\)/);
});

test('SL070 ignores ordinary numbers, strings and the config dates', () => {
  for (const body of [
    'this.log(100000, 1_000_000, 20000000, 99999999, 12345678, 2020, 252, 0.015, 1e6, 5e10, 4.5e12, 1584921600000.5);',
    "this.log('AAPL', '1d', 'close', '12:30', 'v2.3.1', '2020', '99/99/2020', '2020-13-01', '2021-02-29', 'Q1 2020');",
    'this.log(new Date(bar.time), new Date(bar.time).getUTCFullYear());',
  ]) assert.deepEqual(found(wrap(body)).filter((d) => d.code === 'SL070').map((d) => d.message), [], body);
  const config = wrap('this.log(bar.close);').replace("timeframe: '1d' }", "timeframe: '1d', start: '2015-01-02', end: '2020-12-31' }");
  assert.deepEqual(codesOf(found(config)), []);
});

/** Ideas in many shapes for the offline generator: every file it writes must validate without a warning. */
function broadIdeas(): string[] {
  const ideas = PHRASINGS.map((p) => p.idea);
  const symbols = ['AAPL', 'MSFT', 'SPY', 'QQQ', 'TSLA', 'BRK-B'];
  const templates = [
    (s: string, a: number, b: number) => `Buy ${s} when RSI drops below ${a}, sell when it rises above ${b}`,
    (s: string, a: number, b: number) => `Buy ${s} when the ${a}-day SMA crosses above the ${b + 100}-day SMA, sell when it crosses below`,
    (s: string, a: number, b: number) => `Buy ${s} when the ${a}-day EMA crosses above the ${b}-day EMA with a ${Math.round(a / 4) + 1}% stop loss`,
    (s: string, a: number) => `Bollinger mean reversion on ${s} with a ${a}-day window`,
    (s: string, a: number, b: number) => `Short ${s} when RSI(${Math.round(a / 3) + 2}) goes above ${b}, cover when it drops below ${a}`,
    (s: string, a: number) => `Buy ${s} on a breakout above the ${a}-day high, sell on a break below the ${Math.round(a / 2)}-day low`,
    (s: string, a: number) => `Buy ${s} when the close is above the ${a * 5}-day moving average on hourly bars`,
    (s: string, a: number, b: number) => `Go long ${s} when MACD crosses above its signal line and RSI is below ${b}, take profit at ${a}%`,
  ];
  symbols.forEach((s, i) => templates.forEach((t) => ideas.push(t(s, 20 + 5 * i, 60 + 2 * i))));
  return ideas;
}

test('no false positives on strategies the offline generator writes (a broad set of ideas)', () => {
  const problems: string[] = [];
  let generated = 0;
  for (const idea of broadIdeas()) {
    let source: string;
    try {
      source = generateOffline(idea).source;
    } catch (err) {
      if (err instanceof GenerateError) continue; // an idea the grammar does not cover: nothing was written
      throw err;
    }
    generated++;
    for (const d of validateStrategySource(source, 'g.strategy.ts').diagnostics) {
      if (d.severity === 'error' || d.severity === 'warning') problems.push(`${idea}\n  ${d.range.start.line + 1} ${d.code} ${d.message}`);
    }
  }
  assert.ok(generated >= 80, `only ${generated} ideas generated: the set is not broad enough`);
  assert.deepEqual(problems, []);
});
