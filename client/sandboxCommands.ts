/** "Build Sandbox Image", "Sandbox Doctor" and "Clear Data Cache": thin VS Code wrappers over core/sandbox and core/data. */
import * as vscode from 'vscode';
import { BarCache } from '../core/data/cache';
import { assertDockerReachable, createDockerClient } from '../core/sandbox/docker-client';
import { formatDoctor, runDoctor, type DoctorCheck } from '../core/sandbox/doctor';
import { ensureImage } from '../core/sandbox/image';
import type { BacktestController } from './backtest';
import type { Log } from './output';
import { readSandboxSettings } from './settings';
import type { ExtensionSandboxSettings } from '../core/sandbox/settings';

function runtimePath(extensionUri: vscode.Uri): string {
  return vscode.Uri.joinPath(extensionUri, 'dist', 'sandbox', 'runtime.js').fsPath;
}

export async function buildSandboxImage(extensionUri: vscode.Uri, backtests: BacktestController, log: Log): Promise<void> {
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Strategy Lab: building the sandbox image', cancellable: false }, async (progress) => {
    try {
      const docker = readSandboxSettings().docker ?? {};
      const client = createDockerClient(docker);
      await assertDockerReachable(client, docker);
      const info = await ensureImage({
        docker: client, runtimePath: runtimePath(extensionUri), force: true,
        onProgress: (line) => { log.info(`[image] ${line}`); progress.report({ message: line.slice(0, 80) }); },
      });
      log.info(`Sandbox image ${info.tag} (${info.method}).`);
      await backtests.resetSandbox(); // the warm pool must use the new image
      void vscode.window.showInformationMessage(`Sandbox image ready: ${info.tag} (${info.method}).`);
    } catch (err) {
      log.error('Building the sandbox image failed', err);
      void vscode.window.showErrorMessage(`Building the sandbox image failed: ${(err as Error).message}`, 'Show output').then((c) => { if (c) log.show(); });
    }
  });
}

/** Runs every sandbox check, logs the report, and returns the checks (the e2e suite reads them). */
export async function sandboxDoctor(extensionUri: vscode.Uri, log: Log): Promise<DoctorCheck[]> {
  let s: ExtensionSandboxSettings;
  try {
    s = readSandboxSettings();
  } catch (err) {
    void vscode.window.showErrorMessage(`Sandbox doctor: ${(err as Error).message}`, 'Open Settings').then((c) => {
      if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'strategyLab.sandbox');
    });
    return [{ name: 'settings', ok: false, detail: (err as Error).message, fix: 'Correct the setting it names (Settings › Strategy Lab › Sandbox).' }];
  }
  const checks = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Strategy Lab: checking the sandbox…' }, () => runDoctor({
    docker: s.docker ?? {},
    ...(s.image ? { image: s.image } : {}),
    limits: s.limits,
    runtimePath: runtimePath(extensionUri),
  }));
  log.info(`Sandbox doctor (mode setting: ${s.mode}):\n${formatDoctor(checks)}`);
  log.show();
  const failed = checks.filter((c) => !c.ok);
  if (failed.length === 0) void vscode.window.showInformationMessage(`Sandbox doctor: all ${checks.length} checks passed.`);
  else void vscode.window.showWarningMessage(`Sandbox doctor: ${failed.length} of ${checks.length} checks failed (${failed.map((c) => c.name).join(', ')}). Details in the "Strategy Lab" output.`);
  return checks;
}

export async function clearDataCache(storage: vscode.Uri, log: Log): Promise<void> {
  const answer = await vscode.window.showWarningMessage('Delete all cached price data? It is downloaded again when needed.', { modal: true }, 'Delete');
  if (answer !== 'Delete') return;
  const removed = await new BarCache(vscode.Uri.joinPath(storage, 'data-cache').fsPath).clear();
  log.info(`Data cache cleared: ${removed} file(s) removed.`);
  void vscode.window.showInformationMessage(`Data cache cleared (${removed} file(s)).`);
}
