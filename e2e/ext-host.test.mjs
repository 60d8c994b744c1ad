// Runs e2e/suite (bundled to $E2E_SUITE: the run() module @vscode/test-electron expects) inside the VS Code
// server's real Node extension host. The web workbench takes extensionDevelopmentPath/extensionTestsPath from
// its `payload` URL parameter (honoured with --enable-smoke-test-driver) and reports through
// window.codeAutomationExit(code) / window.codeAutomationLog(type, args).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, shot, workbenchUrl } from './browser.mjs';

const SUITE = process.env.E2E_SUITE;

test('extension integration suite passes in the real extension host (Docker sandbox backtest included)', { timeout: 540_000 }, async () => {
  assert.ok(SUITE, 'E2E_SUITE must point at the bundled suite (scripts/e2e.sh sets it)');
  const { page, close } = await launch();
  try {
    let done;
    const exited = new Promise((r) => { done = r; });
    const logs = [];
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      const line = `[${type}] ${(args ?? []).join(' ')}`;
      logs.push(line);
      if (/ok -|passed|failed|Error|run \d|cancelled \d|evaluation:|TypeScript on|activation:|results first:|idea → results:|paper:/.test(line)) console.log(line);
    });
    await page.exposeFunction('codeAutomationExit', (code) => done(code));
    await page.goto(workbenchUrl([['extensionTestsPath', SUITE]]));
    let timer;
    const code = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r('timeout'), 480_000); })]);
    clearTimeout(timer);
    await page.screenshot({ path: shot('ext-host.png') });
    assert.equal(code, 0, `extension tests exit code ${code}\n${logs.slice(-40).join('\n')}`);
  } finally { await close(); }
});
