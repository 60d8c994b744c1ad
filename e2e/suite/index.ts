/**
 * Integration suite inside a real VS Code extension host: the module @vscode/test-electron's
 * `extensionTestsPath` expects (it exports run()). scripts/e2e.sh runs it in the VS Code server of
 * code-server; `runTests({ extensionDevelopmentPath, extensionTestsPath })` runs it in desktop VS Code.
 * The workspace is e2e/fixtures/ws (a good and a broken strategy, sample data, Docker sandbox).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../../core/history/types';
import { LABEL_OWNER_PID, listSandboxContainers } from '../../core/sandbox/container';
import { createDockerClient } from '../../core/sandbox/docker-client';
import type { StrategyLabApi } from '../../client/extension';
import { FakeAlpaca, nyClose, nyOpen } from '../../test/paper/fakeAlpaca';

const EXTENSION_ID = 'strategy-lab.strategy-lab';
/**
 * Issue #15's targets are 500 ms (activation) and 1 s (results on a warm pool) on an idle machine. Speed goals are
 * checked by benchmarks, not by timed tests (a busy CI machine made these flaky): the suite prints both numbers, and
 * asserts what does not depend on the machine's load — the TypeScript compiler stays out of activation
 * (test/client/startupImports.test.ts) and the results are on screen before the evaluators finish.
 */
const RESULTS_VIEW = 'strategyLab.results';
/** Tabs of the results webview, in every group. */
const resultTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(RESULTS_VIEW)).map((t) => ({ tab: t, group: g })));

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function run(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the e2e workspace is open');
  const uri = (name: string) => vscode.Uri.joinPath(folder.uri, name);
  let passed = 0;
  const check = async (name: string, fn: () => Promise<void>) => {
    const t0 = Date.now();
    try {
      await fn();
      passed++;
      console.log(`ok - ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      console.error(`not ok - ${name}: ${(e as Error).stack ?? e}`);
      throw e;
    }
  };

  let api: StrategyLabApi | undefined;
  await check('the extension activates on a workspace with a strategy file', async () => {
    const ext = vscode.extensions.getExtension<StrategyLabApi>(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is installed`);
    api = await ext.activate();
    assert.ok(ext.isActive);
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['strategyLab.runBacktest', 'strategyLab.runBacktestWithOptions', 'strategyLab.openResults', 'strategyLab.showRunHistory', 'strategyLab.compareRuns', 'strategyLab.clearDataCache', 'strategyLab.buildSandboxImage', 'strategyLab.sandboxDoctor', 'strategyLab.generateStrategy', 'strategyLab.generateAndRefine', 'strategyLab.setApiKey', 'strategyLab.setAlpacaKeys']) {
      assert.ok(commands.includes(id), `command ${id} is registered`);
    }
    const refine = (ext.packageJSON.contributes.commands as { command: string; title: string; category: string }[]).find((c) => c.command === 'strategyLab.generateAndRefine');
    assert.deepEqual(refine && { title: refine.title, category: refine.category }, { title: 'Generate and Refine…', category: 'Strategy Lab' });
    assert.equal(vscode.workspace.getConfiguration('strategyLab').get('refine.iterations'), 3, 'strategyLab.refine.iterations defaults to 3');
    // Issue #15 target 4: activation ≤ 0.5 s. Measured inside this extension host: from the bundle's first line
    // (esbuild banner) to the end of activate(). Printed for the report (the bench's number; not timed here).
    console.log(`activation: bundle load + activate() ${api.loadAndActivationMs} ms (activate() alone ${api.activationMs} ms)`);
    assert.ok(api.loadAndActivationMs !== undefined, 'the bundle marks when it started loading');
  });

  await check('the walkthrough (generate → validate → backtest → verdict) is contributed and opens', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const walkthrough = (ext.packageJSON.contributes.walkthroughs as { id: string; steps: { id: string }[] }[])[0];
    assert.deepEqual(walkthrough.steps.map((s) => s.id), ['generate', 'validate', 'backtest', 'verdict']);
    // The command opens VS Code's walkthrough editor on it (a failure to find it would reject).
    await vscode.commands.executeCommand('strategyLab.gettingStarted');
    await waitFor('the walkthrough editor', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /Welcome|Walkthrough|Get started with Strategy Lab/i.test(t.label)), 20_000);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  await check('the language server publishes diagnostics for a broken strategy, none for a good one', async () => {
    const broken = await vscode.workspace.openTextDocument(uri('broken.strategy.ts'));
    await vscode.window.showTextDocument(broken);
    const ours = (u: vscode.Uri) => vscode.languages.getDiagnostics(u).filter((d) => d.source === 'strategy-lab');
    const found = await waitFor('strategy-lab diagnostics on broken.strategy.ts', () => (ours(broken.uri).length ? ours(broken.uri) : undefined));
    const error = found.find((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.ok(error, JSON.stringify(found.map((d) => d.message)));
    assert.equal(error.range.start.line, 7, `on the buy(...) line: ${error.message}`);
    const good = await vscode.workspace.openTextDocument(uri('rsi.strategy.ts'));
    await vscode.window.showTextDocument(good);
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(ours(good.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error).map((d) => d.message), []);
  });

  await check('VS Code\'s built-in TypeScript resolves strategy-lab (our tsserver plugin): no ts errors on a valid strategy', async () => {
    // TypeScript checks the files that have a tab: both get one (not a preview tab, which the next file would
    // replace). The broken one has a real type error, so a `ts` error on it means the TypeScript server has
    // checked the open files, the valid one included.
    const good = uri('rsi.strategy.ts');
    const broken = uri('broken.strategy.ts');
    await vscode.window.showTextDocument(broken, { preview: false, viewColumn: vscode.ViewColumn.One });
    await vscode.window.showTextDocument(good, { preview: false, viewColumn: vscode.ViewColumn.One });
    const tsDiags = (u: vscode.Uri) => vscode.languages.getDiagnostics(u).filter((d) => d.source === 'ts');
    const describe = (u: vscode.Uri) => JSON.stringify(vscode.languages.getDiagnostics(u).map((d) => `${d.source}: ${d.message.split('\n')[0]}`));
    const onBroken = await waitFor('TypeScript\'s errors on broken.strategy.ts', () => (tsDiags(broken).some((d) => d.severity === vscode.DiagnosticSeverity.Error) ? tsDiags(broken) : undefined), 120_000).catch((e: Error) => { throw new Error(`${e.message}; diagnostics now: broken ${describe(broken)}, rsi ${describe(good)}`); });
    assert.deepEqual(onBroken.filter((d) => /Cannot find module/.test(d.message)).map((d) => d.message), [], 'strategy-lab resolves in broken.strategy.ts');
    assert.ok(onBroken.some((d) => /not assignable/.test(d.message)), `the real type error (shares: 'ten') is reported: ${describe(broken)}`);
    // The hover comes from the TypeScript server: the SDK's class, not an unresolved `any`.
    const hoverAt = await vscode.workspace.openTextDocument(good);
    const offset = hoverAt.getText().indexOf('extends BaseStrategy') + 'extends '.length;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', good, hoverAt.positionAt(offset + 2));
    const hoverText = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
    assert.match(hoverText, /class BaseStrategy/, hoverText);
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(tsDiags(good).map((d) => `${d.range.start.line + 1}: ${d.message}`), [], 'no TypeScript diagnostics on the valid strategy');
    // our language server's diagnostics are still there next to TypeScript's
    assert.ok(vscode.languages.getDiagnostics(broken).some((d) => d.source === 'strategy-lab'));
    console.log(`TypeScript on broken.strategy.ts: ${onBroken.map((d) => d.message.split('\n')[0]).join(' | ')}`);
  });

  const lensTitles = async () => (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri('rsi.strategy.ts'))).map((l) => l.command?.title);
  await check('the code lens above the strategy class offers Backtest and Backtest with options', async () => {
    const titles = await lensTitles();
    assert.ok(titles.includes('▶ Backtest') && titles.includes('Backtest with options…'), JSON.stringify(titles));
  });

  let record: RunRecord | undefined;
  await check('Run Backtest runs in the Docker sandbox and saves the run; the results show before the evaluators, which count "n of N"', async () => {
    // A warm pool first (activation starts it): the ≤ 1 s target is on a warm pool.
    const warm = await waitFor('the warm sandbox', () => api?.sandboxWarm() || undefined, 120_000).then(() => true, () => false);
    const clicked = Date.now();
    record = await vscode.commands.executeCommand<RunRecord | undefined>('strategyLab.runBacktest', uri('rsi.strategy.ts'));
    assert.ok(record, 'the command returns the saved run (see the Strategy Lab output channel if not)');
    const trace = api!.panelTrace().filter((t) => t.at >= clicked);
    const first = trace.findIndex((t) => t.runId === record!.id);
    assert.ok(first >= 0, `the panel was sent the run: ${JSON.stringify(trace)}`);
    const shown = trace[first];
    assert.deepEqual([shown.state, shown.stage, shown.evaluated], ['running', 'evaluators', false], `results first: the run is on screen while the evaluators run: ${JSON.stringify(shown)}`);
    const steps = trace.slice(first).filter((t) => t.evaluators);
    assert.ok(steps.length > 0 && steps.every((t) => /^\d+ of \d+: /.test(t.evaluators!)), `evaluator progress counts n of N: ${JSON.stringify(steps.map((t) => t.evaluators))}`);
    assert.ok(steps.some((t) => /re-run \d+ of \d+/.test(t.evaluators!)), 'the re-runs are counted too');
    const done = trace.findIndex((t) => t.state === 'done' && t.runId === record!.id && t.evaluated);
    assert.ok(done > first, 'the evaluation fills in afterwards');
    const runningSince = trace.find((t) => t.type === 'running')!.at;
    console.log(`results first: metrics and charts ${shown.at - clicked} ms after the command (${shown.at - runningSince} ms after the panel said running), evaluation complete after ${trace[done].at - clicked} ms; ${steps.length} progress steps, last "${steps.at(-1)!.evaluators}"`);
    if (!warm) console.log('results first: the warm pool was not ready after 120 s, so the time above is a cold start');
    assert.equal(record.sandbox.mode, 'docker');
    const file = path.join(folder.uri.fsPath, '.strategy-lab', 'runs', `${record.id}.json`);
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as RunRecord;
    assert.equal(saved.strategy.name, 'E2eRsiReversion');
    assert.equal(saved.strategy.file, 'rsi.strategy.ts');
    assert.match(saved.strategy.source, /class E2eRsiReversion/);
    assert.equal(saved.data.source, 'sample');
    assert.equal(saved.data.start, '2018-01-02');
    assert.equal(saved.result.equity.length, saved.data.bars);
    assert.ok(saved.result.metrics.tradeCount > 0, 'the strategy trades on the sample');
    assert.equal(saved.result.trades.length, saved.result.metrics.tradeCount);
    assert.ok(saved.logs.some((l) => /buy signal: RSI/.test(l.message)), 'strategy log lines came back from the sandbox');
    // Issue #16: the strategy's indicator came back from the Docker sandbox for the price chart, one value per bar.
    const rsiPlot = saved.result.plots?.series.find((p) => p.indicator === 'RSI');
    assert.ok(rsiPlot, `the RSI is recorded for the chart: ${JSON.stringify(saved.result.plots?.series.map((p) => p.name))}`);
    assert.equal(rsiPlot.pane, 'oscillator');
    assert.equal(rsiPlot.lines[0].values.length, saved.data.bars);
    assert.ok(rsiPlot.lines[0].values.filter((v) => v !== null).every((v) => v! >= 0 && v! <= 100), 'RSI values lie in 0…100');
    assert.ok(saved.evaluation && saved.evaluation.evaluators.length >= 8, 'the evaluators ran after the backtest');
    assert.ok(saved.evaluation.evaluators.filter((e) => e.kind === 'llm').every((e) => e.status === 'skipped'), 'no API key here: LLM reviews are skipped, never faked');
    console.log(`evaluation: ${saved.evaluation.evaluators.map((e) => `${e.id}=${e.status}`).join(', ')}; verdict ${saved.evaluation.verdict?.label ?? "none"}`);
    console.log(`run ${saved.id}: ${saved.data.bars} bars, ${saved.result.metrics.tradeCount} trades, return ${saved.result.metrics.returnPct?.toFixed(2)} %, ${saved.sandbox.durationMs} ms in the sandbox`);
  });

  await check('the evaluator findings of that run show as diagnostics on their lines (source strategy-lab-evaluate)', async () => {
    assert.ok(record);
    assert.equal(record.strategy.request, 'Buy AAPL when RSI drops below 35, sell when it rises above 65', 'the request comes from the file\'s // Request: header');
    const findings = record.evaluation?.findings ?? [];
    // On the synthetic sample, with the workspace's tight robustness limit (.vscode/settings.json), moving period ±20 %
    // changes the Sharpe too much: robustness puts a finding on its params entry.
    const fragile = findings.find((f) => f.evaluator === 'robustness' && /^Fragile parameter: moving period/.test(f.message));
    assert.ok(fragile, `the saved run keeps the findings: ${JSON.stringify(findings)}`);
    const rsi = uri('rsi.strategy.ts');
    const ours = () => vscode.languages.getDiagnostics(rsi).filter((d) => d.source === 'strategy-lab-evaluate');
    const shown = await waitFor('the evaluator findings in the editor', () => (ours().length === findings.length ? ours() : undefined), 20_000)
      .catch((e: Error) => { throw new Error(`${e.message}; diagnostics now: ${JSON.stringify(vscode.languages.getDiagnostics(rsi).map((d) => `${d.source} ${d.range.start.line}: ${d.message}`))}`); });
    const key = (line: number, message: string) => `${line}: ${message}`;
    assert.deepEqual(shown.map((d) => key(d.range.start.line, d.message)).sort(), findings.map((f) => key(f.range.start.line, f.message)).sort());
    const onParams = shown.find((d) => d.message === fragile.message)!;
    assert.equal(onParams.range.start.line, 7, 'on the params line');
    assert.equal(onParams.severity, vscode.DiagnosticSeverity.Warning);
    const doc = await vscode.workspace.openTextDocument(rsi);
    assert.equal(doc.getText(onParams.range), 'period: 14', 'on the period entry');
    console.log(`evaluator findings in the editor: ${shown.map((d) => `line ${d.range.start.line + 1}: ${d.message}`).join(' | ')}`);
  });

  await check('Open Results puts the findings back on the code after an edit (and its undo) dropped them', async () => {
    const rsi = uri('rsi.strategy.ts');
    const ours = () => vscode.languages.getDiagnostics(rsi).filter((d) => d.source === 'strategy-lab-evaluate');
    const editor = await vscode.window.showTextDocument(rsi);
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(0, 0), ' ')));
    await waitFor('the findings dropped after the edit', () => (ours().length === 0 ? true : undefined), 10_000);
    await vscode.commands.executeCommand('undo');
    await waitFor('the undo', () => (editor.document.isDirty ? undefined : true), 5_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(ours().length, 0, 'the server forgot them with the edit');
    await vscode.commands.executeCommand('strategyLab.openResults', rsi);
    const back = await waitFor('the findings back on the code', () => (ours().length > 0 ? ours() : undefined), 10_000);
    assert.ok(back.some((d) => /^Fragile parameter: moving period/.test(d.message)));
  });

  await check('the results panel of the strategy shows that run', async () => {
    const model = await waitFor('the results panel model', () => api?.panelModel('rsi.strategy.ts'));
    assert.equal(model.run?.id, record?.id);
    assert.equal(model.status.state, 'done');
    assert.equal(model.error, null);
    assert.ok(model.logs.length > 0);
  });

  await check('after a run the code lens also offers Results', async () => {
    const titles = await waitFor('a Results lens', async () => { const t = await lensTitles(); return t.includes('Results') ? t : undefined; }, 10_000);
    assert.deepEqual(titles, ['▶ Backtest', 'Backtest with options…', 'Optimize Parameters…', 'Paper trade', 'Results']);
  });

  await check('a strategy that throws is reported, not saved, and the error sits on its source line until the next edit', async () => {
    const bad = uri('throws.strategy.ts');
    const source = fs.readFileSync(uri('rsi.strategy.ts').fsPath, 'utf8').replace('E2eRsiReversion', 'E2eThrows').replace('const value = ', 'if (bar.index === 30) throw new Error("deliberate failure at bar 30");\n    const value = ');
    const throwLine = source.slice(0, source.indexOf('throw new Error("deliberate')).split('\n').length - 1; // 0-based
    await vscode.workspace.fs.writeFile(bad, Buffer.from(source, 'utf8'));
    const before = fs.readdirSync(path.join(folder.uri.fsPath, '.strategy-lab', 'runs')).length;
    const result = await vscode.commands.executeCommand<RunRecord | undefined>('strategyLab.runBacktest', bad);
    assert.equal(result, undefined);
    const model = await waitFor('the error in the panel', () => api?.panelModel('throws.strategy.ts')?.error ?? undefined);
    assert.match(model.message, /deliberate failure at bar 30/);
    assert.equal(fs.readdirSync(path.join(folder.uri.fsPath, '.strategy-lab', 'runs')).length, before, 'nothing saved');
    // Issue #16: the runtime error as a diagnostic on the strategy's own line (mapped back from the sandbox's stack),
    // and the panel's error box knows the place (its link opens it).
    const runErrors = () => vscode.languages.getDiagnostics(bad).filter((d) => d.source === 'Strategy Lab (run)');
    const [diagnostic] = await waitFor('the run error on its line', () => (runErrors().length ? runErrors() : undefined), 20_000)
      .catch((e: Error) => { throw new Error(`${e.message}; diagnostics now: ${JSON.stringify(vscode.languages.getDiagnostics(bad).map((d) => `${d.source} ${d.range.start.line}: ${d.message}`))}`); });
    assert.equal(diagnostic.range.start.line, throwLine, `on the throw's line (${throwLine + 1}): ${diagnostic.message}`);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /deliberate failure at bar 30/);
    assert.equal(model.location?.line, throwLine + 1, `the panel's error box has the line: ${JSON.stringify(model.location)}`);
    assert.equal(model.location?.bar, 30);
    console.log(`run error on line ${throwLine + 1}: ${diagnostic.message}`);
    const editor = await vscode.window.showTextDocument(bad);
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(0, 0), ' ')));
    await waitFor('the run error cleared by the edit', () => (runErrors().length === 0 ? true : undefined), 10_000);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.workspace.fs.delete(bad);
  });

  await check('idea → results: Generate Strategy (offline generator), then ▶ Backtest on the new file, on a warm pool', async () => {
    // Issue #15 target 4: idea → results ≤ 5 s warm. Printed for the report, not timed (see the note at the top).
    const warm = await waitFor('the warm sandbox', () => api?.sandboxWarm() || undefined, 120_000).then(() => true, () => false);
    const dir = path.join(folder.uri.fsPath, 'strategies');
    const before = new Set(fs.existsSync(dir) ? fs.readdirSync(dir) : []);
    const started = Date.now();
    // The command ends with a "Run backtest" notification it waits on; the code lens's command is what a user clicks.
    void vscode.commands.executeCommand('strategyLab.generateStrategy', 'Buy SPY when the 20-day SMA crosses above the 50-day SMA, sell when it crosses below');
    const name = await waitFor('the generated strategy file', () => (fs.existsSync(dir) ? fs.readdirSync(dir).find((n) => !before.has(n) && n.endsWith('.strategy.ts')) : undefined), 30_000);
    const generated = vscode.Uri.file(path.join(dir, name));
    await waitFor('the generated file open in the editor', () => (vscode.window.activeTextEditor?.document.uri.fsPath === generated.fsPath ? true : undefined), 10_000);
    const opened = Date.now();
    const running = vscode.commands.executeCommand<RunRecord | undefined>('strategyLab.runBacktest', generated);
    const shown = await waitFor('the new strategy\'s results on screen', () => api!.panelTrace().find((t) => t.at >= opened && t.runId !== undefined && t.stage === 'evaluators'), 60_000);
    const saved = await running;
    try {
      assert.ok(saved, 'the generated strategy ran and was saved');
      assert.equal(shown.runId, saved.id, 'the results on screen are that run\'s');
      assert.equal(saved.strategy.file, `strategies/${name}`);
      assert.equal(saved.sandbox.mode, 'docker');
      assert.ok(saved.result.metrics.tradeCount > 0, 'the SMA crossover trades on the sample');
      console.log(`idea → results: ${shown.at - started} ms from Generate Strategy to metrics and charts on screen (generated and open in the editor after ${opened - started} ms, results ${shown.at - opened} ms after ▶ Backtest)${warm ? '' : '; the warm pool was not ready after 120 s, so this is a cold start'}`);
    } finally {
      // Only the generated file's tab: the results panel stays as the next checks expect it.
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.fsPath === generated.fsPath);
      await vscode.window.tabGroups.close(tabs);
      await vscode.workspace.fs.delete(generated);
    }
  });

  await check('Cancel stops a long backtest at once: the container is gone and nothing is saved', async () => {
    const slow = uri('slow.strategy.ts');
    const source = fs.readFileSync(uri('rsi.strategy.ts').fsPath, 'utf8').replace('E2eRsiReversion', 'E2eSlow')
      .replace('const value = ', 'const until = Date.now() + 50; while (Date.now() < until) { /* 50 ms per bar: ~65 s in all */ }\n    const value = ');
    await vscode.workspace.fs.writeFile(slow, Buffer.from(source, 'utf8'));
    const runs = path.join(folder.uri.fsPath, '.strategy-lab', 'runs');
    const before = fs.readdirSync(runs).length;
    const lastResult = api!.statusBarText();
    assert.match(lastResult, /: .*%/, `the status bar shows the last run's result: ${lastResult}`);
    const docker = createDockerClient();
    // this extension host's containers only (other processes may use the same engine)
    const mine = async () => (await listSandboxContainers(docker)).filter((c) => c.Labels[LABEL_OWNER_PID] === String(process.pid)).map((c) => c.Id);
    // No warm pool for this check, so the only container is the one running the job.
    const config = vscode.workspace.getConfiguration('strategyLab');
    await config.update('sandbox.poolSize', 0, vscode.ConfigurationTarget.Workspace);
    await waitFor('the warm container to go', async () => ((await mine()).length === 0 ? true : undefined), 10_000);
    const pending = vscode.commands.executeCommand<RunRecord | undefined>('strategyLab.runBacktest', slow);
    await waitFor('the slow run to reach the sandbox', () => api?.panelModel('slow.strategy.ts')?.status.stage === 'sandbox' || undefined, 30_000);
    // The job is running once its container exists (no pool: the only container of this window is the job's).
    const jobContainers = await waitFor('the job container', async () => { const c = await mine(); return c.length ? c : undefined; }, 60_000);
    await waitFor('the strategy to log from the sandbox', () => (api?.panelModel('slow.strategy.ts')?.logs.length ?? 0) > 0 || undefined, 60_000).catch(() => undefined);
    const t0 = Date.now();
    await vscode.commands.executeCommand('strategyLab.cancelBacktest');
    const result = await pending;
    const stoppedMs = Date.now() - t0;
    assert.equal(result, undefined);
    assert.ok(stoppedMs < 1500, `the run ended ${stoppedMs} ms after Cancel`);
    assert.equal(api?.panelModel('slow.strategy.ts')?.status.state, 'cancelled');
    assert.equal(fs.readdirSync(runs).length, before, 'nothing saved');
    assert.equal(api!.statusBarText(), lastResult, 'the status bar keeps the last result after the cancel');
    assert.ok(api!.panelModel('slow.strategy.ts')!.stale, 'the result still shown is labelled as an earlier run\'s');
    assert.equal(jobContainers.length, 1, 'one container ran the job');
    await waitFor('the job container to be removed', async () => ((await mine()).length === 0 ? true : undefined), 2000);
    await config.update('sandbox.poolSize', undefined, vscode.ConfigurationTarget.Workspace);
    console.log(`cancelled ${stoppedMs} ms after the click; the job container is gone`);
    await vscode.workspace.fs.delete(slow);
  });

  await check('one results panel serves every strategy, beside the editor; Open strategy opens in the editor group', async () => {
    const tabs = resultTabs();
    assert.equal(tabs.length, 1, `one results panel after runs of three strategies: ${tabs.map((t) => t.tab.label).join(', ')}`);
    const panelGroup = tabs[0].group.viewColumn;
    assert.equal(vscode.window.tabGroups.all.length, 2, 'the editor and the results beside it: no third group');
    // "Open strategy" from the panel (it has the focus) goes to the editor group, not into the panel's.
    await vscode.commands.executeCommand('strategyLab.openResults', uri('rsi.strategy.ts'));
    await vscode.commands.executeCommand('workbench.action.focusSecondEditorGroup');
    await api!.panelAction({ type: 'action', action: 'openSource' });
    const editor = await waitFor('the strategy in an editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === uri('rsi.strategy.ts').fsPath));
    assert.notEqual(editor.viewColumn, panelGroup, 'not inside the results group');
    assert.equal(resultTabs().length, 1);
  });

  await check('Docker down: the error has Open Settings (at the setting), Run Sandbox Doctor and Use process mode, in editor words', async () => {
    const config = vscode.workspace.getConfiguration('strategyLab');
    await config.update('sandbox.dockerHost', 'unix:///nowhere/strategy-lab-e2e.sock', vscode.ConfigurationTarget.Workspace);
    try {
      const result = await vscode.commands.executeCommand<RunRecord | undefined>('strategyLab.runBacktest', uri('rsi.strategy.ts'));
      assert.equal(result, undefined);
      const error = await waitFor('the error in the panel', () => api?.panelModel('rsi.strategy.ts')?.error ?? undefined);
      assert.equal(error.title, 'Docker is not running');
      assert.deepEqual(error.actions?.map((a) => a.label), ['Open Settings', 'Run Sandbox Doctor', 'Use process mode', 'Run again']);
      assert.equal(error.actions?.[0].setting, 'strategyLab.sandbox.mode');
      assert.doesNotMatch(`${error.message} ${error.hint}`, /--sandbox|scripts\//, 'no CLI flags or repository paths');
      assert.match(api!.statusBarText(), /%/, 'the status bar still shows the last result');
      // The button opens Settings at that setting.
      await api!.panelAction({ type: 'action', action: 'openSetting' });
      await waitFor('the Settings editor', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => /Settings/.test(t.label)), 20_000);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      await config.update('sandbox.dockerHost', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  await check('Sandbox Doctor checks Docker, the image and the container restrictions: all pass here', async () => {
    const checks = await vscode.commands.executeCommand<{ name: string; ok: boolean; detail: string }[]>('strategyLab.sandboxDoctor');
    assert.ok(Array.isArray(checks) && checks.length >= 4, JSON.stringify(checks));
    // process mode may be unavailable on a machine (it is optional); everything about Docker must hold
    const failed = checks.filter((c) => !c.ok && !/process/i.test(c.name));
    assert.deepEqual(failed, [], failed.map((c) => `${c.name}: ${c.detail}`).join('\n'));
  });

  await check('paper trading from the editor: an examples/ strategy trades on a fake Alpaca (127.0.0.1); the panel shows the session and a fill; the kill switch leaves no open order', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const spyCsv = path.resolve(ext.extensionPath, '..', 'shared', 'data', 'SPY_daily_1998_2021_lean.csv');
    assert.ok(fs.existsSync(spyCsv), `the shared SPY history is at ${spyCsv}`);
    const fake = new FakeAlpaca();
    await fake.listen();
    // The extension host reads the keys (no stored secret here) and endpoints from its environment, as the CLI
    // does; STRATEGY_LAB_TEST=1 makes hosts.ts refuse anything but loopback.
    const envKeys = ['STRATEGY_LAB_TEST', 'APCA_API_KEY_ID', 'APCA_API_SECRET_KEY', 'APCA_API_BASE_URL', 'APCA_DATA_URL', 'APCA_STREAM_URL'] as const;
    const savedEnv = Object.fromEntries(envKeys.map((k) => [k, process.env[k]]));
    Object.assign(process.env, { STRATEGY_LAB_TEST: '1', APCA_API_KEY_ID: fake.keyId, APCA_API_SECRET_KEY: fake.secretKey, APCA_API_BASE_URL: fake.url, APCA_DATA_URL: fake.url, APCA_STREAM_URL: `ws://127.0.0.1:${fake.port}` });
    const paper = vscode.workspace.getConfiguration('strategyLab.paper');
    const settings: [string, unknown][] = [['pollSeconds', 0.2], ['maxOrderNotional', 200_000], ['maxPosition', 200_000]];
    const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
    try {
      const bars = fs.readFileSync(spyCsv, 'utf8').trim().split('\n').slice(1).map((l) => {
        const [d, o, h, lo, c, v] = l.split(',');
        return { t: Date.parse(`${d}T00:00:00Z`), o: +o, h: +h, l: +lo, c: +c, v: +v };
      });
      fake.bars.set('SPY', bars);
      fake.setNow(nyClose(day('2015-12-16')) + 60_000);
      fs.copyFileSync(path.join(ext.extensionPath, 'examples', 'sma-crossover.strategy.ts'), uri('sma.strategy.ts').fsPath);
      for (const [k, v] of settings) await paper.update(k, v, vscode.ConfigurationTarget.Workspace);
      await vscode.window.showTextDocument(uri('sma.strategy.ts'), { preview: false });
      const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri('sma.strategy.ts'))).map((l) => l.command);
      const lens = lenses.find((c) => c?.title === 'Paper trade');
      assert.ok(lens, JSON.stringify(lenses.map((c) => c?.title)));
      assert.equal(lens.command, 'strategyLab.startPaperTrading');
      // As the lens runs it (its arguments), paper by default: the command resolves once the session is live.
      const started = Date.now();
      const id = await vscode.commands.executeCommand<string | undefined>(lens.command, ...(lens.arguments ?? []));
      assert.equal(id, 'sma-paper', 'the session started (see the Strategy Lab output channel if not)');
      console.log(`paper: live ${Date.now() - started} ms after the command (Docker sandbox, 250 warm-up bars)`);
      const panel = await waitFor('the paper panel showing the running session', () => { const p = api!.paper.panel('sma-paper'); return p?.ready && p.sent > 0 && p.view?.status === 'running' ? p : undefined; });
      assert.match(panel.title, /^PAPER sma-paper/);
      assert.ok(vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('strategyLab.paper') && /^PAPER /.test(t.label)), 'a PAPER tab is open');
      assert.match(api!.paper.statusBarText() ?? '', /PAPER SPY/);

      // The next close: the golden cross buys; the order reaches the fake and the panel.
      fake.setNow(nyClose(day('2015-12-17')) + 60_000);
      const withOrder = await waitFor('the open order in the panel', () => { const v = api!.paper.panel('sma-paper')?.view; return v && v.openOrders.length === 1 ? v : undefined; });
      assert.equal(fake.orders.length, 1);
      assert.equal(withOrder.openOrders[0].clientOrderId, fake.orders[0].client_order_id);
      // Half of it fills at the next open; the next step picks the fill up, the rest keeps working.
      fake.setNow(nyOpen(day('2015-12-18')) + 1000);
      fake.fillAt('SPY', bars.find((b) => b.t === day('2015-12-18'))!.o, 0.5);
      fake.setNow(nyClose(day('2015-12-18')) + 60_000);
      const withFill = await waitFor('the fill in the panel', () => { const v = api!.paper.panel('sma-paper')?.view; return v && v.fills.length === 1 ? v : undefined; });
      assert.equal(withFill.fills[0].qty, fake.orders[0].filled_qty);
      assert.equal(fake.openOrders().length, 1, 'the rest of the order still works on the fake');
      assert.match(api!.paper.statusBarText() ?? '', /^\$\(pulse\) PAPER SPY [+−]\$/);

      // Closing the panel leaves the session running; Show Paper Trading (the status bar item's command) reattaches.
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await waitFor('the paper panel closed', () => (api!.paper.panel('sma-paper') === undefined ? true : undefined), 20_000);
      assert.match(api!.paper.statusBarText() ?? '', /PAPER SPY/, 'the session still runs');
      await vscode.commands.executeCommand('strategyLab.showPaperTrading', 'sma-paper');
      await waitFor('the reopened panel showing the fill', () => { const p = api!.paper.panel('sma-paper'); return p?.ready && p.sent > 0 && p.view?.fills.length === 1 && p.view.running ? p : undefined; });
      // The kill switch (as the panel's Stop button and the palette's Stop Paper Trading call it).
      const stopped = await vscode.commands.executeCommand<boolean>('strategyLab.stopPaperTrading', 'sma-paper', { flatten: false });
      assert.equal(stopped, true);
      const ended = await waitFor('the panel showing the session killed, the status bar item gone', () => { const v = api!.paper.panel('sma-paper')?.view; return v && v.status === 'killed' && !v.running && api!.paper.statusBarText() === undefined ? v : undefined; });
      assert.deepEqual(ended.openOrders, []);
      assert.deepEqual(fake.openOrders(), [], 'no open order is left on the fake Alpaca');
      assert.equal(fake.orders[0].status, 'canceled');
      const journal = fs.readFileSync(path.join(folder.uri.fsPath, '.strategy-lab', 'paper', 'sma-paper', 'journal.jsonl'), 'utf8');
      assert.match(journal, /"type":"kill"/);
      console.log(`paper: ${fake.requests.length} requests to the fake; journal ${journal.trim().split('\n').length} lines`);
    } finally {
      await vscode.commands.executeCommand('strategyLab.stopPaperTrading', 'sma-paper', { flatten: false }).then(undefined, () => undefined);
      for (const [k] of settings) await paper.update(k, undefined, vscode.ConfigurationTarget.Workspace);
      for (const k of envKeys) { if (savedEnv[k] === undefined) delete process.env[k]; else process.env[k] = savedEnv[k]; }
      await fake.close();
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    }
  });

  console.log(`${passed} passed, 0 failed`);
}
