/**
 * A small TypeScript tokenizer for infoScan.ts: enough to find the top-level class and its members without the
 * TypeScript compiler. It knows comments, strings, templates (with substitutions), regular expressions (by the
 * usual "can an expression end here?" rule), numbers, identifiers and punctuation, and records each token's
 * bracket depth. Anything it is not sure of (non-ASCII outside strings and comments, an unterminated string,
 * an unbalanced bracket) makes it return undefined: the caller then asks TypeScript.
 */

export interface Token {
  kind: 'id' | 'number' | 'string' | 'template' | 'regex' | 'punct';
  text: string;
  /** Strings and substitution-free templates: their value, when it has no escape (else undefined). */
  value?: string;
  /** Open brackets (`{ ( [ ${`) before this token; a bracket and its partner get the depth outside them. */
  depth: number;
  newlineBefore: boolean;
}

/** Longest first: the tokenizer takes the longest that matches. */
const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<', '>>', '**',
  '{', '}', '(', ')', '[', ']', ';', ',', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^', '!', '~', '?', ':', '=', '.', '@',
];
/** After these words an expression starts, so a `/` begins a regular expression. */
const EXPRESSION_KEYWORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);
const NUMBER = /(?:0[xXoObB][0-9a-fA-F_]+|(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?)n?/y;
const IDENTIFIER = /#?[A-Za-z_$][A-Za-z0-9_$]*/y;

export function scanTokens(source: string): Token[] | undefined {
  const tokens: Token[] = [];
  /** What each open bracket is: a template substitution's `}` resumes the template. */
  const open: string[] = [];
  let i = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  let newline = false;
  const push = (kind: Token['kind'], text: string, depth: number, value?: string) => {
    tokens.push({ kind, text, value, depth, newlineBefore: newline });
    newline = false;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === '\n' || c === '\r') { newline = true; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\f' || c === '\v') { i++; continue; }
    if (c === '/' && source[i + 1] === '/') {
      i = lineEnd(source, i);
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) return undefined;
      if (/[\r\n]/.test(source.slice(i, end))) newline = true;
      i = end + 2;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = stringEnd(source, i, c);
      if (end < 0) return undefined;
      const inner = source.slice(i + 1, end - 1);
      push('string', source.slice(i, end), open.length, inner.includes('\\') ? undefined : inner);
      i = end;
      continue;
    }
    if (c === '`' || (c === '}' && open[open.length - 1] === '${')) {
      const part = templatePart(source, i);
      if (!part) return undefined;
      if (c === '}') open.pop();
      const depth = open.length;
      if (part.opensSubstitution) open.push('${');
      const plain = c === '`' && !part.opensSubstitution && !/[\\\r]/.test(part.text);
      push('template', part.text, depth, plain ? part.text.slice(1, -1) : undefined);
      i += part.text.length;
      continue;
    }
    if (c === '/' && regexAllowed(tokens[tokens.length - 1])) {
      const end = regexEnd(source, i);
      if (end < 0) return undefined;
      push('regex', source.slice(i, end), open.length);
      i = end;
      continue;
    }
    IDENTIFIER.lastIndex = i;
    const id = IDENTIFIER.exec(source);
    if (id) {
      if (/[^\x00-\x7f\\]/.test(source[i + id[0].length] ?? '')) return undefined; // unicode or escaped identifiers
      push('id', id[0], open.length);
      i += id[0].length;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = /[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? '')) ? NUMBER.exec(source) : null;
    if (num) {
      push('number', num[0], open.length);
      i += num[0].length;
      continue;
    }
    const p = PUNCTUATORS.find((x) => source.startsWith(x, i));
    if (!p) return undefined; // non-ASCII, a shebang, anything unexpected
    if (p === '{' || p === '(' || p === '[') {
      push('punct', p, open.length);
      open.push(p);
    } else if (p === '}' || p === ')' || p === ']') {
      if (open.pop() !== { '}': '{', ')': '(', ']': '[' }[p]) return undefined;
      push('punct', p, open.length);
    } else {
      push('punct', p, open.length);
    }
    i += p.length;
  }
  return open.length === 0 ? tokens : undefined;
}

/** The index of the line break ending a `//` comment (or the end of the source). */
function lineEnd(source: string, start: number): number {
  for (let i = start; i < source.length; i++) if (source[i] === '\n' || source[i] === '\r') return i;
  return source.length;
}

/** The index after the closing quote; -1 when the string does not end on its line. */
function stringEnd(source: string, start: number, quote: string): number {
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === quote) return i + 1;
    else if (c === '\n' || c === '\r') return -1;
  }
  return -1;
}

/** From a backtick or a substitution's `}` to the next backtick or `${`. */
function templatePart(source: string, start: number): { text: string; opensSubstitution: boolean } | undefined {
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '`') return { text: source.slice(start, i + 1), opensSubstitution: false };
    else if (c === '$' && source[i + 1] === '{') return { text: source.slice(start, i + 2), opensSubstitution: true };
  }
  return undefined;
}

function regexEnd(source: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '\n' || c === '\r') return -1;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      let end = i + 1;
      while (end < source.length && /[a-z]/.test(source[end])) end++;
      return end;
    }
  }
  return -1;
}

/** Whether a `/` after this token starts a regular expression (an expression cannot end with the token). */
function regexAllowed(prev: Token | undefined): boolean {
  if (!prev) return true;
  if (prev.kind === 'id') return EXPRESSION_KEYWORDS.has(prev.text);
  if (prev.kind !== 'punct') return prev.kind === 'template' && prev.text.endsWith('${');
  return !(prev.text === ')' || prev.text === ']' || prev.text === '}' || prev.text === '++' || prev.text === '--');
}
