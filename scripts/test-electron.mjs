#!/usr/bin/env node
// The same extension suite as scripts/e2e.sh (e2e/suite/index.ts, a run() module), in desktop VS Code through
// @vscode/test-electron, for machines that can download VS Code (CI here cannot: it uses the VS Code server of
// code-server instead, see scripts/e2e.sh). Usage: npm run test:electron [-- --version 1.100.3]
// Needs a Docker engine for the sandbox backtest (scripts/setup-docker.sh on Linux) and a display (xvfb-run on
// a headless Linux machine).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, ensureDependencies, root } from './ensure.mjs';

const versionArg = process.argv.indexOf('--version');
const version = versionArg > 0 ? process.argv[versionArg + 1] : '1.100.3'; // not newer than @types/vscode allows

ensureDependencies();
build(true);
const scratch = mkdtempSync(join(tmpdir(), 'sl-electron-'));
const suite = join(scratch, 'suite', 'index.js');
const bundled = spawnSync(process.execPath, [join(root, 'e2e', 'build-suite.mjs'), suite], { stdio: 'inherit' });
if (bundled.status !== 0) process.exit(bundled.status ?? 1);
const workspace = join(scratch, 'ws');
cpSync(join(root, 'e2e', 'fixtures', 'ws'), workspace, { recursive: true });

const { runTests } = await import('@vscode/test-electron');
try {
  const code = await runTests({
    version,
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--skip-welcome', '--skip-release-notes', `--user-data-dir=${join(scratch, 'user')}`],
  });
  process.exit(code);
} catch (error) {
  console.error(`test-electron: ${error instanceof Error ? error.message : String(error)}`);
  console.error('It downloads VS Code first: on a machine without that access, run the same suite with bash scripts/e2e.sh.');
  process.exit(1);
}
