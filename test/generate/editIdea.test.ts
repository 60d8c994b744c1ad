/**
 * VS Code's Generate Strategy on a refusal: the modal names what was not
 * understood and offers "Edit idea", which reopens the input box with the
 * idea kept; the edited idea is generated. Runs the real command module
 * against a small stand-in for the `vscode` API (recording what it is shown).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Module from 'node:module';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { withDir } from './generateCli';
import { readRequestFromSource } from '../../core/generate/index';

interface Shown {
  modals: { message: string; detail?: string; actions: string[] }[];
  inputs: { value?: string; title?: string; prompt?: string }[];
  infos: string[];
  opened?: { viewColumn?: number }[];
}

function fakeVscode(dir: string, shown: Shown, replies: { modal: (string | undefined)[]; input: (string | undefined)[] }) {
  const commands = new Map<string, (...args: unknown[]) => unknown>();
  class TabInputText {}
  const vscode = {
    TabInputText,
    ViewColumn: { One: 1 },
    ProgressLocation: { Notification: 15 },
    Uri: { file: (fsPath: string) => ({ fsPath }) },
    workspace: {
      workspaceFolders: [{ uri: { fsPath: dir } }],
      getConfiguration: () => ({ get: <T>(_key: string, fallback: T) => (_key === 'llm.provider' ? ('offline' as T) : fallback) }),
      asRelativePath: (uri: { fsPath: string }) => uri.fsPath.slice(dir.length + 1),
    },
    window: {
      showInputBox: async (options: { value?: string; title?: string; prompt?: string }) => {
        shown.inputs.push({ value: options.value, title: options.title, prompt: options.prompt });
        return replies.input.shift();
      },
      showErrorMessage: async (message: string, ...rest: unknown[]) => {
        const options = typeof rest[0] === 'object' && rest[0] !== null ? (rest.shift() as { detail?: string }) : {};
        shown.modals.push({ message, detail: options.detail, actions: rest as string[] });
        return replies.modal.shift();
      },
      showInformationMessage: async (message: string) => {
        shown.infos.push(message);
        return undefined;
      },
      showTextDocument: async (_uri: unknown, options?: { viewColumn?: number }) => { (shown.opened ??= []).push({ viewColumn: options?.viewColumn }); return undefined; },
      activeTextEditor: undefined,
      // Group 1 holds only the results webview (it had the focus); the strategy files are in group 2.
      tabGroups: { all: [{ viewColumn: 1, tabs: [{ input: { viewType: 'strategyLab.results' } }] }, { viewColumn: 2, tabs: [{ input: new TabInputText() }] }] },
      withProgress: async (_o: unknown, task: (p: { report: () => void }, t: { onCancellationRequested: () => void }) => Promise<unknown>) =>
        task({ report: () => {} }, { onCancellationRequested: () => {} }),
    },
    commands: {
      registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
        commands.set(id, fn);
        return { dispose: () => {} };
      },
      executeCommand: async () => undefined,
    },
  };
  return { vscode, commands };
}

/** Loads client/commands/generateStrategy.ts with `vscode` resolved to the stand-in. */
function loadCommand(vscode: object) {
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = (request: string, ...rest: unknown[]) => (request === 'vscode' ? vscode : original(request, ...rest));
  try {
    const path = require.resolve('../../client/commands/generateStrategy');
    delete require.cache[path];
    return require('../../client/commands/generateStrategy') as typeof import('../../client/commands/generateStrategy');
  } finally {
    loader._load = original;
  }
}

test('VS Code: a refusal offers "Edit idea", which reopens the input with the idea kept, and the edited idea is generated', () =>
  withDir(async (dir) => {
    const shown: Shown = { modals: [], inputs: [], infos: [] };
    const bad = 'Buy AAPL when RSI is low, sell when RSI rises above 70';
    const fixed = 'Buy AAPL when RSI drops below 30, sell when RSI rises above 70';
    const { vscode, commands } = fakeVscode(dir, shown, { modal: ['Edit idea'], input: [fixed] });
    const mod = loadCommand(vscode);
    mod.registerGenerateCommands({ subscriptions: [], secrets: { get: async () => undefined } } as never);
    await commands.get(mod.GENERATE_COMMAND)!(bad);

    assert.equal(shown.modals.length, 1);
    const modal = shown.modals[0];
    assert.deepEqual(modal.actions, [mod.EDIT_IDEA_ACTION]);
    assert.match(modal.detail!, /Did not understand:[\s\S]*"rsi is low" — did you mean "RSI is oversold"/);
    assert.match(modal.detail!, /Understood:[\s\S]*tickers AAPL[\s\S]*exit: rsi rises above 70/);
    assert.equal(shown.inputs.length, 1, 'the input box reopened');
    assert.equal(shown.inputs[0].value, bad, 'with the idea as the user wrote it');
    assert.match(shown.inputs[0].prompt!, /Not understood: "rsi is low" → try "RSI is oversold"/, 'and the generator\'s suggestions');
    assert.doesNotMatch(modal.detail!, /docs\/generate\.md/, 'no repository file in the editor\'s words');
    assert.deepEqual(shown.opened, [{ viewColumn: 2 }], 'the new file opens in the editor group, not in the results panel\'s');

    const files = await readdir(join(dir, 'strategies'));
    assert.equal(files.length, 1);
    assert.equal(readRequestFromSource(await readFile(join(dir, 'strategies', files[0]), 'utf8')), fixed, 'the edited idea was generated');
    assert.match(shown.infos[0], /Generated strategies\//);
  }));

test('VS Code: dismissing the refusal (or the reopened input) writes nothing', () =>
  withDir(async (dir) => {
    for (const replies of [{ modal: [undefined], input: [] }, { modal: ['Edit idea'], input: [undefined] }]) {
      const shown: Shown = { modals: [], inputs: [], infos: [] };
      const { vscode, commands } = fakeVscode(dir, shown, replies);
      const mod = loadCommand(vscode);
      mod.registerGenerateCommands({ subscriptions: [], secrets: { get: async () => undefined } } as never);
      await commands.get(mod.GENERATE_COMMAND)!('Buy AMZN when the moon is full');
      assert.equal(shown.modals.length, 1);
      await assert.rejects(readdir(join(dir, 'strategies')), 'no strategies folder: nothing written');
    }
  }));
