/**
 * The Strategy Lab language server: live validation of strategy files (every
 * SL rule, with the SDK type check), quick fixes, hover and completion. Speaks
 * LSP over stdio (`--stdio`) or IPC (`--node-ipc`), chosen by the client.
 */
import {
  CodeActionKind,
  createConnection,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Diagnostic,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { StrategyValidator, type StrategyDiagnostic, type ValidationResult } from '../core/validate/index';
import { checkStructureInWorker } from './largeFiles';
import { binaryNotice, capped, checkKind, validationFailed } from './limits';
import { fileNameForUri, isStrategyDocument, pathOfUri, StrategyGlob } from './documents';
import { completionsAt, hoverAt, resolveCompletion, signatureHelpAt } from './features';
import { ValidationScheduler } from './scheduler';
import { EVALUATION_FINDINGS, VALIDATED, type EvaluationFindingsParams, type ValidatedParams } from './protocol';

/** Settings the client passes as initializationOptions (and later as `strategyLab` configuration). */
export interface ServerSettings {
  /** Which files are strategies besides those importing the SDK. Default `**\/*.strategy.ts`. */
  strategyGlob?: string;
  /** Quiet time within a burst of edits before validating again (an edit to an idle document validates at once). */
  debounceMs?: number;
  /**
   * From this many lines on, an edit first publishes a quick result (the edited region type-checked, the rest
   * of the last complete check carried over), then the complete one. Default 200; 0 always, -1 never.
   */
  regionCheckMinLines?: number;
}

export const DEFAULT_GLOB = '**/*.strategy.ts';
export const DEFAULT_DEBOUNCE_MS = 10;
export const DEFAULT_REGION_CHECK_MIN_LINES = 200;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
let validator: StrategyValidator | undefined;
let glob = new StrategyGlob(DEFAULT_GLOB);
let regionCheckMinLines = DEFAULT_REGION_CHECK_MIN_LINES;
/** Last published result per URI, with the document version it belongs to (code actions read it). */
const results = new Map<string, { version: number; result: ValidationResult }>();
/** The last complete result per URI and the text it was computed on: the base of the next quick result. */
const complete = new Map<string, { text: string; result: ValidationResult }>();
/** Strategy documents being checked (or checked): their diagnostics are cleared when they are closed. */
const tracked = new Set<string>();
/** Evaluator findings per URI and the exact text they were computed on (see server/protocol.ts). */
const findings = new Map<string, EvaluationFindingsParams>();

function getValidator(): StrategyValidator {
  validator ??= new StrategyValidator();
  return validator;
}

const scheduler = new ValidationScheduler(
  DEFAULT_DEBOUNCE_MS,
  async (uri, token) => {
    const document = documents.get(uri);
    if (!document) throw new Error(`${uri} is no longer open.`);
    const version = document.version;
    const text = document.getText();
    const kind = checkKind(text);
    if (kind !== 'full') {
      const result = kind === 'binary' ? binaryNotice(fileNameForUri(uri)) : await checkStructureInWorker(fileNameForUri(uri), text, token);
      results.set(uri, { version, result });
      complete.delete(uri);
      return result;
    }
    const quick = regionCheckMinLines >= 0 && document.lineCount >= regionCheckMinLines;
    const result = await getValidator().validateAsync(fileNameForUri(uri), token, text, {
      previous: quick ? complete.get(uri) : undefined,
      onPartial: (partial) => {
        if (token.isCancellationRequested) return;
        results.set(uri, { version, result: partial });
        if (publish(uri)) validated(uri, version, false);
      },
    });
    results.set(uri, { version, result });
    complete.set(uri, { text, result });
    return result;
  },
  (uri) => {
    if (publish(uri)) validated(uri, results.get(uri)!.version, true);
  },
  (uri, error) => {
    connection.console.error(`Validating ${uri} failed: ${(error as Error).stack ?? String(error)}`);
    // A file TypeScript cannot take (its parser overflows the stack) would fail every request of the shared
    // project, hover and completion in other files included: it leaves the project until its next change.
    validator?.project.removeFile(fileNameForUri(uri));
    const document = documents.get(uri);
    if (!document) return;
    // Say so on the file: otherwise the last result's diagnostics stay on screen as if they were current.
    results.set(uri, { version: document.version, result: validationFailed(fileNameForUri(uri), error) });
    complete.delete(uri);
    if (publish(uri)) validated(uri, document.version, true);
  },
);

function validated(uri: string, version: number, isComplete: boolean): void {
  void connection.sendNotification(VALIDATED, { uri, version, complete: isComplete } satisfies ValidatedParams);
}

/** Validator diagnostics of the current version, plus evaluator findings while the text is what they were computed on. */
function publish(uri: string): boolean {
  const entry = results.get(uri);
  const document = documents.get(uri);
  if (!entry || document?.version !== entry.version) return false; // superseded while publishing
  const diagnostics = capped(entry.result.diagnostics).map(toLspDiagnostic);
  const found = findings.get(uri);
  if (found && found.source === document.getText()) diagnostics.push(...found.findings.map(findingToLspDiagnostic));
  else findings.delete(uri);
  void connection.sendDiagnostics({ uri, version: entry.version, diagnostics });
  return true;
}

connection.onNotification(EVALUATION_FINDINGS, (params: EvaluationFindingsParams) => {
  findings.set(params.uri, params);
  publish(params.uri);
});

function applySettings(settings: ServerSettings | undefined): void {
  if (settings?.strategyGlob) glob = new StrategyGlob(settings.strategyGlob).withRoots(roots);
  if (typeof settings?.debounceMs === 'number') scheduler.setDebounce(settings.debounceMs);
  if (typeof settings?.regionCheckMinLines === 'number') regionCheckMinLines = settings.regionCheckMinLines;
}

const SEVERITY: Record<StrategyDiagnostic['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** `data.suggestion`: the message's "did you mean", structured (core/validate Suggestion), when it has one. */
function toLspDiagnostic(d: StrategyDiagnostic): Diagnostic {
  const diagnostic: Diagnostic = { range: d.range, severity: SEVERITY[d.severity], code: d.code, source: 'strategy-lab', message: d.message };
  if (d.suggestion) diagnostic.data = { suggestion: d.suggestion };
  return diagnostic;
}

function findingToLspDiagnostic(f: EvaluationFindingsParams['findings'][number]): Diagnostic {
  return { range: f.range, severity: SEVERITY[f.severity], source: f.source, message: f.message };
}

function isStrategy(document: TextDocument): boolean {
  return isStrategyDocument(document.uri, document.getText(), glob);
}

/** Workspace folder paths: the strategy glob is relative to them. */
let roots: string[] = [];
let folderEvents = false;

connection.onInitialize((params): InitializeResult => {
  folderEvents = params.capabilities.workspace?.workspaceFolders === true;
  roots = (params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri }] : [])).map((f) => pathOfUri(f.uri).replace(/\/$/, ''));
  glob = glob.withRoots(roots);
  applySettings(params.initializationOptions as ServerSettings | undefined);
  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['.', "'", '"', '{', ','], resolveProvider: true },
      signatureHelpProvider: { triggerCharacters: ['(', ','] },
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'strategy-lab' },
  };
});

/** Parsed once at start-up so the first opened strategy does not pay for lib and SDK parsing. */
const WARM_UP_SOURCE = "import { BaseStrategy, type Bar } from 'strategy-lab';\nimport { SMA } from 'strategy-lab/indicators';\nexport default class WarmUp extends BaseStrategy {\n  static config = { symbols: ['SPY'], timeframe: '1d' };\n  private sma = new SMA(5);\n  onBar(bar: Bar) { if ((this.sma.update(bar.close) ?? 0) > bar.close) this.buy(bar.symbol); }\n}\n";

connection.onInitialized(() => {
  if (folderEvents) {
    connection.workspace.onDidChangeWorkspaceFolders((e) => {
      const removed = new Set(e.removed.map((f) => pathOfUri(f.uri).replace(/\/$/, '')));
      roots = [...roots.filter((r) => !removed.has(r)), ...e.added.map((f) => pathOfUri(f.uri).replace(/\/$/, ''))];
      glob = glob.withRoots(roots);
      for (const document of documents.all()) onContent(document);
    });
  }
  setImmediate(() => {
    try {
      const warmUp = '/__strategy-lab__/warm-up.strategy.ts';
      getValidator().validate(warmUp, WARM_UP_SOURCE);
      getValidator().project.removeFile(warmUp);
    } catch (error) {
      connection.console.error(`Strategy Lab validator could not start: ${(error as Error).message}`);
    }
  });
});

connection.onDidChangeConfiguration((change) => {
  applySettings((change.settings as { strategyLab?: ServerSettings } | undefined)?.strategyLab);
  for (const document of documents.all()) onContent(document);
});

function onContent(document: TextDocument): void {
  if (!isStrategy(document)) {
    forget(document.uri);
    return;
  }
  tracked.add(document.uri);
  const text = document.getText();
  // The project sees the new text at once, so hover and completion never lag behind a pending validation. A file
  // above the full-check limit stays out of it (checked in a worker): its parse would stall every other file.
  if (checkKind(text) !== 'full') getValidator().project.removeFile(fileNameForUri(document.uri));
  else getValidator().project.setFile(fileNameForUri(document.uri), text);
  scheduler.schedule(document.uri);
}

/**
 * A closed (or no longer strategy) document: its check stops at once (a worker is terminated), its diagnostics are
 * cleared, and nothing of it stays in memory (the project drops its syntax tree at the next program update).
 */
function forget(uri: string): void {
  scheduler.cancel(uri);
  const fileName = fileNameForUri(uri);
  validator?.project.removeFile(fileName);
  if (tracked.delete(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  results.delete(uri);
  complete.delete(uri);
  findings.delete(uri);
}

documents.onDidOpen((e) => onContent(e.document));
documents.onDidChangeContent((e) => onContent(e.document));
documents.onDidClose((e) => forget(e.document.uri));

connection.onCodeAction(guarded('code actions', [] as CodeAction[], (params): CodeAction[] => {
  const document = documents.get(params.textDocument.uri);
  const entry = results.get(params.textDocument.uri);
  if (!document || !entry || entry.version !== document.version) return [];
  const actions: CodeAction[] = [];
  for (const requested of params.context.diagnostics) {
    if (requested.source !== 'strategy-lab') continue;
    const match = entry.result.diagnostics.find((d) => d.code === requested.code && sameRange(d.range, requested.range));
    match?.fixes.forEach((fix, i) =>
      actions.push({
        title: fix.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [requested],
        isPreferred: i === 0,
        edit: { changes: { [document.uri]: fix.edits } },
      }),
    );
  }
  return actions;
}));

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/**
 * One failing request must never surface as an error popup in the editor: the handler's failure is logged to the
 * server's output channel and the editor gets the empty answer.
 */
function guarded<P, R>(name: string, empty: R, handler: (params: P) => R): (params: P) => R {
  return (params) => {
    try {
      return handler(params);
    } catch (err) {
      connection.console.error(`${name} failed: ${(err as Error)?.stack ?? String(err)}`);
      return empty;
    }
  };
}

/**
 * Hover, completion and signature help answer from the shared project: a strategy above the full-check limit, or
 * one TypeScript could not take, is not in it, and gets empty answers (its SL000 diagnostic says why).
 */
function inProject(document: TextDocument): boolean {
  return isStrategy(document) && getValidator().project.hasFile(fileNameForUri(document.uri));
}

connection.onHover(guarded('hover', null, (params) => {
  const document = documents.get(params.textDocument.uri);
  if (!document || !inProject(document)) return null;
  return hoverAt(getValidator().project, fileNameForUri(document.uri), document.offsetAt(params.position));
}));

connection.onCompletion(guarded('completion', [], (params) => {
  const document = documents.get(params.textDocument.uri);
  if (!document || !inProject(document)) return [];
  return completionsAt(getValidator().project, fileNameForUri(document.uri), document.offsetAt(params.position), params.context?.triggerCharacter);
}));

connection.onCompletionResolve((item) => guarded('completion details', item, (i: typeof item) => resolveCompletion(getValidator().project, i))(item));

connection.onSignatureHelp(guarded('signature help', null, (params) => {
  const document = documents.get(params.textDocument.uri);
  if (!document || !inProject(document)) return null;
  return signatureHelpAt(getValidator().project, fileNameForUri(document.uri), document.offsetAt(params.position));
}));

documents.listen(connection);
connection.listen();
