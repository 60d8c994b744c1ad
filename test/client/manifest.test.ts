/**
 * The extension's onboarding contributions (package.json): the walkthrough's steps, their media and completion
 * events, the icon, and that all of it goes into the .vsix. The e2e suite checks VS Code lists the walkthrough.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../helpers/paths';

const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8'));
const contributed = new Set<string>(pkg.contributes.commands.map((c: { command: string }) => c.command));
/** Built-in commands the walkthrough's buttons may use. */
const BUILT_IN = new Set(['workbench.actions.view.problems']);

test('the walkthrough goes generate → validate → backtest → verdict, each step with markdown, a button and a completion event', () => {
  const [walkthrough] = pkg.contributes.walkthroughs;
  assert.equal(walkthrough.id, 'gettingStarted');
  assert.deepEqual(walkthrough.steps.map((s: { id: string }) => s.id), ['generate', 'validate', 'backtest', 'verdict']);
  for (const step of walkthrough.steps) {
    assert.ok(step.media?.markdown, `${step.id}: markdown media`);
    const md = readFileSync(resolve(repoRoot, step.media.markdown), 'utf8');
    assert.match(md, /^# /, `${step.id}: ${step.media.markdown} starts with a heading`);
    const buttons = [...step.description.matchAll(/\]\(command:([\w.]+)\)/g)].map((m) => m[1]);
    assert.ok(buttons.length > 0, `${step.id}: a button in the description`);
    for (const id of buttons) assert.ok(contributed.has(id) || BUILT_IN.has(id), `${step.id}: ${id} is a command that exists`);
    assert.ok(step.completionEvents?.length, `${step.id}: completes on something the user does`);
    for (const e of step.completionEvents) {
      const [kind, value] = e.split(':');
      assert.ok(['onCommand', 'onContext', 'onView', 'onSettingChanged', 'onLink'].includes(kind), e);
      if (kind === 'onCommand') assert.ok(contributed.has(value) || BUILT_IN.has(value), `${e}: a command that exists`);
    }
  }
  // The context the last step waits for is set by the extension.
  assert.match(readFileSync(resolve(repoRoot, 'client/extension.ts'), 'utf8'), /setContext', 'strategyLab\.hasResults', true/);
});

test('the walkthrough has a command of its own, offered in the Runs view and its welcome text', () => {
  assert.ok(contributed.has('strategyLab.gettingStarted'));
  assert.ok(pkg.contributes.menus['view/title'].some((m: { command: string }) => m.command === 'strategyLab.gettingStarted'));
  assert.match(pkg.contributes.viewsWelcome[0].contents, /command:strategyLab\.gettingStarted/);
});

test('the icon is a 128×128 PNG, and the icon and the walkthrough pages go into the .vsix', () => {
  const png = readFileSync(resolve(repoRoot, pkg.icon));
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [128, 128]);
  const ignore = readFileSync(resolve(repoRoot, '.vscodeignore'), 'utf8').split('\n');
  assert.ok(ignore.includes(`!${pkg.icon}`), '.vscodeignore keeps the icon');
  assert.ok(ignore.includes('!media/walkthrough/**'), '.vscodeignore keeps the walkthrough pages');
  for (const step of pkg.contributes.walkthroughs[0].steps) assert.ok(existsSync(resolve(repoRoot, step.media.markdown)));
});
