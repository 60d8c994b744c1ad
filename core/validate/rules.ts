import type { Severity } from './types';

/**
 * Every rule the validator knows: one table shared by the validator, the
 * language server, the CLI and docs/validation.md (a test keeps the doc in
 * step). Codes are stable: never renumber or reuse one.
 */
interface Variant<A extends unknown[]> {
  severity?: Severity;
  message: (...args: A) => string;
}

interface Rule<V extends Record<string, Variant<never[]>>> {
  severity: Severity;
  title: string;
  /** What it catches, one sentence (the docs and `--json` output use it). */
  catches: string;
  variants: V;
}

function rule<V extends Record<string, Variant<never[]>>>(r: Rule<V>): Rule<V> {
  return r;
}

const SDK_IMPORT = "import { BaseStrategy, type Bar } from 'strategy-lab'";

export const RULES = {
  SL001: rule({
    severity: 'error',
    title: 'Syntax error',
    catches: 'Code TypeScript cannot parse.',
    variants: {
      syntax: { message: (text: string) => `Syntax error: ${text}. Fix it first: the other strategy checks resume once the file parses.` },
    },
  }),
  SL002: rule({
    severity: 'error',
    title: 'Type error against the SDK',
    catches: "Type errors when the file is checked against the SDK's own declarations (ES2022 library only: no DOM, no Node types).",
    variants: {
      type: { message: (text: string) => `${text}` },
    },
  }),
  SL010: rule({
    severity: 'error',
    title: 'No default-exported class',
    catches: 'The file has no `export default class …`, so the engine has nothing to run.',
    variants: {
      none: { message: () => 'No default-exported strategy class. Write `export default class MyStrategy extends BaseStrategy { … }`.' },
      notDefault: { message: (name: string) => `'${name}' is a strategy but is not the default export, so the engine cannot find it. Write \`export default class ${name}\`.` },
      separate: { message: (name: string) => `Put \`export default\` on the class itself (\`export default class ${name} …\`): Strategy Lab reads the class and its config from that declaration before running it.` },
      notAClass: { message: () => 'The default export is not a class. Export the strategy class itself: `export default class MyStrategy extends BaseStrategy { … }`.' },
    },
  }),
  SL011: rule({
    severity: 'error',
    title: 'Does not extend BaseStrategy',
    catches: 'The default-exported class does not extend `BaseStrategy` (directly or through a class in the same file).',
    variants: {
      notExtending: {
        message: (name: string) => `'${name}' does not extend BaseStrategy, so it cannot place orders or receive bars. Write \`class ${name} extends BaseStrategy\` and \`${SDK_IMPORT}\`.`,
      },
    },
  }),
  SL012: rule({
    severity: 'error',
    title: 'More than one strategy class',
    catches: 'Several non-abstract classes extend `BaseStrategy`; a file holds exactly one strategy.',
    variants: {
      extra: { message: (name: string, main: string) => `Only one strategy per file: the engine runs '${main}' and ignores '${name}'. Move '${name}' to its own .strategy.ts file, or make it abstract if it is a shared base.` },
    },
  }),
  SL020: rule({
    severity: 'error',
    title: 'Missing or wrongly typed onBar',
    catches: '`onBar` is missing, or is not a synchronous instance method taking one `Bar`.',
    variants: {
      missing: { message: (name: string) => `'${name}' has no onBar method, so it never trades. Add \`onBar(bar: Bar): void { … }\`.` },
      notMethod: { message: () => 'onBar must be a method: write `onBar(bar: Bar): void { … }`, not a property.' },
      isStatic: { message: () => 'onBar must be an instance method: remove `static`.' },
      isAsync: { message: () => 'onBar must be synchronous: the engine does not wait for promises, so work after an `await` would run after later bars. Remove `async` and `await`.' },
      parameters: { message: () => 'onBar takes exactly one parameter, the current bar: write `onBar(bar: Bar)`.' },
      parameterType: { message: (type: string) => `onBar receives one Bar at a time, not '${type}'. Declare it as \`onBar(bar: Bar)\` and keep any history you need in fields.` },
    },
  }),
  SL021: rule({
    severity: 'error',
    title: 'Misspelt lifecycle method',
    catches: 'A method whose name looks like a lifecycle method (`onbar`, `onBars`, `on_bar`, `onData`) but is not one, so the engine never calls it.',
    variants: {
      typo: { message: (name: string, intended: string) => `'${name}' looks like a misspelling of '${intended}'; the engine never calls '${name}'. Rename it to '${intended}'.` },
      foreign: { message: (name: string, intended: string) => `'${name}' is another framework's name for '${intended}'; Strategy Lab never calls it. Rename it to '${intended}'.` },
    },
  }),
  SL030: rule({
    severity: 'error',
    title: 'Missing or invalid config',
    catches: '`static config` is missing, not a literal, has no symbols, a malformed ticker, an unknown timeframe or field, or bad dates.',
    variants: {
      missing: { message: (name: string) => `'${name}' has no \`static config\`, so no data can be loaded. Add \`static config = { symbols: ['AAPL'], timeframe: '1d' };\`.` },
      notLiteral: { message: () => "`static config` must be a plain object literal (strings, numbers, arrays) so it can be read before the strategy runs. Write e.g. `static config = { symbols: ['AAPL'], timeframe: '1d' };`." },
      missingField: { message: (field: string, example: string) => `config has no '${field}'. Add \`${field}: ${example}\`.` },
      noSymbols: { message: () => "config.symbols is empty: list at least one ticker, e.g. `symbols: ['AAPL']`." },
      symbolsNotList: { message: () => "config.symbols must be a list of ticker strings, e.g. `symbols: ['AAPL', 'MSFT']`." },
      badTicker: { message: (ticker: string, suggestion: string) => `'${ticker}' is not a valid ticker (upper-case letters, digits, '.', '-', '^' or '=', e.g. 'AAPL', 'BRK-B', '^GSPC', 'EURUSD=X').${suggestion ? ` Did you mean '${suggestion}'?` : ''}` },
      duplicateTicker: { message: (ticker: string) => `'${ticker}' is listed twice in config.symbols: remove the duplicate.` },
      badTimeframe: { message: (value: string, allowed: string, suggestion: string) => `Unknown timeframe '${value}': use one of ${allowed}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}` },
      badDate: { message: (field: string, value: string) => `config.${field} '${value}' is not a date: write it as 'YYYY-MM-DD', e.g. '2015-01-02'.` },
      dateOrder: { message: (start: string, end: string) => `config.start '${start}' is after config.end '${end}': swap them.` },
      unknownField: { message: (field: string, allowed: string, suggestion: string) => `Unknown config field '${field}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}: config takes only ${allowed}.` },
    },
  }),
  SL040: rule({
    severity: 'error',
    title: 'Import outside the SDK',
    catches: "An import of anything but 'strategy-lab' and 'strategy-lab/indicators' (packages, relative files).",
    variants: {
      forbidden: { message: (spec: string) => `'${spec}' cannot be imported: a strategy may import only 'strategy-lab' and 'strategy-lab/indicators'. Remove the import and use the SDK (indicators are in 'strategy-lab/indicators').` },
    },
  }),
  SL041: rule({
    severity: 'error',
    title: 'Node built-in or isolation-breaking global',
    catches: 'Node built-in modules and globals that reach outside the sandbox or make runs depend on time (`require`, `import()`, `process`, `globalThis`, `eval`, `Function`, `Reflect`, `fetch`, timers, `fs`, `child_process`, `net`, `http`, `worker_threads`, `vm`), and every route to the Function constructor or engine internals the type checker can see (`x.constructor`, computed keys, prototypes, brackets on private members).',
    variants: {
      builtinModule: { message: (spec: string) => `'${spec}' is a Node built-in: strategies run isolated, without files, network, processes or threads. Remove the import; keep state in class fields.` },
      global: { message: (name: string, why: string) => `'${name}' is not available to strategies (${why}). Remove it; a strategy only reacts to bars through onBar.` },
      dynamicImport: { message: () => 'Dynamic import() is not allowed: a strategy may only statically import the SDK. Remove it.' },
      importMeta: { message: () => '`import.meta` is not available to strategies. Remove it.' },
      functionConstructor: {
        message: (text: string) => `'${text}' can reach the Function constructor (a function's \`constructor\`, through any chain or alias), which runs code the validator cannot see. Remove it; a strategy needs no constructors of functions.`,
      },
      callsFunctionType: {
        message: (text: string) => `'${text}' calls a value typed \`Function\`, which may be the Function constructor. Give the value a precise function type, e.g. \`(x: number) => number\`.`,
      },
      dynamicKey: {
        message: (text: string) => `'${text}' reads a property chosen at run time from an untyped value or a function, a route to the Function constructor. Use a typed object and a fixed property name.`,
      },
      prototype: {
        message: (text: string) => `'${text}' reaches prototypes, a route to the Function constructor and to engine internals. Remove it; use the SDK's methods.`,
      },
      privateMember: {
        message: (name: string) => `'${name}' is private to the engine: reading it with brackets bypasses TypeScript's check and would let the strategy change its own results. Use the SDK's public methods.`,
      },
    },
  }),
  SL042: rule({
    severity: 'warning',
    title: 'Non-reproducible randomness or clock',
    catches: '`Math.random()`, `Date.now()`, `new Date()` and `performance.now()`, found by type (aliases, brackets, destructuring): each run would give different results.',
    variants: {
      random: { message: () => 'Math.random() makes every backtest different, so results cannot be reproduced or optimized. Derive decisions from bar data, or use a seeded generator kept in a field.' },
      clock: { message: (what: string) => `${what} reads the wall clock, not the backtest's time, so results depend on when it runs. Use bar.time instead.` },
      randomAlias: { message: (text: string) => `'${text}' is Math.random under another name: every backtest would differ, so results cannot be reproduced. Derive decisions from bar data, or use a seeded generator kept in a field.` },
    },
  }),
  SL050: rule({
    severity: 'warning',
    title: 'Look-ahead hazard',
    catches: 'Code that can see the future: indexing past the current bar (`bar.index + 1`), or decisions switched on hard-coded dates.',
    variants: {
      futureIndex: { message: (text: string) => `'${text}' points past the current bar: a live strategy cannot know future bars, so the backtest would be too good. Use the current bar or earlier ones.` },
      hardCodedDate: { message: (text: string) => `'${text}' ties a decision to a hard-coded date, which is usually chosen knowing what happened next. Derive the condition from price data, or set config.start/config.end to limit the test period.` },
    },
  }),
  SL051: rule({
    severity: 'warning',
    title: 'Unbounded loop',
    catches: '`while (true)`, `for (;;)` or `do … while (true)` with no `break`, `return` or `throw` that leaves it.',
    variants: {
      unbounded: { message: () => 'This loop never ends: nothing inside breaks out of it, so the backtest would hang until it times out. Add a loop condition or a `break`.' },
    },
  }),
  SL060: rule({
    severity: 'warning',
    title: 'Parameter unused or not optimizable',
    catches: 'A `params` entry that is never read (hint), or one that is read but is neither a number nor a boolean, so it cannot be optimized (warning).',
    variants: {
      unused: { severity: 'hint', message: (name: string) => `Parameter '${name}' is never used. Read it as \`this.params.${name}\`, or remove it.` },
      notNumeric: { message: (name: string, type: string) => `Parameter '${name}' is ${type}, so the optimizer cannot tune it. Use a number or a boolean (encode a choice as 0/1), or make it a constant outside params.` },
    },
  }),
  SL070: rule({
    severity: 'warning',
    title: 'In-sample dates in code',
    catches: 'Dates written into the code (date strings, YYYYMMDD numbers, epoch-millisecond timestamps, `Date.UTC(…)`, `new Date(…)` of literals), alone or as tables (`Set`, `Map`, arrays, objects keyed by date): knowledge of the test period, not of the market.',
    variants: {
      date: { message: (text: string) => `${text} is a date written into the code: a strategy that knows dates of the test period trades on hindsight. Derive conditions from price data; limit the test period with config.start/config.end.` },
      table: { message: (count: number, first: string) => `A table of ${count} dates (first ${first}) is written into the code: a per-date list usually encodes what happened on those days (in-sample knowledge). Derive the signal from price data instead.` },
    },
  }),
} as const;

export type RuleCode = keyof typeof RULES;
export type VariantOf<C extends RuleCode> = keyof (typeof RULES)[C]['variants'];

export const RULE_CODES = Object.keys(RULES) as RuleCode[];

/** Severity and message for one rule variant. */
export function ruleMessage<C extends RuleCode, V extends VariantOf<C>>(
  code: C,
  variant: V,
  ...args: Parameters<(typeof RULES)[C]['variants'][V] extends Variant<infer A> ? (...a: A) => string : never>
): { severity: Severity; message: string } {
  const r = RULES[code] as unknown as Rule<Record<string, Variant<unknown[]>>>;
  const v = r.variants[variant as string];
  return { severity: v.severity ?? r.severity, message: v.message(...args) };
}
