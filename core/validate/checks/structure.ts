import ts from 'typescript';
import { classAnchor, className, isAbstract, isStatic, memberName, ownAndLocalBaseMembers, type RuleContext } from '../context';
import { addMember, ensureSdkImport, insert, removeStatement, replace } from '../edits';
import type { QuickFix } from '../types';
import { closest } from './similar';
import { isBlankSource, strategySkeleton } from '../skeleton';

/** SL010–SL012: one default-exported class extending BaseStrategy. */
export function checkStrategyClass(ctx: RuleContext): void {
  const { file, shape } = ctx;
  const concrete = shape.strategyClasses.filter((c) => !isAbstract(c));
  if (!shape.defaultClass) {
    if (shape.defaultNonClass) {
      ctx.report('SL010', 'notAClass', shape.defaultNonClass, []);
    } else if (concrete.length) {
      const cls = concrete[0];
      const fixes: QuickFix[] = ts.isClassDeclaration(cls) && cls.name
        ? [{ title: `Export '${cls.name.text}' as the default`, edits: [exportDefaultEdit(file, cls)] }]
        : [];
      ctx.report('SL010', 'notDefault', classAnchor(cls, file), [className(cls)], fixes);
    } else {
      const firstLineEnd = file.text.indexOf('\n') < 0 ? file.text.length : file.text.indexOf('\n');
      const anchor = file.statements[0] ?? { start: 0, end: firstLineEnd };
      // An empty file (a new strategy): offer the whole skeleton.
      const fixes: QuickFix[] = isBlankSource(file.text) ? [{ title: 'Insert strategy skeleton', edits: [insert(file, file.text.length, strategySkeleton(file.fileName))] }] : [];
      ctx.report('SL010', 'none', 'kind' in anchor ? { start: anchor.getStart(file), end: Math.min(anchor.getEnd(), lineEnd(file, anchor.getStart(file))) } : anchor, [], fixes);
    }
  } else if (shape.separateDefaultExport) {
    const cls = shape.defaultClass;
    const statement = ts.isExportSpecifier(shape.separateDefaultExport) ? shape.separateDefaultExport.parent.parent : shape.separateDefaultExport;
    const fixes: QuickFix[] =
      ts.isClassDeclaration(cls) && cls.name && ts.isExportAssignment(statement)
        ? [{ title: `Write 'export default class ${cls.name.text}'`, edits: [exportDefaultEdit(file, cls), removeStatement(file, statement)] }]
        : [];
    ctx.report('SL010', 'separate', shape.separateDefaultExport, [className(cls)], fixes);
  }
  if (shape.defaultClass && !shape.main) {
    const cls = shape.defaultClass;
    ctx.report('SL011', 'notExtending', classAnchor(cls, file), [className(cls)], [{ title: 'Extend BaseStrategy', edits: extendBaseEdits(file, cls) }]);
  }
  const main = shape.main ?? concrete[0];
  for (const cls of concrete) {
    if (cls === main) continue;
    ctx.report('SL012', 'extra', classAnchor(cls, file), [className(cls), main ? className(main) : '']);
  }
}

function lineEnd(file: ts.SourceFile, pos: number): number {
  const nl = file.text.indexOf('\n', pos);
  return nl < 0 ? file.text.length : nl;
}

function exportDefaultEdit(file: ts.SourceFile, cls: ts.ClassDeclaration) {
  const exportKeyword = ts.getModifiers(cls)?.find((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  if (exportKeyword) return insert(file, exportKeyword.getEnd(), ' default');
  return insert(file, cls.getStart(file), 'export default ');
}

function extendBaseEdits(file: ts.SourceFile, cls: ts.ClassLikeDeclaration) {
  const heritage = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword);
  const edit = heritage
    ? replace(file, heritage.types[0].getStart(file), heritage.types[0].getEnd(), 'BaseStrategy')
    : insert(file, cls.name ? cls.name.getEnd() : classAnchor(cls, file).end, ' extends BaseStrategy');
  return [...ensureSdkImport(file, [{ name: 'BaseStrategy' }]), edit];
}

/** SL020: the engine calls `onBar(bar)` synchronously on an instance. */
export function checkOnBar(ctx: RuleContext): void {
  const { file, shape, checker } = ctx;
  const cls = shape.main;
  if (!cls) return;
  const members = ownAndLocalBaseMembers(cls, checker);
  const onBar = members.find((m) => memberName(m) === 'onBar');
  if (!onBar) {
    const stub = 'onBar(bar: Bar): void {\n  // Decide what to do on each new bar, e.g. this.buy(bar.symbol).\n}';
    ctx.report('SL020', 'missing', classAnchor(cls, file), [className(cls)], [
      { title: 'Add an onBar method', edits: [...ensureSdkImport(file, [{ name: 'Bar', typeOnly: true }]), addMember(file, cls, stub, 'last')] },
    ]);
    return;
  }
  const name = onBar.name!;
  if (isStatic(onBar)) return ctx.report('SL020', 'isStatic', name, []);
  let fn: ts.SignatureDeclaration | undefined;
  if (ts.isMethodDeclaration(onBar)) fn = onBar;
  else if (ts.isPropertyDeclaration(onBar) && onBar.initializer && (ts.isArrowFunction(onBar.initializer) || ts.isFunctionExpression(onBar.initializer))) fn = onBar.initializer;
  if (!fn) return ctx.report('SL020', 'notMethod', name, []);
  if (ts.getModifiers(fn as ts.MethodDeclaration)?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return ctx.report('SL020', 'isAsync', name, []);
  const required = fn.parameters.filter((p) => !p.questionToken && !p.initializer && !p.dotDotDotToken);
  if (required.length > 1) return ctx.report('SL020', 'parameters', { start: fn.parameters.pos, end: fn.parameters.end }, []);
  const param = fn.parameters[0];
  if (param?.type) {
    const barSymbol = ctx.sdkSymbol('Bar');
    const barType = barSymbol && checker.getDeclaredTypeOfSymbol(barSymbol);
    const paramType = checker.getTypeFromTypeNode(param.type);
    if (barType && !checker.isTypeAssignableTo(barType, paramType)) ctx.report('SL020', 'parameterType', param.type, [param.type.getText(file)]);
  }
}

const FOREIGN_NAMES: Record<string, string> = {
  ondata: 'onBar',
  on_data: 'onBar',
  ontick: 'onBar',
  oncandle: 'onBar',
  handle_data: 'onBar',
  handledata: 'onBar',
  initialize: 'onStart',
  oninit: 'onStart',
  onfinish: 'onEnd',
  onorderfilled: 'onFill',
  onorderevent: 'onFill',
  notify_order: 'onFill',
};

/** SL021: a method meant to be a lifecycle hook but misspelt, so never called. */
export function checkLifecycleNames(ctx: RuleContext): void {
  const { file, shape, checker } = ctx;
  const base = ctx.sdkSymbol('BaseStrategy');
  if (!base) return;
  const baseType = checker.getDeclaredTypeOfSymbol(base);
  // The lifecycle hooks are the SDK's `on…` members: one source of truth.
  const lifecycle = checker.getPropertiesOfType(baseType).map((p) => p.name).filter((n) => /^on[A-Z]/.test(n));
  for (const cls of shape.strategyClasses) {
    const names = new Set(cls.members.map((m) => memberName(m)));
    for (const member of cls.members) {
      const name = memberName(member);
      if (!name || !member.name || lifecycle.includes(name) || isStatic(member)) continue;
      if (!(ts.isMethodDeclaration(member) || ts.isPropertyDeclaration(member))) continue;
      const normalized = name.toLowerCase().replace(/_/g, '');
      let intended = lifecycle.find((l) => l.toLowerCase() === normalized || l.toLowerCase() === normalized.replace(/s$/, ''));
      let variant: 'typo' | 'foreign' = 'typo';
      if (!intended && normalized.length >= 4) intended = closest(normalized, lifecycle, (l) => l.toLowerCase(), 1);
      const foreign = FOREIGN_NAMES[name.toLowerCase()];
      if (!intended && foreign && !names.has(foreign)) {
        intended = foreign;
        variant = 'foreign';
      }
      if (!intended) continue;
      // Renaming onto an existing member would clash: then only the diagnostic is offered.
      const fixes = names.has(intended) ? [] : [{ title: `Rename '${name}' to '${intended}'`, edits: renameEdits(file, cls, member, name, intended) }];
      ctx.report('SL021', variant, member.name, [name, intended], fixes, fixes.length ? { at: member.name, replacement: intended } : undefined);
    }
  }
}

/** Renames the member and every `this.<name>` in its class. */
function renameEdits(file: ts.SourceFile, cls: ts.ClassLikeDeclaration, member: ts.ClassElement, from: string, to: string) {
  const edits = [replace(file, member.name!.getStart(file), member.name!.getEnd(), to)];
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword && node.name.text === from) {
      edits.push(replace(file, node.name.getStart(file), node.name.getEnd(), to));
    }
    ts.forEachChild(node, visit);
  };
  cls.members.forEach(visit);
  return edits;
}
