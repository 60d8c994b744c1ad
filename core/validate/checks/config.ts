import ts from 'typescript';
import { classAnchor, className, isStatic, literalContent, memberName, unwrap, type RuleContext, type SdkLookup } from '../context';
import { addMember } from '../edits';
import { closest } from './similar';

/** Tickers as the data layer spells them: AAPL, BRK-B, BRK.B, ^GSPC, EURUSD=X, BTC-USD, 0700.HK. */
const TICKER = /^\^?[A-Z0-9]+(?:[.-][A-Z0-9]+)*(?:=[A-Z]+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Spellings people use for the SDK's timeframes, mapped to them. */
const TIMEFRAME_ALIASES: Record<string, string> = {
  daily: '1d', day: '1d', '1day': '1d', d: '1d', '1D': '1d', '24h': '1d',
  weekly: '1wk', week: '1wk', '1w': '1wk', '1W': '1wk', '1week': '1wk',
  hourly: '1h', hour: '1h', '60m': '1h', '1H': '1h', '60min': '1h',
  '1min': '1m', minute: '1m', '5min': '5m', '15min': '15m', '30min': '30m', '240m': '4h', '4H': '4h',
};

/** The `static config = { … }` property of a class, if any. */
export function staticConfigMember(cls: ts.ClassLikeDeclaration): ts.PropertyDeclaration | undefined {
  return cls.members.find((m): m is ts.PropertyDeclaration => ts.isPropertyDeclaration(m) && isStatic(m) && memberName(m) === 'config');
}

/** SL030: `static config` must be a literal the host can read before running untrusted code. */
export function checkConfig(ctx: RuleContext): void {
  const { file, shape } = ctx;
  const cls = shape.main;
  if (!cls) return;
  const member = staticConfigMember(cls);
  if (!member?.initializer) {
    const symbols = symbolsInFile(file);
    const text = `static config = { symbols: [${(symbols.length ? symbols : ['AAPL']).map((s) => `'${s}'`).join(', ')}], timeframe: '1d' };`;
    const title = symbols.length ? `Add static config for ${symbols.join(', ')}` : "Add static config (edit the symbols: 'AAPL' is a placeholder)";
    const edits = member ? [{ range: rangeOf(file, member), newText: text }] : [addMember(file, cls, text, 'first')];
    ctx.report('SL030', 'missing', member?.name ?? classAnchor(cls, file), [className(cls)], [{ title, edits }]);
    return;
  }
  const literal = unwrap(member.initializer);
  if (!ts.isObjectLiteralExpression(literal)) return ctx.report('SL030', 'notLiteral', member.initializer, []);

  const fields = configFields(ctx);
  const seen = new Map<string, ts.PropertyAssignment>();
  for (const prop of literal.properties) {
    if (!ts.isPropertyAssignment(prop) || !(ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name))) {
      ctx.report('SL030', 'notLiteral', prop, []);
      continue;
    }
    const name = prop.name.text;
    if (!fields.includes(name)) {
      const suggestion = closest(name, fields, (f) => f, 3) ?? (/^(symbol|tickers?|assets?|instruments?)$/i.test(name) ? 'symbols' : /^(interval|period|resolution|frequency|barSize)$/i.test(name) ? 'timeframe' : '');
      const rename = suggestion && !literal.properties.some((p) => p !== prop && p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === suggestion);
      const at = ts.isStringLiteral(prop.name) ? literalContent(prop.name, file) : prop.name;
      ctx.report('SL030', 'unknownField', prop.name, [name, fields.join(', '), suggestion], [], rename ? { at, replacement: suggestion } : undefined);
      continue;
    }
    seen.set(name, prop);
  }
  const anchor = member.name;
  const symbols = seen.get('symbols');
  if (!symbols) ctx.report('SL030', 'missingField', anchor, ['symbols', "['AAPL']"]);
  else checkSymbols(ctx, unwrap(symbols.initializer));
  const timeframe = seen.get('timeframe');
  if (!timeframe) ctx.report('SL030', 'missingField', anchor, ['timeframe', "'1d'"]);
  else checkTimeframe(ctx, unwrap(timeframe.initializer));
  const start = seen.get('start') && checkDate(ctx, 'start', unwrap(seen.get('start')!.initializer));
  const end = seen.get('end') && checkDate(ctx, 'end', unwrap(seen.get('end')!.initializer));
  if (start && end && start > end) ctx.report('SL030', 'dateOrder', seen.get('start')!.initializer, [start, end]);
}

function rangeOf(file: ts.SourceFile, node: ts.Node) {
  return { start: file.getLineAndCharacterOfPosition(node.getStart(file)), end: file.getLineAndCharacterOfPosition(node.getEnd()) };
}

/** Field names of the SDK's StrategyConfig (so a new SDK field needs no validator change). */
export function configFields(ctx: SdkLookup): string[] {
  const symbol = ctx.sdkSymbol('StrategyConfig');
  if (!symbol) return ['symbols', 'timeframe', 'start', 'end'];
  return ctx.checker.getPropertiesOfType(ctx.checker.getDeclaredTypeOfSymbol(symbol)).map((p) => p.name);
}

/** The SDK's Timeframe union, read from the declarations. */
export function timeframes(ctx: SdkLookup): string[] {
  const symbol = ctx.sdkSymbol('Timeframe');
  if (!symbol) return [];
  const type = ctx.checker.getDeclaredTypeOfSymbol(symbol);
  const parts = type.isUnion() ? type.types : [type];
  return parts.filter((t): t is ts.StringLiteralType => t.isStringLiteral()).map((t) => t.value);
}

function checkSymbols(ctx: RuleContext, node: ts.Expression): void {
  if (!ts.isArrayLiteralExpression(node)) return ctx.report('SL030', 'symbolsNotList', node, []);
  if (node.elements.length === 0) return ctx.report('SL030', 'noSymbols', node, []);
  const seen = new Set<string>();
  for (const el of node.elements) {
    const value = unwrap(el as ts.Expression);
    if (!ts.isStringLiteral(value) && !ts.isNoSubstitutionTemplateLiteral(value)) {
      ctx.report('SL030', 'symbolsNotList', el, []);
      continue;
    }
    const ticker = value.text;
    if (!TICKER.test(ticker)) {
      const upper = ticker.trim().toUpperCase().replace(/\//g, '-');
      const suggestion = TICKER.test(upper) ? upper : '';
      ctx.report('SL030', 'badTicker', value, [ticker, suggestion], [], suggestion ? { at: literalContent(value, ctx.file), replacement: suggestion } : undefined);
    } else if (seen.has(ticker)) ctx.report('SL030', 'duplicateTicker', value, [ticker]);
    seen.add(ticker);
  }
}

function checkTimeframe(ctx: RuleContext, node: ts.Expression): void {
  const allowed = timeframes(ctx);
  const list = allowed.map((t) => `'${t}'`).join(', ');
  if (!ts.isStringLiteral(node) && !ts.isNoSubstitutionTemplateLiteral(node)) {
    return ctx.report('SL030', 'badTimeframe', node, [node.getText(ctx.file), list, '']);
  }
  if (allowed.includes(node.text)) return;
  const alias = TIMEFRAME_ALIASES[node.text] ?? TIMEFRAME_ALIASES[node.text.toLowerCase()];
  const suggestion = alias && allowed.includes(alias) ? alias : (allowed.find((t) => t === node.text.toLowerCase()) ?? '');
  ctx.report('SL030', 'badTimeframe', node, [node.text, list, suggestion], [], suggestion ? { at: literalContent(node, ctx.file), replacement: suggestion } : undefined);
}

function checkDate(ctx: RuleContext, field: string, node: ts.Expression): string | undefined {
  const text = ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) ? node.text : undefined;
  const m = text === undefined ? null : DATE.exec(text);
  const valid = m && (() => {
    const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  })();
  if (!valid) {
    ctx.report('SL030', 'badDate', node, [field, text ?? node.getText(ctx.file)]);
    return undefined;
  }
  return text;
}

/** Tickers the strategy trades in code (`this.buy('SPY')`, `bar.symbol === 'QQQ'`): what the config fix lists. */
export function symbolsInFile(file: ts.SourceFile): string[] {
  const found: string[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && TICKER.test(node.text) && /[A-Z]/.test(node.text) && !found.includes(node.text)) found.push(node.text);
  };
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.expression.kind === ts.SyntaxKind.ThisKeyword) {
      if (['buy', 'sell', 'close', 'position', 'positionInfo', 'openOrders'].includes(node.expression.name.text)) add(node.arguments[0]);
    }
    if (ts.isBinaryExpression(node) && ts.isPropertyAccessExpression(node.left) && node.left.name.text === 'symbol') add(node.right);
    if (ts.isBinaryExpression(node) && ts.isPropertyAccessExpression(node.right) && node.right.name.text === 'symbol') add(node.left);
    if (ts.isCaseClause(node)) add(node.expression);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}
