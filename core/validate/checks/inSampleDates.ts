import ts from 'typescript';
import { unwrap, type NodeVisitor, type RuleContext } from '../context';
import { staticConfigMember } from './config';
import { libSignatureOf } from './typeFacts';

/**
 * SL070: dates written into the code — knowledge of the test period, not of
 * the market. A date is a string that reads as a calendar date, an 8-digit
 * YYYYMMDD number, an integer epoch-millisecond timestamp between 1973 and
 * 2100, or `Date.UTC`/`Date.parse`/`new Date` of literals (found by the
 * declaration the call resolves to, so aliases count). Dates inside one array
 * or object literal (including the argument of `new Set`/`new Map`) are one
 * "table" finding. `static config` (start/end) is the place for dates and is
 * skipped. Ordinary numbers (periods, thresholds, cash such as 100000) are
 * never dates: the smallest date number is 19000101 and it must be a real day.
 */
export function checkInSampleDates(ctx: RuleContext): NodeVisitor {
  const config = ctx.shape.main ? staticConfigMember(ctx.shape.main)?.initializer : undefined;
  const tables = new Map<ts.Node, ts.Node[]>();
  const singles: ts.Node[] = [];
  const visitor: NodeVisitor = (node) => {
    if (!isDateValue(ctx, node) || insideDateCall(ctx, node) || (config && within(node, config))) return;
    const table = tableOf(node);
    if (!table) singles.push(node);
    else tables.set(table, [...(tables.get(table) ?? []), node]);
  };
  visitor.finish = () => {
    for (const node of singles) ctx.report('SL070', 'date', node, [quote(ctx, node)]);
    for (const [table, dates] of tables) {
      if (dates.length === 1) ctx.report('SL070', 'date', dates[0], [quote(ctx, dates[0])]);
      else ctx.report('SL070', 'table', table, [dates.length, quote(ctx, dates[0])]);
    }
  };
  return visitor;
}

/** True when `node` is a date value in any of the forms above (also used by SL050's date conditions). */
export function isDateValue(ctx: RuleContext, node: ts.Node): boolean {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return isDateString(node.text);
  if (ts.isNumericLiteral(node)) return isDateNumber(Number(node.text));
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.PlusToken) return isDateValue(ctx, unwrap(node.operand));
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    const args = node.arguments ?? [];
    // `new Date('2020-03-23').getTime()`
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'getTime' && !args.length) return isDateValue(ctx, unwrap(node.expression.expression));
    // The checker only for calls that can be Date's (`new X(…)`, `X.UTC(…)`, `X.parse(…)`): this runs on every call.
    const callee = unwrap(node.expression);
    const candidate = ts.isNewExpression(node) || (ts.isPropertyAccessExpression(callee) && DATE_STATICS.has(callee.name.text)) || ts.isElementAccessExpression(callee);
    const name = args.length && candidate ? libSignatureOf(ctx, node)?.name : undefined;
    if (name !== 'DateConstructor.UTC' && name !== 'DateConstructor.parse' && name !== 'DateConstructor.new') return false;
    return args.every((a) => isLiteral(unwrap(a)));
  }
  return false;
}

const DATE_STATICS = new Set(['UTC', 'parse']);

const MONTHS = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\.?';
const DATE_STRINGS: { pattern: RegExp; ymd: (m: RegExpMatchArray) => [number, number, number] }[] = [
  // 2019-03-04, 2019/3/4, 2019.03.04, with an optional time: 2019-03-04T14:30:00Z
  { pattern: /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/, ymd: (m) => [+m[1], +m[2], +m[3]] },
  // 2019-03 (a month)
  { pattern: /^(\d{4})-(\d{2})$/, ymd: (m) => [+m[1], +m[2], 1] },
  // 03/04/2019 (US order; day-first strings are also valid as month/day or not: either way a date)
  { pattern: /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/, ymd: (m) => (+m[1] <= 12 ? [+m[3], +m[1], +m[2]] : [+m[3], +m[2], +m[1]]) },
  // 20190304
  { pattern: /^(\d{4})(\d{2})(\d{2})$/, ymd: (m) => [+m[1], +m[2], +m[3]] },
  // Mar 4, 2019 / 4 March 2019
  { pattern: new RegExp(`^${MONTHS} (\\d{1,2}),? (\\d{4})$`, 'i'), ymd: (m) => [+m[2], 1, +m[1]] },
  { pattern: new RegExp(`^(\\d{1,2}) ${MONTHS},? (\\d{4})$`, 'i'), ymd: (m) => [+m[2], 1, +m[1]] },
];

export function isDateString(text: string): boolean {
  const s = text.trim();
  return DATE_STRINGS.some(({ pattern, ymd }) => {
    const m = s.match(pattern);
    return !!m && isRealDay(...ymd(m));
  });
}

/** Epoch milliseconds from 1973-03-03 (1e11) to 2100-01-01. */
const EPOCH_MS_MIN = 1e11;
const EPOCH_MS_MAX = Date.UTC(2100, 0, 1);

export function isDateNumber(n: number): boolean {
  if (!Number.isInteger(n)) return false;
  if (n >= EPOCH_MS_MIN && n <= EPOCH_MS_MAX) return true;
  if (n >= 19000101 && n <= 21001231) return isRealDay(Math.floor(n / 10000), Math.floor(n / 100) % 100, n % 100);
  return false;
}

function isRealDay(year: number, month: number, day: number): boolean {
  if (year < 1900 || year > 2100 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isLiteral(node: ts.Expression): boolean {
  if (ts.isPrefixUnaryExpression(node)) return isLiteral(node.operand);
  return ts.isStringLiteral(node) || ts.isNumericLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

/** A Date call around the literal is reported as a whole (`new Date('2019-01-02').getTime()` is one date). */
function insideDateCall(ctx: RuleContext, node: ts.Node): boolean {
  let child = node;
  let parent = node.parent;
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isPrefixUnaryExpression(parent) || ts.isPropertyAccessExpression(parent) || ts.isCallExpression(parent) || ts.isNewExpression(parent))) {
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
      if (isDateValue(ctx, parent)) return true;
      if (!isArgument(parent, child) && parent.expression !== child) return false;
    }
    child = parent;
    parent = parent.parent;
  }
  return false;
}

/** The outermost array or object literal holding `node` (through nesting, spreads and casts), if any. */
function tableOf(node: ts.Node): ts.Node | undefined {
  let table: ts.Node | undefined;
  let child = node;
  let parent = node.parent;
  while (parent) {
    if (ts.isArrayLiteralExpression(parent) || ts.isObjectLiteralExpression(parent)) table = parent;
    else if (ts.isPropertyAssignment(parent) && (parent.name === child || parent.initializer === child)) {
      // a key or a value of the object literal around it
    } else if (!(ts.isSpreadElement(parent) || ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent) || ts.isCallExpression(parent) || ts.isNewExpression(parent))) break;
    else if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && !(table && isArgument(parent, child))) break;
    child = parent;
    parent = parent.parent;
  }
  return table;
}

function isArgument(call: ts.CallExpression | ts.NewExpression, node: ts.Node): boolean {
  return !!call.arguments?.some((a) => a === node);
}

function within(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

function quote(ctx: RuleContext, node: ts.Node): string {
  const text = node.getText(ctx.file).replace(/\s+/g, ' ');
  return `\`${text.length > 48 ? `${text.slice(0, 45)}...` : text}\``;
}
