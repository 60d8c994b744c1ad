/**
 * Strategy Lab's extension entry: wires commands, the code lens, the results
 * panels, the status bar and the output channel to the core modules.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { RunRecord } from '../core/history/types';
import { SET_ALPACA_KEYS_COMMAND, setAlpacaKeys } from './alpacaKeys';
import { BacktestController } from './backtest';
import { GENERATE_AND_REFINE_COMMAND, generateAndRefine } from './commands/generateAndRefine';
import { GENERATE_COMMAND, registerGenerateCommands } from './commands/generateStrategy';
import { publishEvaluationFindings, startLanguageClient } from './languageClient';
import { StrategyCodeLens } from './codeLens';
import { comparePick, exportRun, pickRun, type HistoryScope } from './history';
import { askRunOptions } from './options';
import { createLog, type Log } from './output';
import type { PanelTraceEntry, ResultsPanel } from './resultsPanel';
import { ResultsPanels, VIEW_TYPE } from './resultsPanels';
import { RunsView, type RunItem } from './runsView';
import { buildSandboxImage, clearDataCache, sandboxDoctor } from './sandboxCommands';
import { affectsSandbox } from './settings';
import { OPTIMIZE_COMMAND, SweepPanels } from './sweepPanel';
import { PaperSessions, SHOW_PAPER_COMMAND, START_PAPER_COMMAND, STOP_PAPER_COMMAND, type PaperApi } from './paperSessions';
import { editorColumn, targetUri } from './workspace';

let backtests: BacktestController | undefined;
let paperSessions: PaperSessions | undefined;

/** What activate() returns: used by the integration tests (and other extensions, read-only). */
export interface StrategyLabApi {
  /** The results panel's model when it shows (or runs) this strategy file; without a file, whatever it shows. */
  panelModel(file?: string): ResultsPanel['model'] | undefined;
  /** What the results panel was sent, oldest first (see PanelTraceEntry); empty when it is not open. */
  panelTrace(): readonly PanelTraceEntry[];
  /** Runs one of the results panel's actions as its button would (nothing when the panel is not open). */
  panelAction(message: { type: 'action'; action: string; runId?: string; line?: number; column?: number; setting?: string }): Promise<void>;
  /** True once the sandbox's warm pool has a container waiting. */
  sandboxWarm(): boolean;
  /** The Strategy Lab status bar item's text. */
  statusBarText(): string;
  /** Paper trading sessions, their panels and the status bar item (client/paperSessions.ts). */
  paper: PaperApi;
  /** Milliseconds activate() took, measured inside the extension host. */
  activationMs: number;
  /** Milliseconds from the first line of the bundle to the end of activate(): loading + activation (issue #15: ≤ 500 ms). */
  loadAndActivationMs: number | undefined;
}

export function activate(context: vscode.ExtensionContext): StrategyLabApi {
  const activationStarted = performance.now();
  const log = createLog();
  context.subscriptions.push(log.channel);
  log.info(`Strategy Lab ${context.extension.packageJSON.version} activating (VS Code ${vscode.version}).`);

  const panels = new ResultsPanels(context.extensionUri, (panel, message) => onPanelAction(panel, message));
  const controller = new BacktestController(context, panels, log);
  backtests = controller;
  context.subscriptions.push(panels, controller);

  const scopeFor = (uri?: vscode.Uri): HistoryScope | undefined => {
    const folder = (uri && vscode.workspace.getWorkspaceFolder(uri)) ?? (vscode.window.activeTextEditor && vscode.workspace.getWorkspaceFolder(vscode.window.activeTextEditor.document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
    const root = folder?.uri.fsPath ?? context.globalStorageUri.fsPath;
    return { root, store: controller.store(root) };
  };

  const lens = new StrategyCodeLens(async (doc) => {
    const where = controller.location(doc.uri);
    return (await controller.store(where.root).latestFor(where.file)) !== undefined;
  });
  // Results panels come back after a window reload, with the run they showed.
  context.subscriptions.push(vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
    deserializeWebviewPanel: async (panel, state) => {
      const restored = panels.restore(panel, state);
      const run = restored?.model.run;
      if (restored && run) restored.uri = fileUri(scopeFor()!, run.strategy.file);
      if (restored) void refreshRecent();
    },
  }));

  const runsView = new RunsView(log);
  context.subscriptions.push(
    vscode.languages.registerCodeLensProvider([{ language: 'typescript', scheme: 'file' }, { language: 'typescript', scheme: 'untitled' }], lens),
    vscode.window.registerTreeDataProvider('strategyLab.runs', runsView),
    controller.onDidSaveRun(() => { lens.refresh(); runsView.refresh(); void refreshRecent(); markHasResults(); }),
  );

  /** The run picker's rows: the newest runs of the workspace (every strategy), for the one results panel. */
  async function refreshRecent(): Promise<void> {
    const panel = panels.get();
    const scope = scopeFor(panel?.uri);
    if (!panel || !scope) return;
    try {
      const runs = (await scope.store.list()).runs.slice(0, RECENT_RUNS);
      panel.setRecent(runs.map((r) => ({ id: r.id, strategy: r.strategyName, file: r.file, createdAt: r.createdAt, returnPct: r.returnPct })));
    } catch (err) {
      log.warn(`The run picker could not read the run history: ${(err as Error).message}`);
    }
  }

  const showRun = (run: RunRecord, uri: vscode.Uri | undefined, compareWith: RunRecord | null = null) => {
    markHasResults();
    const panel = panels.open(compareWith ? `Compare: ${run.strategy.name}` : `Results: ${run.strategy.name}`);
    panel.showRun(run, compareWith);
    if (uri) panel.uri = uri;
    void refreshRecent();
    // An opened run's findings go back on the code too (Open Results, history, a restored panel's file).
    if (uri && !compareWith) void controller.sendFindings(uri, run);
  };

  const runFor = async (arg: unknown, withOptions: boolean) => {
    const uri = targetUri(arg);
    if (!uri) { void vscode.window.showWarningMessage('Open a strategy file (a class that extends BaseStrategy) first.'); return undefined; }
    const options = withOptions ? await askRunOptions(uri, context.workspaceState) : undefined;
    if (withOptions && !options) return undefined;
    return controller.run({ uri, options });
  };

  const openResults = async (arg: unknown) => {
    const uri = targetUri(arg);
    if (!uri) { void vscode.commands.executeCommand('strategyLab.showRunHistory'); return; }
    const where = controller.location(uri);
    const store = controller.store(where.root);
    const latest = await store.latestFor(where.file);
    if (!latest) { void vscode.window.showInformationMessage(`No runs of ${where.file} yet: click "▶ Backtest" above the class.`); return; }
    showRun(await store.load(latest.id), uri);
  };

  const loadRun = async (runId: string | undefined, scope: HistoryScope, title: string) => {
    if (runId) return scope.store.load(runId);
    const pick = await pickRun(scope, log, title);
    return pick ? scope.store.load(pick.id) : undefined;
  };

  const fileUri = (scope: HistoryScope, file: string) => vscode.Uri.joinPath(vscode.Uri.file(scope.root), ...file.split('/'));

  async function onPanelAction(panel: ResultsPanel, message: { action: string; runId?: string; line?: number; column?: number; setting?: string }): Promise<void> {
    const { action, runId } = message;
    const uri = panel.uri;
    const scope = scopeFor(uri)!;
    try {
      switch (action) {
        case 'openRun': if (runId) { const run = await scope.store.load(runId); showRun(run, fileUri(scope, run.strategy.file)); } break;
        // A finding's "line 21" in the panel: the strategy file at that line, in the editor group (not the panel's).
        case 'openLine': if (uri) await openAtLine(uri, message.line, message.column); break;
        case 'openSetting': {
          // The panel's error buttons send only the id: the setting is the one the error names.
          const setting = message.setting ?? panel.model.error?.actions?.find((a) => a.id === 'openSetting')?.setting ?? 'strategyLab';
          await vscode.commands.executeCommand('workbench.action.openSettings', setting);
          break;
        }
        case 'useProcessMode': if (uri) await useProcessMode(uri); break;
        case 'rerun': if (uri) await controller.run({ uri }); break;
        case 'rerunWithOptions': if (uri) await runFor(uri, true); break;
        case 'runProcessMode': if (uri) await controller.run({ uri, modeOverride: 'process' }); break;
        case 'exportCsv': case 'exportHtml': {
          const run = await loadRun(runId, scope, 'Export which run?');
          if (run) await exportRun(run, action === 'exportCsv' ? 'csv' : 'html', scope, context.extensionUri, log);
          break;
        }
        case 'history': await vscode.commands.executeCommand('strategyLab.showRunHistory'); break;
        case 'compare': {
          const a = runId ? await scope.store.load(runId) : undefined;
          const pair = await comparePick(scope, log, a);
          if (pair) showRun(pair[0], uri, pair[1]);
          break;
        }
        case 'openSource': if (uri) await openAtLine(uri, undefined); break;
        case 'sandboxDoctor': await vscode.commands.executeCommand('strategyLab.sandboxDoctor'); break;
        case 'buildImage': await vscode.commands.executeCommand('strategyLab.buildSandboxImage'); break;
        case 'showOutput': log.show(); break;
        case 'generateStrategy': await vscode.commands.executeCommand(GENERATE_COMMAND); break;
        default: log.warn(`Unknown panel action '${action}'.`);
      }
    } catch (err) {
      log.error(`Panel action ${action} failed`, err);
      void vscode.window.showErrorMessage(`Strategy Lab: ${(err as Error).message}`);
    }
  }

  const command = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try { return await fn(...args); } catch (err) {
      log.error(`Command ${id} failed`, err);
      void vscode.window.showErrorMessage(`Strategy Lab: ${(err as Error).message}`);
      return undefined;
    }
  }));

  /** At start-up the status bar shows the newest saved run of the workspace, if any. */
  async function showLatestRun(): Promise<void> {
    const scope = scopeFor();
    if (!scope || controller.running) return;
    const latest = (await scope.store.list()).runs[0];
    if (latest) markHasResults();
    if (latest && !controller.running) controller.showLastResult(latest, fileUri(scope, latest.file));
  }

  command('strategyLab.runBacktest', (arg) => runFor(arg, false));
  command('strategyLab.runBacktestWithOptions', (arg) => runFor(arg, true));
  command('strategyLab.openResults', (arg) => openResults(arg));
  command('strategyLab.openRun', async (uri, runId) => {
    const scope = scopeFor(uri as vscode.Uri)!;
    showRun(await scope.store.load(String(runId)), uri as vscode.Uri);
  });
  command('strategyLab.showRunHistory', async () => {
    const scope = scopeFor()!;
    const pick = await pickRun(scope, log, 'Strategy Lab run history (newest first)');
    if (pick) showRun(await scope.store.load(pick.id), fileUri(scope, pick.file));
  });
  command('strategyLab.compareRuns', async () => {
    const scope = scopeFor()!;
    const pair = await comparePick(scope, log);
    if (pair) showRun(pair[0], fileUri(scope, pair[0].strategy.file), pair[1]);
  });
  command('strategyLab.exportTradesCsv', async (runId) => {
    const scope = scopeFor()!;
    const run = await loadRun(typeof runId === 'string' ? runId : undefined, scope, 'Export the trades of which run?');
    return run ? exportRun(run, 'csv', scope, context.extensionUri, log) : undefined;
  });
  command('strategyLab.exportHtmlReport', async (runId) => {
    const scope = scopeFor()!;
    const run = await loadRun(typeof runId === 'string' ? runId : undefined, scope, 'Export the report of which run?');
    return run ? exportRun(run, 'html', scope, context.extensionUri, log) : undefined;
  });
  command('strategyLab.refreshRuns', () => runsView.refresh());
  // The walkthrough (package.json contributes.walkthroughs): generate → validate → backtest → read the verdict.
  command(GETTING_STARTED_COMMAND, () => vscode.commands.executeCommand('workbench.action.openWalkthrough', `${context.extension.id}#${WALKTHROUGH_ID}`, false));
  command('strategyLab.compareWithRun', async (item) => {
    const it = item as RunItem;
    const scope = { root: it.root, store: controller.store(it.root) };
    const pair = await comparePick(scope, log, await scope.store.load(it.run.id));
    if (pair) showRun(pair[0], fileUri(scope, pair[0].strategy.file), pair[1]);
  });
  command('strategyLab.exportRunCsv', async (item) => {
    const it = item as RunItem;
    const scope = { root: it.root, store: controller.store(it.root) };
    await exportRun(await scope.store.load(it.run.id), 'csv', scope, context.extensionUri, log);
  });
  command('strategyLab.exportRunHtml', async (item) => {
    const it = item as RunItem;
    const scope = { root: it.root, store: controller.store(it.root) };
    await exportRun(await scope.store.load(it.run.id), 'html', scope, context.extensionUri, log);
  });
  command('strategyLab.deleteRun', async (item) => {
    const it = item as RunItem;
    const answer = await vscode.window.showWarningMessage(`Delete the run of ${it.run.strategyName} from ${it.run.createdAt.slice(0, 16).replace('T', ' ')}?`, { modal: true }, 'Delete');
    if (answer !== 'Delete') return;
    await controller.store(it.root).delete(it.run.id);
    log.info(`Deleted run ${it.run.id}.`);
    runsView.refresh();
    lens.refresh();
  });
  command('strategyLab.cancelBacktest', () => controller.cancel());
  command('strategyLab.clearDataCache', () => clearDataCache(context.globalStorageUri, log));
  command('strategyLab.buildSandboxImage', () => buildSandboxImage(context.extensionUri, controller, log));
  command('strategyLab.sandboxDoctor', () => sandboxDoctor(context.extensionUri, log));
  command(SET_ALPACA_KEYS_COMMAND, () => setAlpacaKeys(context.secrets));
  const sweeps = new SweepPanels(context, controller, log);
  context.subscriptions.push(sweeps);
  command(OPTIMIZE_COMMAND, (arg) => sweeps.open(arg));
  const paper = new PaperSessions(context, log);
  paperSessions = paper;
  context.subscriptions.push(paper);
  command(START_PAPER_COMMAND, (arg, request) => paper.start(arg, (request ?? {}) as { live?: boolean }));
  command(STOP_PAPER_COMMAND, (sessionId, request) => paper.stop(sessionId, (request ?? {}) as { flatten?: boolean }));
  command(SHOW_PAPER_COMMAND, (sessionId) => paper.show(sessionId));
  command(GENERATE_AND_REFINE_COMMAND, (idea, iterations) => generateAndRefine({ context, controller, log }, idea, iterations));

  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration((e) => {
    if (affectsSandbox(e)) { log.info('Sandbox settings changed: the next run uses a new sandbox.'); void controller.resetSandbox(); }
  }));

  const languageClient = startCompanions(context, log);
  // Evaluator findings of each run go to the language server, which shows them on their lines.
  controller.publishFindings = async (params) => {
    const client = await languageClient;
    if (client) await publishEvaluationFindings(client, params);
  };
  controller.warmUp();
  showLatestRun().catch((err) => log.warn(`Could not read the run history: ${(err as Error).message}`));
  const activationMs = Math.round(performance.now() - activationStarted);
  const loadStart = (globalThis as { __strategyLabLoadStart?: number }).__strategyLabLoadStart;
  const loadAndActivationMs = loadStart === undefined ? undefined : Math.round(performance.now() - loadStart);
  log.info(`Strategy Lab ready: activate() ${activationMs} ms${loadAndActivationMs === undefined ? '' : `, bundle load + activate() ${loadAndActivationMs} ms`}.`);
  return {
    panelModel: (file) => {
      const panel = panels.get();
      return panel && (file === undefined || panel.file === file) ? panel.model : undefined;
    },
    panelTrace: () => [...(panels.get()?.trace ?? [])],
    panelAction: async (message) => { await panels.get()?.act(message); },
    sandboxWarm: () => controller.warm,
    statusBarText: () => controller.statusText,
    paper: paper.api(),
    activationMs,
    loadAndActivationMs,
  };
}

export const GETTING_STARTED_COMMAND = 'strategyLab.gettingStarted';
/** The walkthrough's id in package.json (VS Code addresses it as `<extension id>#<id>`). */
export const WALKTHROUGH_ID = 'gettingStarted';

/** The walkthrough's last step completes when there are results to read (`onContext:strategyLab.hasResults`). */
function markHasResults(): void {
  void vscode.commands.executeCommand('setContext', 'strategyLab.hasResults', true);
}

/** Rows in the results panel's run picker. */
const RECENT_RUNS = 30;

/** Opens a strategy file in the editor group (never inside the results panel's group), at a 1-based line if given. */
async function openAtLine(uri: vscode.Uri, line: number | undefined, column?: number): Promise<void> {
  const editor = await vscode.window.showTextDocument(uri, { viewColumn: editorColumn(), preview: false });
  if (line !== undefined && line >= 1) {
    const row = Math.min(line, editor.document.lineCount) - 1;
    const at = new vscode.Position(row, column !== undefined && column >= 1 ? Math.min(column - 1, editor.document.lineAt(row).text.length) : 0);
    editor.selection = new vscode.Selection(at, at);
    editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

/**
 * "Use process mode" on the Docker error: sets strategyLab.sandbox.mode to 'process' for this workspace (the
 * setting the error is about, so the choice is visible and reversible in Settings) and runs the strategy again.
 */
async function useProcessMode(uri: vscode.Uri): Promise<void> {
  await vscode.workspace.getConfiguration('strategyLab', uri).update('sandbox.mode', 'process', vscode.ConfigurationTarget.Workspace);
  void vscode.window.showInformationMessage('Strategy Lab now runs backtests in process mode in this workspace (a separate Node process: weaker isolation than Docker). Change it back under Settings › Strategy Lab › Sandbox: Mode.', 'Open Settings')
    .then((c) => { if (c) void vscode.commands.executeCommand('workbench.action.openSettings', 'strategyLab.sandbox.mode'); });
  await vscode.commands.executeCommand('strategyLab.runBacktest', uri);
}

/**
 * The language client (live validation, evaluator findings) and the generator commands live in their own modules.
 * Resolves to the started client, or undefined when it did not start.
 */
function startCompanions(context: vscode.ExtensionContext, log: Log): Promise<LanguageClient | undefined> {
  const client = startLanguageClient(context).then(
    (c) => { log.info('Language server started (live validation).'); return c; },
    (err) => { log.error('The language server did not start: strategies are not validated live', err); return undefined; },
  );
  try {
    registerGenerateCommands(context);
  } catch (err) {
    log.error('The Generate Strategy commands could not be registered', err);
  }
  return client;
}

export async function deactivate(): Promise<void> {
  // Paper sessions first: they stop cleanly (journal `stop`) before their sandboxes go away.
  await paperSessions?.shutdown();
  paperSessions = undefined;
  await backtests?.shutdown();
  backtests = undefined;
}
