/**
 * A panel's page: the shared shell (core/report/shell.ts: strict CSP with a fresh nonce, nothing remote) around one
 * of the webview bundles in dist/media (`<bundle>.js` and `<bundle>.css`). The results, Optimize and paper panels
 * all load this way.
 */
import * as vscode from 'vscode';
import { buildPanelHtml, newNonce } from '../core/report/shell';

export function webviewPage(webview: vscode.Webview, media: vscode.Uri, bundle: string, title: string): string {
  return buildPanelHtml({
    title,
    nonce: newNonce(),
    cspSource: webview.cspSource,
    script: { uri: webview.asWebviewUri(vscode.Uri.joinPath(media, `${bundle}.js`)).toString() },
    style: { uri: webview.asWebviewUri(vscode.Uri.joinPath(media, `${bundle}.css`)).toString() },
  });
}
