import { projectFileName } from '../core/validate/index';

/** The in-memory file name the validator uses for a document URI. */
export function fileNameForUri(uri: string): string {
  const match = /^file:\/\/[^/]*(\/.*)$/.exec(uri);
  if (match) return projectFileName(decodeURIComponent(match[1]));
  // untitled:, vscode-notebook-cell: …: keep them apart from real files.
  return projectFileName(`/__${uri.replace(/^(\w[\w+.-]*):/, '$1/').replace(/[^\w./-]/g, '_')}`);
}

/** Converts a glob (`**`, `*`, `?`, `{a,b}`) to a regular expression over a whole `/`-separated relative path. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${globBody(glob.replace(/^\.?\//, ''))}$`);
}

function globBody(glob: string): string {
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
  return out;
}

/**
 * The strategy glob, relative to the workspace folders (as VS Code's file globs are): a file inside a folder
 * matches when its path relative to that folder does. A file outside every folder (or with no folder open)
 * matches when any trailing part of its path does.
 */
export class StrategyGlob {
  private readonly relative: RegExp;
  private readonly anySuffix: RegExp;

  constructor(readonly glob: string, private roots: string[] = []) {
    this.relative = globToRegExp(glob);
    this.anySuffix = new RegExp(`(?:^|/)${globBody(glob.replace(/^\.?\//, ''))}$`);
  }

  withRoots(roots: string[]): StrategyGlob {
    return new StrategyGlob(this.glob, roots);
  }

  /** `path`: an absolute `/`-separated path. */
  matches(path: string): boolean {
    const root = this.roots.filter((r) => path.startsWith(r.endsWith('/') ? r : `${r}/`)).sort((a, b) => b.length - a.length)[0];
    if (root === undefined) return this.anySuffix.test(path);
    return this.relative.test(path.slice(root.replace(/\/$/, '').length + 1));
  }
}

/** The `/`-separated path of a file: URI (what roots and globs are matched against). */
export function pathOfUri(uri: string): string {
  return decodeURIComponent(uri.replace(/^[\w+.-]+:\/*/, '/'));
}

function escape(text: string): string {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

const SDK_IMPORT = /\bfrom\s*['"]strategy-lab(?:\/indicators)?['"]|\bimport\s*['"]strategy-lab/;

/**
 * A strategy document: its path matches the glob, or it imports the SDK. Other
 * TypeScript files get nothing from this server (no diagnostics, hover or completion).
 */
export function isStrategyDocument(uri: string, text: string, glob: StrategyGlob): boolean {
  return glob.matches(pathOfUri(uri)) || SDK_IMPORT.test(text);
}
