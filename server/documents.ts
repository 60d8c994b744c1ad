import { projectFileName } from '../core/validate/index';

/** The in-memory file name the validator uses for a document URI. */
export function fileNameForUri(uri: string): string {
  const match = /^file:\/\/[^/]*(\/.*)$/.exec(uri);
  if (match) return projectFileName(decodeURIComponent(match[1]));
  // untitled:, vscode-notebook-cell: …: keep them apart from real files.
  return projectFileName(`/__${uri.replace(/^(\w[\w+.-]*):/, '$1/').replace(/[^\w./-]/g, '_')}`);
}

/** Converts a glob (`**`, `*`, `?`, `{a,b}`) to a regular expression over `/`-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      out += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) out += '\\{';
      else {
        out += `(?:${glob.slice(i + 1, close).split(',').map(escape).join('|')})`;
        i = close;
      }
    } else out += escape(c);
  }
  return new RegExp(`(?:^|/)${out}$`);
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

const SDK_IMPORT = /\bfrom\s*['"]strategy-lab(?:\/indicators)?['"]|\bimport\s*['"]strategy-lab/;

/**
 * A strategy document: its path matches the glob, or it imports the SDK. Other
 * TypeScript files get nothing from this server (no diagnostics, hover or completion).
 */
export function isStrategyDocument(uri: string, text: string, glob: RegExp): boolean {
  const path = decodeURIComponent(uri.replace(/^[\w+.-]+:\/*/, '/'));
  return glob.test(path) || SDK_IMPORT.test(text);
}
