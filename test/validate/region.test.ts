/** Region-first validation (core/validate/region.ts): the quick result a long file gets before its complete check. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import ts from 'typescript';
import { StrategyValidator, type StrategyDiagnostic, type ValidationResult } from '../../core/validate/index';
import { carryOver, supportsRegionCheck, textChange } from '../../core/validate/region';
import { longStrategy } from '../helpers/longStrategy';

test('textChange: the one span covering every difference, in both texts', () => {
  assert.equal(textChange('abc', 'abc'), undefined);
  assert.deepEqual(textChange('let x = 10;', 'let x = 120;'), { start: 9, oldEnd: 9, newEnd: 10 });
  assert.deepEqual(textChange('a = 1 + 2', 'a = 2'), { start: 4, oldEnd: 8, newEnd: 4 });
  assert.deepEqual(textChange('xyz', ''), { start: 0, oldEnd: 3, newEnd: 0 });
  // Two edits far apart make one span from the first to the last.
  assert.deepEqual(textChange('A....B', 'a....b'), { start: 0, oldEnd: 6, newEnd: 6 });
});

test('carryOver keeps diagnostics before the change, moves those after it, drops those touching it or re-checked', () => {
  const after = 'line0\nline1 inserted\nline2\nline3\n';
  const file = ts.createSourceFile('/x.ts', after, ts.ScriptTarget.ES2022, true);
  // Before: 'line0\nline1\nline2\nline3\n' — ' inserted' (9 chars) added at offset 11.
  const change = textChange('line0\nline1\nline2\nline3\n', after)!;
  assert.deepEqual(change, { start: 11, oldEnd: 11, newEnd: 20 });
  const d = (start: number, length: number, message: string): StrategyDiagnostic => ({
    code: 'SL002', severity: 'error', message, start, length, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, fixes: [],
  });
  const previous = [d(0, 5, 'before'), d(8, 5, 'touches'), d(12, 5, 'after'), d(18, 5, 'after, re-checked')];
  const kept = carryOver(previous, change, [{ start: 27, length: 6 }], file);
  assert.deepEqual(kept.map((k) => [k.message, k.start, k.range.start.line, k.range.start.character]), [
    ['before', 0, 0, 0],
    ['after', 21, 2, 0],
  ]);
  assert.equal(after.slice(21, 26), 'line2', 'the moved diagnostic still covers the same text');
});

test('the TypeScript we ship offers region checks (an upgrade that drops them fails here, not silently in the editor)', () => {
  assert.ok(supportsRegionCheck(new StrategyValidator().project.service));
});


async function validateEdit(validator: StrategyValidator, fileName: string, previous: { text: string; result: ValidationResult }, text: string) {
  const partials: ValidationResult[] = [];
  const result = await validator.validateAsync(fileName, { isCancellationRequested: false }, text, { previous, onPartial: (p) => partials.push(p) });
  return { partials, result };
}

test('after an edit the quick result has the edited region\'s new error and the earlier errors moved with the text; the complete one equals a fresh validation', async () => {
  const validator = new StrategyValidator();
  const fileName = '/work/long.strategy.ts';
  const base = longStrategy(60);
  const first = validator.validate(fileName, base);
  const helper0Error = first.diagnostics.filter((d) => d.code === 'SL002');
  assert.equal(helper0Error.length, 1, JSON.stringify(first.diagnostics));
  assert.match(helper0Error[0].message, /'number' is not assignable to type 'string'/);

  // Break helper40 (a number compared with a string) and lengthen helper20 so text after it moves.
  const edited = base
    .replace('const limit = 40; return bar.close > limit;', "const limit = 40; return bar.close > 'limit';")
    .replace('const limit = 20;', 'const limit = 20 + 0;');
  const { partials, result } = await validateEdit(validator, fileName, { text: base, result: first }, edited);
  assert.equal(partials.length, 1, 'one quick result before the complete one');
  const quick = partials[0];
  assert.equal(quick.partial, true);
  assert.equal(result.partial, undefined, 'the complete result is not marked partial');

  const errorsOf = (r: ValidationResult) => r.diagnostics.filter((d) => d.code === 'SL002').map((d) => `${d.range.start.line}:${d.range.start.character} ${d.message}`);
  const fresh = new StrategyValidator().validate('/work/fresh.strategy.ts', edited);
  assert.deepEqual(errorsOf(result), errorsOf(fresh));
  assert.equal(errorsOf(fresh).length, 2, 'helper0 and helper40');
  // The quick result: the helper0 error carried over (before the change), the helper40 error found by the region check.
  assert.deepEqual(errorsOf(quick), errorsOf(fresh));
  const covered = quick.diagnostics.filter((d) => d.code === 'SL002').map((d) => edited.slice(d.start, d.start + d.length));
  assert.deepEqual(covered, ['s', "bar.close > 'limit'"], 'each quick error covers the text it is about');
});

test('an error elsewhere that the edit moves keeps pointing at its text; one inside the edited region disappears when fixed', async () => {
  const validator = new StrategyValidator();
  const fileName = '/work/long2.strategy.ts';
  const base = longStrategy(60).replace('const limit = 50; return bar.close > limit;', "const limit = 50; return bar.close > 'x';");
  const first = validator.validate(fileName, base);
  assert.equal(first.diagnostics.filter((d) => d.code === 'SL002').length, 2);
  // Fix helper0's error with an edit that also shifts the later error by 6 characters.
  const edited = base.replace('const s: string = bar.close;', 'const s: string = String(bar.close);');
  const { partials } = await validateEdit(validator, fileName, { text: base, result: first }, edited);
  assert.equal(partials.length, 1);
  const left = partials[0].diagnostics.filter((d) => d.code === 'SL002');
  assert.equal(left.length, 1, JSON.stringify(left));
  assert.equal(edited.slice(left[0].start, left[0].start + left[0].length), "bar.close > 'x'", 'the carried-over error still covers its text');
});

test('no quick result without a previous complete result, for an unchanged text, or while the file does not parse', async () => {
  const validator = new StrategyValidator();
  const fileName = '/work/long3.strategy.ts';
  const base = longStrategy(40);
  const partials: ValidationResult[] = [];
  const onPartial = (p: ValidationResult) => partials.push(p);
  const token = { isCancellationRequested: false };
  const first = await validator.validateAsync(fileName, token, base, { onPartial });
  await validator.validateAsync(fileName, token, base, { previous: { text: base, result: first }, onPartial });
  const broken = base.replace('onBar(bar: Bar): void {', 'onBar(bar: Bar): void {{');
  const result = await validator.validateAsync(fileName, token, broken, { previous: { text: base, result: first }, onPartial });
  assert.equal(partials.length, 0);
  assert.ok(result.diagnostics.some((d) => d.code === 'SL001'));
});
