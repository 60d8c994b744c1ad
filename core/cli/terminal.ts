/**
 * Text the CLI prints that a strategy controls (class names, symbols, tags, log lines, error messages) must not
 * drive the terminal: an ANSI escape sequence can clear the screen, move the cursor or recolour text, and a bare
 * carriage return overwrites the line — enough to show a fake summary and hide the real one. One helper, used
 * for every such string: it turns each control character into a visible escape such as `\x1b` or `\r`.
 */

/**
 * C0 controls (U+0000–U+001F), DEL, C1 controls (U+0080–U+009F, e.g. the 8-bit CSI U+009B), the line and
 * paragraph separators, and the bidirectional overrides and isolates that reorder what is displayed.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** The same, but keeping line feeds, tabs and the carriage return of a CRLF line end. */
const CONTROL_KEEP_LINES = /(?!\r\n)[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function visible(ch: string): string {
  const code = ch.charCodeAt(0);
  return NAMED[ch] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** One line of strategy-controlled text (a name, a tag, a log message): every control character made visible. */
export function escapeLine(text: string): string {
  return text.replace(CONTROL, visible);
}

/** Several lines (an error message, a whole report): line feeds, tabs and CRLF line ends kept, every other control made visible. */
export function escapeText(text: string): string {
  return text.replace(CONTROL_KEEP_LINES, visible);
}
