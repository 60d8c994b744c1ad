/**
 * Paper (and, when allowed, live) trading from the editor: *Start Paper Trading* (command and code lens),
 * *Stop Paper Trading* (the kill switch, also on the panel and the status bar), the live panel and the status
 * bar item. The session itself is core/paper's `launchSession`, the same one the CLI runs, in the extension
 * host; the strategy runs in the sandbox mode of the settings (docker or process). Keys come from the Alpaca
 * Secret Storage (*Set Alpaca Keys*), else the environment, and go only to launchSession (docs/paper.md,
 * "In VS Code"). Every message names the mode: [PAPER] or [LIVE].
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readAlpacaKeys } from '../core/data/alpaca';
import { runningOwner, waitUntilFinished, watchControl } from '../core/paper/control';
import { endpointsFromEnv } from '../core/paper/hosts';
import { readJournal, type JournalEntry } from '../core/paper/journal';
import type { LaunchOptions, launchSession } from '../core/paper/launch';
import type { PaperSession, SessionState } from '../core/paper/session';
import { defaultSessionId, listSessions, processAlive, readState, requestControl, sessionDir } from '../core/paper/sessionFiles';
import { feedOptionsFromSettings, guardLimitsFromSettings, liveConfirmationMessage, tradingModeFor } from '../core/paper/settings';
import { isFinished, modeLabel, paperView, statusBarText, type PaperView } from '../core/paper/view';
import { SandboxRunner } from '../core/sandbox/runner';
import { strategyReader } from './strategyReader';
import type { Timeframe } from '../core/sdk/types';
import type { FromPaperWebview } from '../media/paperProtocol';
import { SET_ALPACA_KEYS_COMMAND } from './alpacaKeys';
import type { Log } from './output';
import { PaperPanel } from './paperPanel';
import { readSandboxSettings, readSettings } from './settings';
import { editorColumn, locate, targetUri } from './workspace';

export const START_PAPER_COMMAND = 'strategyLab.startPaperTrading';
export const STOP_PAPER_COMMAND = 'strategyLab.stopPaperTrading';
export const SHOW_PAPER_COMMAND = 'strategyLab.showPaperTrading';

/** Strategy log lines kept for the panel. */
const MAX_STRATEGY_LOG = 200;

interface Running {
  id: string;
  dir: string;
  uri: vscode.Uri;
  file: string;
  mode: 'paper' | 'live';
  symbols: string[];
  session: PaperSession;
  runner: SandboxRunner | undefined;
  state: SessionState | undefined;
  strategyLog: string[];
  stopWatching: () => void;
}

/** A session another process runs (the CLI) or one that ended: shown from its files. */
interface OnDisk { id: string; dir: string; running: boolean }

/** What the integration tests read (StrategyLabApi.paper). */
export interface PaperApi {
  sessions(): { id: string; mode: 'PAPER' | 'LIVE'; inProcess: boolean; view: PaperView | undefined }[];
  statusBarText(): string | undefined;
  panel(id: string): { title: string; ready: boolean; sent: number; view: PaperView | undefined } | undefined;
}

export class PaperSessions implements vscode.Disposable {
  private readonly running = new Map<string, Running>();
  private readonly panels = new Map<string, PaperPanel>();
  /** Pollers of panels that show a session from its files. */
  private readonly pollers = new Map<string, ReturnType<typeof setInterval>>();
  private readonly status: vscode.StatusBarItem;

  constructor(private readonly context: vscode.ExtensionContext, private readonly log: Log) {
    this.status = vscode.window.createStatusBarItem('strategyLab.paper', vscode.StatusBarAlignment.Left, 99);
    this.status.name = 'Strategy Lab paper trading';
  }

  // ------------------------------------------------------------------ start

  /** The command and the code lens. Resolves with the session id once it is live (undefined when not started). */
  async start(arg: unknown, request: { live?: boolean } = {}): Promise<string | undefined> {
    const uri = targetUri(arg);
    if (!uri) {
      void vscode.window.showWarningMessage('Open a strategy file (a class that extends BaseStrategy) first, then Start Paper Trading.');
      return undefined;
    }
    const where = locate(uri, this.context.globalStorageUri);
    const source = (await vscode.workspace.openTextDocument(uri)).getText();
    const { readStrategyInfo } = await strategyReader();
    const info = readStrategyInfo(source, where.file);
    const symbols = info.config?.symbols;
    const timeframe = info.config?.timeframe as Timeframe | undefined;
    if (!symbols?.length || !timeframe) {
      void vscode.window.showErrorMessage(`Cannot paper trade ${where.file}: ${info.problem ?? 'no readable static config'}. Paper trading needs the strategy's symbols and timeframe as literals: \`static config = { symbols: ['SPY'], timeframe: '1d' }\`.`);
      return undefined;
    }
    const c = vscode.workspace.getConfiguration('strategyLab.paper', uri);
    const allowLive = c.get<boolean>('allowLive', false);
    let live = request.live;
    if (live === undefined && allowLive) {
      const pick = await vscode.window.showQuickPick([{ label: 'PAPER', description: 'paper account (no real money)', live: false }, { label: 'LIVE', description: 'real money — you confirm the account number next', live: true }], { title: `Trade ${info.className ?? where.file}` });
      if (!pick) return undefined;
      live = pick.live;
    }
    const gate = tradingModeFor(live === true, allowLive);
    if ('refused' in gate) {
      void this.settingsError(gate.refused, 'strategyLab.paper.allowLive');
      return undefined;
    }
    const mode = gate.mode;
    const tag = `[${modeLabel(mode)}]`;
    let limits: LaunchOptions['limits'];
    let feed: ReturnType<typeof feedOptionsFromSettings>;
    try {
      limits = guardLimitsFromSettings({ maxOrderNotional: c.get('maxOrderNotional'), maxPosition: c.get('maxPosition'), maxDailyLoss: c.get('maxDailyLoss'), maxOrdersPerMinute: c.get('maxOrdersPerMinute') });
      feed = feedOptionsFromSettings({ pollSeconds: c.get('pollSeconds'), warmupBars: c.get('warmupBars') });
    } catch (err) {
      void this.settingsError((err as Error).message, 'strategyLab.paper');
      return undefined;
    }
    const keys = await this.keys();
    if (!keys) return undefined;
    const id = defaultSessionId(where.file, mode);
    const dir = sessionDir(where.root, id);
    if (this.running.has(id)) {
      this.show(id);
      void vscode.window.showInformationMessage(`${tag} Session ${id} is already running: its panel is open.`);
      return id;
    }
    const owner = runningOwner(dir);
    if (owner !== undefined) {
      void vscode.window.showErrorMessage(`${tag} Session ${id} is already running in another process (pid ${owner}, e.g. \`strategy-lab paper\`). Stop it first (Strategy Lab: Stop Paper Trading) or watch it with Strategy Lab: Show Paper Trading.`);
      return undefined;
    }
    const sandboxMode = readSettings(uri).sandbox.mode;
    const runner = new SandboxRunner({
      ...readSandboxSettings(),
      poolSize: 0,
      runtimePath: vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'sandbox', 'runtime.js').fsPath,
      onProgress: (line) => this.log.info(`${tag} [sandbox] ${line}`),
    });
    const entry: Partial<Running> & { strategyLog: string[] } = { strategyLog: [] };
    const options: LaunchOptions = {
      file: where.file, source, symbols, timeframe, workspace: where.root, sessionId: id, mode, keys,
      endpoints: endpointsFromEnv(), limits, sandbox: sandboxMode, runner, warmupBars: feed.warmupBars, pollMs: feed.pollMs,
      onLog: (line) => this.log.info(`${tag} ${id}: ${line}`),
      onStrategyLog: (l) => {
        const line = `${l.time === null ? '' : `${new Date(l.time).toISOString().slice(0, 16)} `}${l.message}`;
        entry.strategyLog.push(line);
        if (entry.strategyLog.length > MAX_STRATEGY_LOG) entry.strategyLog.shift();
        this.log.info(`${tag} ${id} [strategy] ${line}`);
      },
      onState: (state) => {
        entry.state = state;
        if (this.running.get(id) === entry) this.publish(id);
      },
    };
    let launched: Awaited<ReturnType<typeof launchSession>> | undefined;
    try {
      launched = await this.launch(options, info.className ?? path.basename(where.file));
    } catch (err) {
      await runner.dispose();
      throw new Error(`${tag} ${(err as Error).message}`);
    }
    if (!launched) {
      await runner.dispose();
      return undefined;
    }
    const { session, account } = launched;
    Object.assign(entry, { id, dir, uri, file: where.file, mode, symbols, session, runner, state: session.snapshot() });
    const run = entry as Running;
    // `strategy-lab paper stop` in a terminal stops this session too: the same control file as the CLI's.
    run.stopWatching = watchControl(dir, Date.now(), (req) => {
      this.log.info(`${tag} ${id}: stop requested from outside (${req.flatten ? 'cancel orders, flatten' : 'cancel orders'})`);
      void session.kill('paper stop', req.flatten);
    });
    this.running.set(id, run);
    this.log.info(`${tag} ${mode === 'live' ? 'LIVE TRADING (real money)' : 'paper trading'} ${info.className ?? where.file} on account ${account}, session ${id}, strategy in the ${sandboxMode} sandbox.`);
    this.show(id);
    this.publish(id);
    void session.done.then(
      () => this.ended(run, undefined),
      (err: Error) => this.ended(run, err),
    );
    try {
      const { differences } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${tag} Starting ${id}: reconciling and warming up…` }, () => session.start());
      if (differences.length) void vscode.window.showWarningMessage(`${tag} ${id}: the journal and the account differ in ${differences.length} way(s) (see the panel). Trading continues; check them.`);
      void vscode.window.showInformationMessage(`${tag} ${id} is live on account ${account}: following ${symbols.join(', ')} ${timeframe} bars.`, 'Stop…').then((c) => { if (c) void this.stop(id); });
    } catch (err) {
      await session.stop(`failed to start: ${(err as Error).message}`).catch(() => {});
      throw new Error(`${tag} ${id} did not start: ${(err as Error).message}`);
    }
    return id;
  }

  /** launchSession, with the live confirmation: a modal naming the account, then the number typed back (launch's own check). */
  private async launch(options: LaunchOptions, strategy: string): Promise<Awaited<ReturnType<typeof launchSession>> | undefined> {
    // Loaded on first use: the Alpaca client and the session code stay out of activation (issue #15's budget).
    const { launchSession, LiveConfirmationError } = await import('../core/paper/launch');
    try {
      return await launchSession(options);
    } catch (err) {
      if (!(err instanceof LiveConfirmationError) || !err.account || options.confirmAccount !== undefined) throw err;
      const message = liveConfirmationMessage(err.account, strategy);
      const go = await vscode.window.showWarningMessage(`[LIVE] ${message}`, { modal: true }, 'Type the account number…');
      if (!go) return undefined;
      const typed = await vscode.window.showInputBox({ title: '[LIVE] Confirm the account', prompt: message, ignoreFocusOut: true });
      if (!typed) return undefined;
      return launchSession({ ...options, confirmAccount: typed });
    }
  }

  /** Keys from Secret Storage, else the environment; missing: offer Set Alpaca Keys once. */
  private async keys(): Promise<{ keyId: string; secretKey: string } | undefined> {
    const read = async () => (await readAlpacaKeys(this.context.secrets)) ?? fromEnv();
    const found = await read();
    if (found) return found;
    const choice = await vscode.window.showWarningMessage('Paper trading needs Alpaca keys (a free paper account has them). They are kept in VS Code Secret Storage.', 'Set Alpaca Keys');
    if (!choice) return undefined;
    await vscode.commands.executeCommand(SET_ALPACA_KEYS_COMMAND);
    return read();
  }

  private async settingsError(message: string, setting: string): Promise<void> {
    const c = await vscode.window.showErrorMessage(`Strategy Lab: ${message}`, 'Open Settings');
    if (c) await vscode.commands.executeCommand('workbench.action.openSettings', setting);
  }

  private async ended(run: Running, err: Error | undefined): Promise<void> {
    run.stopWatching();
    if (this.running.get(run.id) === run) this.running.delete(run.id);
    await run.runner?.dispose().catch(() => {});
    run.state = run.session.snapshot();
    this.publishView(run.id, this.viewOf(run, false));
    this.updateStatus();
    const tag = `[${modeLabel(run.mode)}]`;
    if (err) void vscode.window.showErrorMessage(`${tag} Session ${run.id} failed: ${err.message}. Open orders were cancelled; the journal is in ${run.dir}.`);
    else void vscode.window.showInformationMessage(`${tag} Session ${run.id} ${run.state.status}.`);
  }

  // ------------------------------------------------------------------ stop

  /** The kill switch: stop feeding, cancel the session's open orders, optionally flatten (as `strategy-lab paper stop`). */
  async stop(sessionId?: unknown, request: { flatten?: boolean } = {}): Promise<boolean> {
    const candidates = [...this.running.values()].map((r) => ({ id: r.id, mode: r.mode, dir: r.dir, own: r as Running | undefined }))
      .concat(this.onDisk().filter((d) => d.running && !this.running.has(d.id)).map((d) => ({ id: d.id, mode: readState(d.dir)?.mode ?? 'paper', dir: d.dir, own: undefined })));
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage('No paper trading session is running.');
      return false;
    }
    let target = typeof sessionId === 'string' ? candidates.find((s) => s.id === sessionId) : candidates.length === 1 ? candidates[0] : undefined;
    if (!target && typeof sessionId === 'string') {
      void vscode.window.showWarningMessage(`No running paper session '${sessionId}'.`);
      return false;
    }
    if (!target) {
      const pick = await vscode.window.showQuickPick(candidates.map((s) => ({ label: `[${modeLabel(s.mode)}] ${s.id}`, description: s.own ? 'in VS Code' : 'in another process', s })), { title: 'Stop which paper session?' });
      if (!pick) return false;
      target = pick.s;
    }
    const tag = `[${modeLabel(target.mode)}]`;
    let flatten = request.flatten;
    if (flatten === undefined) {
      const pick = await vscode.window.showQuickPick([
        { label: 'Stop', description: 'cancel open orders, keep positions', flatten: false },
        { label: 'Stop & flatten positions', description: "also close the strategy's positions at market", flatten: true },
      ], { title: `${tag} Stop ${target.id}: flatten positions?` });
      if (!pick) return false;
      flatten = pick.flatten;
    }
    if (target.own) {
      await target.own.session.kill('VS Code kill switch', flatten);
      return true;
    }
    requestControl(target.dir, { action: 'kill', flatten });
    const st = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${tag} Stopping ${target.id}…` }, () => waitUntilFinished(target!.dir));
    if (!st) void vscode.window.showWarningMessage(`${tag} Session ${target.id} did not confirm within 15 s; check \`strategy-lab paper status\`.`);
    return st !== undefined;
  }

  // ------------------------------------------------------------------ panel, status bar

  /** Opens (or reveals) the panel of a session: a running one of VS Code, or one from its files (CLI, ended). */
  show(sessionId?: unknown): void {
    const id = typeof sessionId === 'string' ? sessionId : [...this.running.keys()].at(-1) ?? this.onDisk().find((d) => d.running)?.id;
    if (!id) {
      void this.pickAndShow();
      return;
    }
    const open = this.panels.get(id);
    if (open && !open.disposed) {
      open.reveal();
      return;
    }
    const own = this.running.get(id);
    const disk = own ? undefined : this.onDisk().find((d) => d.id === id);
    if (!own && !disk) {
      void vscode.window.showWarningMessage(`No paper session '${id}' in this workspace.`);
      return;
    }
    const panel = new PaperPanel(this.context.extensionUri, id, own ? this.viewOf(own, true) : this.diskView(disk!), (m) => void this.onPanelMessage(id, m), () => {
      this.panels.delete(id);
      const poll = this.pollers.get(id);
      if (poll) clearInterval(poll);
      this.pollers.delete(id);
    });
    this.panels.set(id, panel);
    if (disk) {
      // Another process writes state.json after every step: the panel follows it.
      let last = 0;
      this.pollers.set(id, setInterval(() => {
        const st = readState(disk.dir);
        if (!st || st.updatedAt === last) return;
        last = st.updatedAt;
        const view = this.diskView({ ...disk, running: processAlive(st.pid) && !isFinished(st.status) });
        if (view) panel.update(view);
      }, 1000));
    }
  }

  private async pickAndShow(): Promise<void> {
    const all = this.onDisk();
    if (all.length === 0) {
      void vscode.window.showInformationMessage('No paper sessions in this workspace yet: use the "Paper trade" code lens above a strategy class.');
      return;
    }
    const pick = await vscode.window.showQuickPick(all.map((d) => ({ label: d.id, description: d.running ? 'running' : readState(d.dir)?.status ?? 'no state', id: d.id })), { title: 'Show which paper session?' });
    if (pick) this.show(pick.id);
  }

  private async onPanelMessage(id: string, m: FromPaperWebview): Promise<void> {
    try {
      if (m.type === 'stop') await this.stop(id, { flatten: m.flatten });
      else if (m.type === 'openFile') {
        const r = this.running.get(id);
        if (r) await vscode.window.showTextDocument(r.uri, { viewColumn: editorColumn() });
      }
    } catch (err) {
      this.log.error(`Paper panel action ${m.type} failed`, err);
      void vscode.window.showErrorMessage(`Strategy Lab: ${(err as Error).message}`);
    }
  }

  private viewOf(r: Running, running: boolean): PaperView | undefined {
    if (!r.state) return undefined;
    return paperView({ ...r.state, file: r.file }, r.session.journal.entries, running, r.strategyLog);
  }

  private diskView(d: OnDisk): PaperView | undefined {
    const st = readState(d.dir);
    if (!st) return undefined;
    let entries: JournalEntry[] = [];
    try {
      entries = readJournal(path.join(d.dir, 'journal.jsonl'));
    } catch (err) {
      this.log.warn(`Paper session ${d.id}: ${(err as Error).message}`);
    }
    return paperView(st, entries, d.running);
  }

  private publish(id: string): void {
    const r = this.running.get(id);
    if (!r) return;
    const view = this.viewOf(r, true);
    if (view) this.publishView(id, view);
    this.updateStatus();
  }

  private publishView(id: string, view: PaperView | undefined): void {
    if (view) this.panels.get(id)?.update(view);
  }

  private updateStatus(): void {
    const list = [...this.running.values()];
    const r = list.at(-1);
    const view = r && this.viewOf(r, true);
    if (!r || !view) {
      this.status.hide();
      return;
    }
    this.status.text = `${statusBarText(view, r.symbols)}${list.length > 1 ? ` +${list.length - 1}` : ''}`;
    this.status.tooltip = `${view.mode} trading session ${r.id} (${view.status}). Click to open its panel; Strategy Lab: Stop Paper Trading stops it.`;
    this.status.command = { title: 'Show paper trading', command: SHOW_PAPER_COMMAND, arguments: [r.id] };
    this.status.backgroundColor = view.mode === 'LIVE' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.status.show();
  }

  private onDisk(): OnDisk[] {
    const roots = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath).concat(this.context.globalStorageUri.fsPath);
    return roots.flatMap((root) => listSessions(root).map((s) => ({ id: s.id, dir: s.dir, running: s.running || this.running.has(s.id) })));
  }

  api(): PaperApi {
    return {
      sessions: () => [...this.running.values()].map((r) => ({ id: r.id, mode: modeLabel(r.mode), inProcess: true, view: this.viewOf(r, true) }))
        .concat(this.onDisk().filter((d) => !this.running.has(d.id)).map((d) => { const v = this.diskView(d); return { id: d.id, mode: v?.mode ?? 'PAPER', inProcess: false, view: v }; })),
      statusBarText: () => (this.running.size ? this.status.text : undefined),
      panel: (id) => {
        const p = this.panels.get(id);
        return p && !p.disposed ? { title: p.panelTitle, ready: p.isReady, sent: p.sent, view: p.lastView } : undefined;
      },
    };
  }

  /** Deactivation: every session of this window stops cleanly (as Ctrl-C in the CLI: the journal ends with `stop`). */
  async shutdown(): Promise<void> {
    await Promise.all([...this.running.values()].map(async (r) => {
      r.stopWatching();
      await r.session.stop('VS Code closed').catch(() => {});
      await r.runner?.dispose().catch(() => {});
    }));
    this.running.clear();
  }

  dispose(): void {
    for (const p of this.panels.values()) p.dispose();
    for (const t of this.pollers.values()) clearInterval(t);
    this.status.dispose();
    void this.shutdown();
  }
}

function fromEnv(): { keyId: string; secretKey: string } | undefined {
  const keyId = process.env.APCA_API_KEY_ID?.trim();
  const secretKey = process.env.APCA_API_SECRET_KEY?.trim();
  return keyId && secretKey ? { keyId, secretKey } : undefined;
}
