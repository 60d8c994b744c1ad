/**
 * A TypeScript-free reader of a strategy's class name and `static config`, for the run path: loading the
 * TypeScript compiler to read one object literal costs ~0.45 s of CPU at a first run. It reads only the shape a
 * strategy is written in (`export default class Name extends Base { static config = { …literals… }; … }`) and
 * answers `undefined` — "not sure, ask TypeScript" (core/strategy/config.ts) — on anything else, so whatever it
 * does answer equals readStrategyInfo's answer (test/strategy/infoScan.test.ts checks this on every strategy
 * file in the repository and on edge cases).
 */
import type { StaticStrategyInfo } from './config';
import { scanTokens, type Token } from './tokens';

/** Identifiers that may stand before a class member's name (decorators make the scan give up, see below). */
const MEMBER_MODIFIERS = new Set(['static', 'readonly', 'override', 'public', 'private', 'protected', 'declare', 'accessor', 'abstract']);
/** Identifiers that continue an expression across a line break: after the literal they would extend it. */
const CONTINUING_WORDS = new Set(['in', 'instanceof', 'as', 'satisfies']);

/** The class name and `static config` when the source has the plain shape; undefined when TypeScript must decide. */
export function scanStrategyInfo(source: string): StaticStrategyInfo | undefined {
  const tokens = scanTokens(source);
  // Decorators can carry modifiers the scan would not see; they are never in a generated strategy.
  if (!tokens || tokens.some((t) => t.text === '@')) return undefined;
  const body = defaultClassBody(tokens);
  if (!body) return undefined;
  const at = staticConfigInitializer(tokens, body.open, body.depth + 1);
  if (at === undefined) return undefined;
  const parsed = literal(tokens, at);
  if (!parsed || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) return undefined;
  if (!endsInitializer(tokens, parsed.next, body.depth)) return undefined;
  return { className: body.className, config: parsed.value as StaticStrategyInfo['config'] };
}

/** The first top-level `export default class Name [extends A.B] [implements C, D] {`, or undefined. */
function defaultClassBody(tokens: Token[]): { className: string; open: number; depth: number } | undefined {
  const start = tokens.findIndex((t, i) => t.depth === 0 && t.text === 'export' && tokens[i + 1]?.text === 'default');
  if (start < 0) return undefined;
  let i = start + 2;
  if (tokens[i]?.text === 'abstract') i++;
  if (tokens[i]?.text !== 'class') return undefined;
  const name = tokens[++i];
  // An anonymous class gets a different generated name from each compiler: TypeScript decides.
  if (name?.kind !== 'id' || name.text === 'extends' || name.text === 'implements') return undefined;
  i++;
  for (const clause of ['extends', 'implements']) {
    if (tokens[i]?.text !== clause) continue;
    i = typeNameList(tokens, i + 1, clause === 'implements');
    if (i < 0) return undefined;
  }
  return tokens[i]?.text === '{' ? { className: name.text, open: i, depth: tokens[i].depth } : undefined;
}

/** Skips `A.B` (or `A, B.C` when a list is allowed) and returns the index after it; -1 on anything else. */
function typeNameList(tokens: Token[], i: number, list: boolean): number {
  for (;;) {
    if (tokens[i]?.kind !== 'id') return -1;
    i++;
    while (tokens[i]?.text === '.' && tokens[i + 1]?.kind === 'id') i += 2;
    if (!(list && tokens[i]?.text === ',')) return i;
    i++;
  }
}

/**
 * The index of the initializer of the class's first `static config =` member (memberDepth is the class body's
 * inside). Undefined when there is none, or when a `static config` member is not a plain `= value` (a method,
 * an accessor, a type annotation, no initializer): TypeScript's reader then says what it is.
 */
function staticConfigInitializer(tokens: Token[], open: number, memberDepth: number): number | undefined {
  for (let i = open + 1; i < tokens.length && tokens[i].depth >= memberDepth; i++) {
    const t = tokens[i];
    if (t.depth !== memberDepth || t.kind !== 'id' || t.text !== 'config') continue;
    let first = i;
    while (first - 1 > open && tokens[first - 1].kind === 'id' && MEMBER_MODIFIERS.has(tokens[first - 1].text)) first--;
    if (!tokens.slice(first, i).some((m) => m.text === 'static')) continue;
    const before = tokens[first - 1];
    // A member starts after the body's `{`, a `;`, a method body's `}`, or a line break; modifiers on other lines
    // are read differently by different parsers. Anything else is not the plain shape.
    const memberStart = first - 1 === open || before.text === ';' || before.text === '}' || tokens[first].newlineBefore;
    if (!memberStart || tokens.slice(first + 1, i + 1).some((m) => m.newlineBefore)) return undefined;
    return tokens[i + 1]?.text === '=' ? i + 2 : undefined;
  }
  return undefined;
}

type Literal = string | number | boolean | Literal[] | { [key: string]: Literal };

/** A plain decimal number: the only numeric text whose value is certain to be Number(text) in both readers. */
const DECIMAL = /^(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** The literal starting at tokens[i] (with its `as const` / `satisfies T`) and the index after it; undefined for anything but literals. */
function literal(tokens: Token[], i: number): { value: Literal; next: number } | undefined {
  const bare = bareLiteral(tokens, i);
  if (!bare) return undefined;
  let next = bare.next;
  for (let after = skipAssertion(tokens, next); after !== next; after = skipAssertion(tokens, next)) {
    if (after < 0) return undefined;
    next = after;
  }
  return { value: bare.value, next };
}

function bareLiteral(tokens: Token[], i: number): { value: Literal; next: number } | undefined {
  const t = tokens[i];
  if (!t) return undefined;
  if (t.kind === 'string' || t.kind === 'template') return t.value === undefined ? undefined : { value: t.value, next: i + 1 };
  if (t.kind === 'number') return DECIMAL.test(t.text) ? { value: Number(t.text), next: i + 1 } : undefined;
  if (t.kind === 'id' && (t.text === 'true' || t.text === 'false')) return { value: t.text === 'true', next: i + 1 };
  if (t.text === '[') return arrayLiteral(tokens, i + 1);
  if (t.text === '{') return objectLiteral(tokens, i + 1);
  return undefined;
}

function arrayLiteral(tokens: Token[], i: number): { value: Literal[]; next: number } | undefined {
  const items: Literal[] = [];
  while (tokens[i]?.text !== ']') {
    const item = literal(tokens, i); // a hole (`[a,,b]`) or a spread is not a literal: undefined
    if (!item) return undefined;
    items.push(item.value);
    i = item.next;
    if (tokens[i]?.text === ',') i++;
    else if (tokens[i]?.text !== ']') return undefined;
  }
  return { value: items, next: i + 1 };
}

function objectLiteral(tokens: Token[], i: number): { value: { [key: string]: Literal }; next: number } | undefined {
  const out: { [key: string]: Literal } = {};
  while (tokens[i]?.text !== '}') {
    const k = tokens[i];
    const key = k?.kind === 'id' ? k.text : k?.kind === 'string' ? k.value : undefined;
    // `__proto__: …` would set the prototype, not a key; shorthand, methods, spreads and computed keys are not literals.
    if (key === undefined || key === '__proto__' || tokens[i + 1]?.text !== ':') return undefined;
    const v = literal(tokens, i + 2);
    if (!v) return undefined;
    out[key] = v.value;
    i = v.next;
    if (tokens[i]?.text === ',') i++;
    else if (tokens[i]?.text !== '}') return undefined;
  }
  return { value: out, next: i + 1 };
}

/**
 * After a literal: `as const` or `satisfies Name`, which do not change its value (the only assertions read here;
 * TypeScript does not read them across a line break). -1 for a `satisfies` of a type this does not skip.
 */
function skipAssertion(tokens: Token[], i: number): number {
  const t = tokens[i];
  if (t?.text === 'as' && !t.newlineBefore && tokens[i + 1]?.text === 'const') return i + 2;
  if (t?.text === 'satisfies' && !t.newlineBefore) {
    const after = typeNameList(tokens, i + 1, false);
    return after < 0 ? -1 : after;
  }
  return i;
}

/** Whether the initializer certainly ends at tokens[i]: a `;`, the class's closing `}`, or a new member on a new line. */
function endsInitializer(tokens: Token[], i: number, classDepth: number): boolean {
  const t = tokens[i];
  if (!t) return false;
  if (t.text === ';') return true;
  if (t.text === '}') return t.depth === classDepth;
  return t.newlineBefore && t.kind === 'id' && !CONTINUING_WORDS.has(t.text);
}
