import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { runValidateCommand } from '../../core/cli/commands/validate';

const fixtures = resolve(__dirname, '..', 'fixtures', 'validate');

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runValidateCommand(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

test('validate: a clean file exits 0 and says so', async () => {
  const { code, stdout } = await run([resolve(fixtures, 'SL030.pass.strategy.ts')]);
  assert.equal(code, 0);
  assert.match(stdout, /SL030\.pass\.strategy\.ts: no problems\./);
});

test('validate: errors exit 1, one line per diagnostic with file:line:column', async () => {
  const file = resolve(fixtures, 'SL030.fail.strategy.ts');
  const { code, stdout } = await run([file]);
  assert.equal(code, 1);
  assert.match(stdout, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:6:16 error SL030 Unknown timeframe 'daily'`));
  assert.match(stdout, /5 errors, 0 warnings\.\n$/);
});

test('validate: warnings alone exit 0', async () => {
  const { code, stdout } = await run([resolve(fixtures, 'SL042.fail.strategy.ts')]);
  assert.equal(code, 0);
  assert.match(stdout, /0 errors, 3 warnings/);
});

test('validate --json: machine-readable report', async () => {
  const { code, stdout } = await run([resolve(fixtures, 'SL040.fail.strategy.ts'), '--json']);
  assert.equal(code, 1);
  const report = JSON.parse(stdout);
  assert.equal(report.ok, false);
  assert.equal(report.errors, 2);
  assert.deepEqual(report.diagnostics.map((d: { code: string; line: number; column: number }) => [d.code, d.line, d.column]), [
    ['SL040', 2, 21],
    ['SL040', 3, 24],
  ]);
  assert.equal(report.diagnostics[0].title, 'Import outside the SDK');
  assert.deepEqual(report.diagnostics[0].fixes, ["Remove the import of 'technicalindicators'"]);
});

test('validate: usage errors and unreadable files exit 2 with what to do', async () => {
  const none = await run([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /usage: strategy-lab validate/);
  const unknown = await run(['--frobnicate', 'x.ts']);
  assert.equal(unknown.code, 2);
  const missing = await run([resolve(fixtures, 'does-not-exist.strategy.ts')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /Cannot read .*does-not-exist\.strategy\.ts: ENOENT\. Check the path\./);
});
