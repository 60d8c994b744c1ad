/**
 * Masks secrets before text reaches a log, the output channel or a webview: API
 * keys of the LLM and market-data providers, bearer tokens, and any value of a
 * *_KEY / *_SECRET / *_TOKEN variable. Pure.
 */
const PATTERNS: RegExp[] = [
  /\bsk-[A-Za-z0-9_-]{8,}/g, // OpenAI-style keys
  /\b(?:PK|AK|SK)[A-Z0-9]{14,}\b/g, // Alpaca key ids
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  /\b([A-Z0-9_]*(?:KEY|SECRET|TOKEN|PASSWORD)[A-Z0-9_]*)\s*[=:]\s*("[^"]*"|'[^']*'|[^\s,;]+)/gi,
  /\b(apca-api-(?:key-id|secret-key)|x-api-key|api[_-]?key|authorization)(["']?\s*[:=]\s*["']?)([^"'\s,;}]+)/gi,
];

export function redactSecrets(text: string, extraSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of extraSecrets) if (secret && secret.length >= 6) out = out.split(secret).join('***');
  out = out.replace(PATTERNS[0], 'sk-***').replace(PATTERNS[1], '***');
  out = out.replace(PATTERNS[2], (_m, scheme: string) => `${scheme} ***`);
  out = out.replace(PATTERNS[3], (_m, name: string) => `${name}=***`);
  out = out.replace(PATTERNS[4], (_m, name: string, sep: string) => `${name}${sep}***`);
  return out;
}
