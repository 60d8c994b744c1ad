#!/usr/bin/env node
// Renders the results view, compare and the HTML export at 800, 1200 and 1600 px in light and dark themes
// into test-artifacts/webview/screens/ (headless Chromium; see test/webview/screenshots.test.ts).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const r = spawnSync(process.execPath, [resolve(root, 'scripts/test.mjs'), 'test/webview/screenshots.test.ts'], { cwd: root, stdio: 'inherit' });
console.log(`Screenshots: ${resolve(root, 'test-artifacts/webview/screens')}`);
process.exit(r.status ?? 1);
