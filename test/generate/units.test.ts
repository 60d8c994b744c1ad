import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  extractCode,
  numberedName,
  parseIdea,
  readGenerateSettings,
  readRequestFromSource,
  requestHeader,
  slugify,
  withRequestHeader,
  describeRule,
  redactKey,
  DEFAULT_LLM_SETTINGS,
} from '../../core/generate/index';

test('header: the request round-trips verbatim, including several lines and odd characters', () => {
  for (const request of ['Buy AAPL when RSI < 30', 'line one\nline two\n\nline four  ', 'quotes " \' */ /* and `ticks`']) {
    const source = withRequestHeader(request, "import { BaseStrategy } from 'strategy-lab';\n");
    assert.equal(readRequestFromSource(source), request.replace(/ +$/gm, ''));
  }
  assert.equal(requestHeader('a\nb'), '// Request: a\n// Request: b');
  assert.equal(readRequestFromSource('import x from "y";\n'), undefined);
});

test('header: a header the model copied is replaced, not doubled', () => {
  const source = withRequestHeader('new idea', '// Request: old idea\nconst x = 1;\n');
  assert.equal(readRequestFromSource(source), 'new idea');
  assert.equal(source.match(/Request:/g)?.length, 1);
});

test('extractCode: picks the fenced block with the strategy, longest first', () => {
  const strategy = 'export default class A extends BaseStrategy {}\n';
  assert.equal(extractCode(`Sure.\n\`\`\`ts\n${strategy}\`\`\``), strategy);
  assert.equal(extractCode(`\`\`\`bash\nnpm i\n\`\`\`\n\`\`\`typescript\n${strategy}\`\`\``), strategy);
  assert.equal(extractCode(`\`\`\`ts\nconst helper = 1;\n\`\`\`\n\`\`\`\n${strategy}\`\`\``), strategy);
  assert.equal(extractCode(`import { BaseStrategy } from 'strategy-lab';\n${strategy}`), `import { BaseStrategy } from 'strategy-lab';\n${strategy}`, 'unfenced file');
  assert.equal(extractCode(`\`\`\`ts\n${strategy}`), strategy, 'unterminated fence (cut-off reply)');
  assert.equal(extractCode('I cannot do that.'), undefined);
  assert.equal(extractCode('```ts\nconst x = 1;\n```'), undefined, 'code but no strategy class');
});

test('slugify and numbered names', () => {
  assert.equal(slugify('Buy AAPL when RSI drops below 35, sell when it rises above 65'), 'buy-aapl-rsi-drops-below-35-sell-rises');
  assert.equal(slugify('Golden cross on SPY with a 5% trailing stop'), 'golden-cross-spy-5pct-trailing-stop');
  assert.equal(slugify('!!!'), 'strategy');
  assert.ok(slugify('x'.repeat(200)).length <= 40);
  assert.equal(numberedName('rsi.strategy.ts', 2), 'rsi-2.strategy.ts');
  assert.equal(numberedName('plain.ts', 3), 'plain-3.ts');
});

test('parser: "it" refers to the first subject of the previous clause', () => {
  const r = parseIdea('Buy when RSI is below 30 and price is above the 200-day SMA, sell when it is above 70');
  assert.ok(r.ok);
  assert.equal(describeRule(r.spec.exit!), 'RSI(14) > 70');
});

test('parser: and binds tighter than or', () => {
  const r = parseIdea('Buy SPY when RSI is below 30 and price is above the 200-day SMA or RSI is below 20');
  assert.ok(r.ok);
  assert.equal(r.spec.entry.kind, 'or');
  assert.equal(describeRule(r.spec.entry), '(RSI(14) < 30 and close > SMA(200)) or RSI(14) < 20');
});

test('parser: mixing long and short entries is refused, not half-done', () => {
  const r = parseIdea('Buy AAPL when RSI is below 30, short AAPL when RSI is above 70');
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.notUnderstood.some((t) => /long and short/.test(t)));
});

test('parser: no ticker means SPY, said in a note', () => {
  const r = parseIdea('Buy when RSI is below 30');
  assert.ok(r.ok);
  assert.deepEqual(r.spec.symbols, ['SPY']);
  assert.ok(r.notes.some((n) => /SPY/.test(n)));
});

test('parser: an unsupported bar size is named', () => {
  const r = parseIdea('Buy AAPL on 7-minute bars when RSI is below 30');
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.notUnderstood.some((t) => t.includes('7-minute')));
});

test('settings: defaults, valid values and out-of-range fallbacks', () => {
  const from = (values: Record<string, unknown>) => readGenerateSettings(<T>(key: string, fallback: T) => (key in values ? (values[key] as T) : fallback));
  const defaults = from({});
  assert.equal(defaults.provider, 'auto');
  assert.equal(defaults.llm.model, DEFAULT_LLM_SETTINGS.model);
  assert.equal(defaults.llm.baseUrl, undefined);
  const custom = from({ 'llm.provider': 'openai', 'llm.model': 'llama3', 'llm.baseUrl': 'http://127.0.0.1:11434/v1', 'llm.temperature': 0.5, 'llm.timeoutMs': 5000, 'llm.maxAttempts': 5 });
  assert.deepEqual(custom, { provider: 'openai', llm: { model: 'llama3', baseUrl: 'http://127.0.0.1:11434/v1', temperature: 0.5, timeoutMs: 5000, maxAttempts: 5 } });
  const bad = from({ 'llm.provider': 'magic', 'llm.temperature': 9, 'llm.timeoutMs': -1, 'llm.maxAttempts': 0 });
  assert.equal(bad.provider, 'auto');
  assert.equal(bad.llm.temperature, DEFAULT_LLM_SETTINGS.temperature);
  assert.equal(bad.llm.timeoutMs, DEFAULT_LLM_SETTINGS.timeoutMs);
  assert.equal(bad.llm.maxAttempts, DEFAULT_LLM_SETTINGS.maxAttempts);
});

test('redactKey removes the key and key-like tokens', () => {
  assert.equal(redactKey('key sk-abc123456789 and MY-OWN-KEY-42 here', 'MY-OWN-KEY-42'), 'key sk-*** and *** here');
});

test('parser: pathological inputs finish (no catastrophic regex backtracking) and over-long ideas are refused', { timeout: 20_000 }, () => {
  const inputs = [
    `stop ${'1'.repeat(990)} `,
    `2 ${'3 '.repeat(490)}atr stop`,
    `buy when ${'5 day '.repeat(160)}ema above 3`,
    `buy when ${'rsi and '.repeat(120)}`,
    `on ${'5-'.repeat(490)}minute bars`,
  ];
  for (const idea of inputs) assert.equal(parseIdea(idea).ok, false);
  const long = parseIdea(`Buy AAPL when RSI is below 30 ${'x'.repeat(2000)}`);
  assert.ok(!long.ok && long.notUnderstood[0].includes('characters long'));
});

test('parser: an action with no condition is reported, unless a stop makes it an exit', () => {
  const bare = parseIdea('Buy AAPL when RSI is below 30, sell when');
  assert.ok(!bare.ok && bare.notUnderstood.some((t) => t.includes('an exit with no condition')));
  const byStop = parseIdea('Buy AAPL when RSI is below 30, exit with a 5% trailing stop');
  assert.ok(byStop.ok);
  assert.equal(byStop.spec.risk.trailingStopPct, 5);
  assert.equal(byStop.spec.exit, undefined);
});

test('checkStrategySource: each check sees its own text (no stale result from the previous one)', async () => {
  const { checkStrategySource } = await import('../../core/generate/check');
  const good = "import { BaseStrategy, type Bar } from 'strategy-lab';\nexport default class X extends BaseStrategy {\n  static config = { symbols: ['AAPL'], timeframe: '1d' as const };\n  onBar(bar: Bar): void { this.buy(bar.symbol); }\n}\n";
  const bad = good.replace('this.buy(bar.symbol)', 'this.foo()');
  assert.deepEqual([good, bad, good, bad, bad, good].map((s) => checkStrategySource(s).errors.length), [0, 1, 0, 1, 1, 0]);
  const [problem] = checkStrategySource(bad).errors;
  assert.equal(problem.code, 'SL002');
  assert.equal(problem.line, 4);
});

test('parser: numbers the SDK or broker would reject are refused before any file is written', () => {
  const cases: [string, RegExp][] = [
    ['Buy AAPL when RSI(0) is below 30', /RSI\(0\): period 0 must be a whole number/],
    ['Buy AAPL when RSI(2.5) is below 30', /period 2\.5 must be a whole number/],
    ['Buy AAPL when MACD(26,12,9) crosses above its signal', /fast period 26 must be less than slow period 12/],
    ['Buy AAPL when RSI is below 30, use 150% of equity', /position size 150% .*no leverage/],
    ['Buy AAPL when RSI is below 30 with a 100% stop loss', /stop-loss 100% must be/],
  ];
  for (const [idea, message] of cases) {
    const r = parseIdea(idea);
    assert.ok(!r.ok, idea);
    assert.ok(!r.ok && r.notUnderstood.some((t) => message.test(t)), `${idea}: ${!r.ok && r.notUnderstood.join(' | ')}`);
  }
});
