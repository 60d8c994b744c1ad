#!/usr/bin/env node
// Renders the results view, compare and the HTML export at 800, 1200 and 1600 px in light and dark themes
// into test-artifacts/webview/screens/ (headless Chromium; test/webview/screenshots.review.ts). Not part of
// `node scripts/test.mjs` (≈3–6 minutes on a busy 2-core machine): run it to review the look, e.g. after a
// change to media/.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const build = spawnSync(process.execPath, [resolve(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', resolve(root, 'test/webview/screenshots.review.ts')], { cwd: root, stdio: 'inherit' });
console.log(`Screenshots: ${resolve(root, 'test-artifacts/webview/screens')}`);
process.exit(r.status ?? 1);
