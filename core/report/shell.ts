/**
 * The HTML page of the results panel, as a pure function: the VS Code webview
 * (script and stylesheet loaded from the extension), the exported report and the
 * headless browser test (script and stylesheet inlined) all use this one builder.
 * The CSP allows nothing but the nonce'd script/style (and, in a webview, files
 * from the extension's own cspSource): no remote resources, no eval.
 */
import { EMBEDDED_MODEL_ID, type ViewModel } from '../../media/protocol';

export type Asset = { uri: string } | { inline: string };

export interface ShellInput {
  title: string;
  /** Fresh per page: crypto-random, base64 or hex. */
  nonce: string;
  /** The webview's `cspSource` when assets are loaded by URI; omit for a self-contained page. */
  cspSource?: string;
  script: Asset;
  style: Asset;
  /** A model to show at once (exported report, tests). A webview gets its model by message instead. */
  model?: ViewModel;
}

export function newNonce(): string {
  const bytes = new Uint8Array(18);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function contentSecurityPolicy(nonce: string, cspSource?: string): string {
  const own = cspSource ? `${cspSource} ` : '';
  return [
    "default-src 'none'",
    `img-src ${own}data:`,
    `font-src ${cspSource ?? "'none'"}`,
    `style-src ${own}'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function buildPanelHtml(input: ShellInput): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(input.nonce)) throw new Error('The CSP nonce must be at least 16 random base64/hex characters (use newNonce()).');
  const { nonce } = input;
  const style = 'uri' in input.style
    ? `<link rel="stylesheet" href="${escapeAttr(input.style.uri)}" nonce="${nonce}">`
    : `<style nonce="${nonce}">${input.style.inline.replace(/<\/(style)/gi, '<\\/$1')}</style>`;
  const script = 'uri' in input.script
    ? `<script nonce="${nonce}" src="${escapeAttr(input.script.uri)}"></script>`
    : `<script nonce="${nonce}">${escapeInlineScript(input.script.inline)}</script>`;
  const model = input.model ? `<script type="application/json" id="${EMBEDDED_MODEL_ID}">${jsonForHtml(input.model)}</script>` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(nonce, input.cspSource))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(input.title)}</title>
${style}
</head>
<body>
<main id="app"></main>
${model}
${script}
</body>
</html>
`;
}

/** JSON that cannot close the <script> it sits in (nor start an HTML comment). */
export function jsonForHtml(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeInlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttr(text: string): string {
  return escapeText(text).replace(/"/g, '&quot;');
}
