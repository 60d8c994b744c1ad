import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './helpers/paths';

// Three programs: node code, and the two that run in a browser (the webview UI and the code the webview
// tests evaluate in the page), so DOM types never leak into node code.
for (const project of ['tsconfig.json', 'media/tsconfig.json', 'test/webview/tsconfig.json']) {
  test(`${project} type-checks (tsc --noEmit)`, () => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', join(repoRoot, project), '--noEmit'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `tsc reported errors:\n${r.stdout}${r.stderr}`);
  });
}
