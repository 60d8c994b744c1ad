/**
 * Paper trading's contributions (package.json) match the code: the commands are registered by the extension
 * and offered by the lens, and every `strategyLab.paper.*` setting is one the extension reads and maps onto a
 * CLI option (core/paper/settings.ts), with the CLI's default left in place when empty.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { LIMIT_SETTINGS } from '../../core/paper/settings';
import { repoRoot } from '../helpers/paths';

const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8'));
const read = (f: string) => readFileSync(resolve(repoRoot, f), 'utf8');

test('Start / Stop / Show Paper Trading are contributed under Strategy Lab, registered, and the lens starts a session', () => {
  const commands = pkg.contributes.commands as { command: string; title: string; category: string }[];
  for (const [id, title] of [['strategyLab.startPaperTrading', 'Start Paper Trading'], ['strategyLab.stopPaperTrading', 'Stop Paper Trading'], ['strategyLab.showPaperTrading', 'Show Paper Trading']]) {
    const c = commands.find((x) => x.command === id);
    assert.deepEqual(c && { title: c.title, category: c.category }, { title, category: 'Strategy Lab' }, id);
  }
  const sessions = read('client/paperSessions.ts');
  assert.match(sessions, /START_PAPER_COMMAND = 'strategyLab\.startPaperTrading'/);
  assert.match(sessions, /STOP_PAPER_COMMAND = 'strategyLab\.stopPaperTrading'/);
  assert.match(sessions, /SHOW_PAPER_COMMAND = 'strategyLab\.showPaperTrading'/);
  const ext = read('client/extension.ts');
  for (const c of ['START_PAPER_COMMAND', 'STOP_PAPER_COMMAND', 'SHOW_PAPER_COMMAND']) assert.match(ext, new RegExp(`command\\(${c},`), `${c} is registered`);
  assert.match(read('client/codeLens.ts'), /title: 'Paper trade', command: 'strategyLab\.startPaperTrading'/);
});

test('strategyLab.paper.* settings: live is off by default and machine-scoped; each guard/feed setting maps to a CLI flag and defaults to empty', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { type: unknown; default: unknown; scope?: string; markdownDescription: string }>;
  const paper = Object.keys(props).filter((k) => k.startsWith('strategyLab.paper.')).map((k) => k.slice('strategyLab.paper.'.length)).sort();
  assert.deepEqual(paper, ['allowLive', ...Object.keys(LIMIT_SETTINGS), 'pollSeconds', 'warmupBars'].sort());
  assert.equal(props['strategyLab.paper.allowLive'].default, false);
  assert.equal(props['strategyLab.paper.allowLive'].scope, 'machine', 'a workspace cannot turn live trading on');
  for (const [key, { flag }] of Object.entries(LIMIT_SETTINGS)) {
    const p = props[`strategyLab.paper.${key}`];
    assert.equal(p.default, null, `${key}: empty means the CLI's default`);
    assert.ok(p.markdownDescription.includes(flag), `${key} names ${flag}`);
  }
  const sessions = read('client/paperSessions.ts');
  for (const key of paper) assert.match(sessions, new RegExp(`'${key}'`), `client/paperSessions.ts reads ${key}`);
});
