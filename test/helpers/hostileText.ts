/**
 * Strategy-controlled text that tries to take over whatever displays it: terminal control sequences (ANSI CSI and
 * OSC, 8-bit CSI, carriage returns, backspaces, bell, NUL), bidirectional overrides, and HTML/script breakouts.
 * Shared by the CLI's terminal escaping test and the results page's HTML escaping test.
 */
export const HOSTILE_TEXT: readonly string[] = [
  '\u001b[2J\u001b[HFake summary: Sharpe 9.99',
  'real line\rFAKE LINE OVERWRITES IT',
  'erase\b\b\b\b\bFORGED',
  '\u001b]0;pwned title\u0007',
  '\u001b]8;;https://evil.example\u001b\\click\u001b]8;;\u001b\\',
  '\u009b31mC1 red\u009b0m',
  'nul\u0000byte and del\u007f',
  'bidi \u202eesrever\u202c and \u2066isolate\u2069',
  'line\u2028separator',
  '</script><script>alert(1)</script>',
  '<img src=x onerror=alert(1)>&amp;"\'',
  '<!-- comment --> \u2029',
];

/** Characters no terminal output of strategy text may contain raw (everything but line feed and tab). */
export const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)/;
