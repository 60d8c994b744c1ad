/**
 * The JSON an LLM reviewer must reply with, and its validation. A reply that
 * does not match is never turned into a score.
 */
export interface ReviewReply {
  /** 0..10, 10 best. */
  score: number;
  reasons: string[];
  /** Optional pointers at code lines (1-based). */
  findings: { line: number; message: string }[];
}

export const REVIEW_SCHEMA_TEXT = `{"score": <number 0-10, 10 = best>, "reasons": [<1 to 8 short sentences>], "findings": [{"line": <1-based line number>, "message": <sentence>}] (optional)}`;

export type ParseOutcome = { ok: true; reply: ReviewReply } | { ok: false; problem: string };

/** The first JSON object in the text (a ```json fence or bare), validated against the schema. */
export function parseReview(text: string, lineCount: number): ParseOutcome {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const body = (fenced ? fenced[1] : text).trim();
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  if (start < 0 || end <= start) return { ok: false, problem: 'no JSON object in the reply' };
  let value: unknown;
  try {
    value = JSON.parse(body.slice(start, end + 1));
  } catch (err) {
    return { ok: false, problem: `the JSON does not parse (${(err as Error).message})` };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, problem: 'the reply is not a JSON object' };
  const o = value as Record<string, unknown>;
  if (typeof o.score !== 'number' || !Number.isFinite(o.score) || o.score < 0 || o.score > 10) return { ok: false, problem: `"score" must be a number from 0 to 10, got ${JSON.stringify(o.score)}` };
  if (!Array.isArray(o.reasons) || o.reasons.length === 0 || o.reasons.length > 8 || !o.reasons.every((r) => typeof r === 'string' && r.trim().length > 0)) {
    return { ok: false, problem: '"reasons" must be a list of 1 to 8 non-empty strings' };
  }
  const findings: ReviewReply['findings'] = [];
  if (o.findings !== undefined) {
    if (!Array.isArray(o.findings)) return { ok: false, problem: '"findings" must be a list' };
    for (const f of o.findings) {
      const x = f as Record<string, unknown>;
      if (!x || typeof x !== 'object' || !Number.isInteger(x.line) || typeof x.message !== 'string') return { ok: false, problem: 'each finding needs an integer "line" and a string "message"' };
      // A line outside the file is the model's mistake: keep the message, drop the pointer.
      if ((x.line as number) >= 1 && (x.line as number) <= lineCount) findings.push({ line: x.line as number, message: x.message });
    }
  }
  return { ok: true, reply: { score: o.score, reasons: (o.reasons as string[]).map((r) => r.trim()), findings } };
}
