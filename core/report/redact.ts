/**
 * Masks secrets before text reaches a log, the output channel, a webview, a run
 * record or the terminal. One helper for every surface. Pure.
 *
 * Two levels:
 * - `redactKnownSecrets(text, secrets)`: only the given secrets (API keys) — whole, and partial echoes a server
 *   or an error might print: any run of ≥ PARTIAL_MIN characters of the key, masked forms that keep its first
 *   or last characters (`sk-ab…wxyz`, `sk-ab****wxyz`), and tokens equal to its first ≥ 6 or last ≥ 4
 *   characters. Safe on code and data (model replies, generated files): it changes nothing else.
 * - `redactSecrets(text, secrets)`: the same, plus anything shaped like a credential (OpenAI-style `sk-…`,
 *   Alpaca key ids, bearer tokens, `*_KEY=`/`api_key:` assignments). For messages and logs, not for code.
 */
const PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI-style keys
  /\b(?:PK|AK|SK)[A-Z0-9]{14,}\b/g, // Alpaca key ids
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b([A-Z0-9_]*(?:KEY|SECRET|TOKEN|PASSWORD)[A-Z0-9_]*)\s*[=:]\s*("[^"]*"|'[^']*'|[^\s,;]+)/gi,
  /\b(apca-api-(?:key-id|secret-key)|x-api-key|api[_-]?key|authorization)(["']?\s*[:=]\s*["']?)([^"'\s,;}]+)/gi,
];

/** A run of this many characters of a key, anywhere, counts as an echo of it. */
export const PARTIAL_MIN = 8;
/** Secrets shorter than this are not redacted (their pieces would match ordinary text). */
const SECRET_MIN = 6;
const MASK = '***';

export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = redactKnownSecrets(text, extraSecrets);
  out = out.replace(PATTERNS[0], 'sk-***').replace(PATTERNS[1], '***');
  out = out.replace(PATTERNS[2], (_m, scheme: string) => `${scheme} ***`);
  out = out.replace(PATTERNS[3], (_m, name: string) => `${name}=***`);
  out = out.replace(PATTERNS[4], (_m, name: string, sep: string) => `${name}${sep}***`);
  return out;
}

export function redactKnownSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < SECRET_MIN) continue;
    out = out.split(secret).join(MASK);
    out = maskRuns(out, secret);
    out = maskEnds(out, secret);
  }
  return out;
}

/** Every stretch of `text` made of pieces of `secret` at least PARTIAL_MIN long. */
function maskRuns(text: string, secret: string): string {
  if (secret.length < PARTIAL_MIN || text.length < PARTIAL_MIN) return text;
  const grams = new Set<string>();
  for (let i = 0; i + PARTIAL_MIN <= secret.length; i++) grams.add(secret.slice(i, i + PARTIAL_MIN));
  const masked = new Uint8Array(text.length);
  let any = false;
  for (let i = 0; i + PARTIAL_MIN <= text.length; i++) {
    if (!grams.has(text.slice(i, i + PARTIAL_MIN))) continue;
    masked.fill(1, i, i + PARTIAL_MIN);
    any = true;
  }
  if (!any) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (!masked[i]) out += text[i];
    else if (i === 0 || !masked[i - 1]) out += MASK;
  }
  return out;
}

const TOKEN = /[A-Za-z0-9_-]+(?:(?:\*{2,}|\.{3}|…|•{2,}|x{4,})[A-Za-z0-9_-]*)?/g;

/** Masked echoes keeping the key's first or last characters, and bare tokens equal to its start or end. */
function maskEnds(text: string, secret: string): string {
  return text.replace(TOKEN, (token) => {
    const masked = /(\*{2,}|\.{3}|…|•{2,}|x{4,})/.exec(token);
    if (masked) {
      const left = token.slice(0, masked.index);
      const right = token.slice(masked.index + masked[0].length);
      if ((left.length >= 3 && secret.startsWith(left)) || (right.length >= 3 && secret.endsWith(right))) return MASK;
      return token;
    }
    if (token.length >= 6 && token.length < secret.length && secret.startsWith(token)) return MASK;
    if (token.length >= 4 && token.length < secret.length && secret.endsWith(token)) return MASK;
    return token;
  });
}

/** Values of environment variables that hold credentials (names with KEY, SECRET, TOKEN or PASSWORD). */
export function secretsFromEnv(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /KEY|SECRET|TOKEN|PASSWORD/i.test(name) && !!value && value.trim().length >= SECRET_MIN)
    .map(([, value]) => value!.trim());
}
