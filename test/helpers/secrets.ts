/** Assertions about API keys in output: whole or partial echoes. */

/** True when `text` holds the key, any 8-character run of it, or a masked form keeping its first 6 or last 4 characters. */
export function hasPiece(text: string, key: string): boolean {
  if (text.includes(key)) return true;
  for (let i = 0; i + 8 <= key.length; i++) if (text.includes(key.slice(i, i + 8))) return true;
  return new RegExp(`${escape(key.slice(0, 6))}[*.…x•]|[*.…x•]${escape(key.slice(-4))}\\b|\\b${escape(key.slice(-4))}\\b`).test(text);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
