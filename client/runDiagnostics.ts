/**
 * A failed backtest's runtime error as a diagnostic on the strategy's source line (severity Error, source
 * "Strategy Lab (run)"): set when a run fails with a located error, cleared by the next successful run of the file
 * or by its first edit (the line may no longer be the one that threw).
 */
import * as vscode from 'vscode';
import { errorDiagnosticMessage, errorRange, type ShownLocation } from '../core/strategy/errorLocation';

export const RUN_DIAGNOSTIC_SOURCE = 'Strategy Lab (run)';

export class RunErrorDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('strategyLab.run');
  private readonly onEdit: vscode.Disposable;

  constructor() {
    this.onEdit = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length && this.collection.has(e.document.uri)) this.collection.delete(e.document.uri);
    });
  }

  /** Puts the error on its line of `source` (the text that ran); without a line, nothing is shown. */
  show(uri: vscode.Uri, source: string, location: ShownLocation, message: string): boolean {
    const range = errorRange(location, source);
    if (!range) {
      this.collection.delete(uri);
      return false;
    }
    const diagnostic = new vscode.Diagnostic(new vscode.Range(range.line, range.start, range.line, range.end), errorDiagnosticMessage(message, location), vscode.DiagnosticSeverity.Error);
    diagnostic.source = RUN_DIAGNOSTIC_SOURCE;
    this.collection.set(uri, [diagnostic]);
    return true;
  }

  clear(uri: vscode.Uri): void {
    this.collection.delete(uri);
  }

  dispose(): void {
    this.onEdit.dispose();
    this.collection.dispose();
  }
}
