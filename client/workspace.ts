/** Where a strategy file's runs live, and how it is named in them. */
import * as path from 'node:path';
import * as vscode from 'vscode';

export interface StrategyLocation {
  uri: vscode.Uri;
  /** Folder holding `.strategy-lab/` (the workspace folder, or the extension's storage outside a workspace). */
  root: string;
  /** Path relative to root, forward slashes: the run history and the panels key on it. */
  file: string;
}

export function locate(uri: vscode.Uri, fallbackRoot: vscode.Uri): StrategyLocation {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder) return { uri, root: folder.uri.fsPath, file: path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep).join('/') };
  return { uri, root: fallbackRoot.fsPath, file: path.basename(uri.fsPath) };
}

/**
 * The strategy file a command is about: its argument, else the active editor, else a visible
 * TypeScript editor (the results panel beside it may have the focus).
 */
export function targetUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const isTs = (e: vscode.TextEditor | undefined) => !!e && /\.ts$/.test(e.document.fileName);
  const active = vscode.window.activeTextEditor;
  if (isTs(active)) return active!.document.uri;
  return vscode.window.visibleTextEditors.find(isTs)?.document.uri;
}

/**
 * The editor group for opening a file: the group of the active text editor, else the first group that holds a
 * text editor, else the first group. Never the results panel's group just because the panel had the focus.
 */
export function editorColumn(): vscode.ViewColumn {
  const active = vscode.window.activeTextEditor?.viewColumn;
  if (active) return active;
  const withText = vscode.window.tabGroups.all.find((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputText));
  return withText?.viewColumn ?? vscode.ViewColumn.One;
}
