/**
 * LLM evaluators: intent alignment, code quality, realism/risk review. Each
 * asks the configured model for a JSON verdict (schema.ts); a reply that does
 * not match the schema is sent back once with the problem, and a second bad
 * reply is reported as an error, never as a score. With no LLM configured
 * they are skipped.
 */
import type { EvalContext } from '../context';
import { fmt } from '../context';
import { errored, scored, skipped, type EvaluatorId, type EvaluatorResult, type Finding } from '../types';
import type { ChatClient, ChatMessage } from './client';
import { parseReview, REVIEW_SCHEMA_TEXT } from './schema';

interface Reviewer {
  id: Extract<EvaluatorId, 'intent' | 'quality' | 'realism'>;
  name: string;
  task: string;
}

export const REVIEWERS: Reviewer[] = [
  {
    id: 'intent',
    name: 'Intent alignment (LLM)',
    task: 'Judge whether the code does what the user asked for: same instruments, entry and exit logic, indicators, periods, thresholds, stops and sizing. Anything missing, added or changed lowers the score. With no request, judge whether the code does what its own comments say.',
  },
  {
    id: 'quality',
    name: 'Code quality (LLM)',
    task: 'Judge the code as a maintainer would: correctness of the trading logic (warm-up handled, per-symbol state, positions checked before ordering), clarity, named params instead of magic numbers, no dead code.',
  },
  {
    id: 'realism',
    name: 'Realism and risk review (LLM)',
    task: 'Judge whether the backtest result is believable and the risk acceptable: too few trades, too-good returns, overfitting signs, missing stops, concentration, unrealistic fills. Use the numbers given.',
  },
];

export async function runReviewers(ctx: EvalContext, client: ChatClient | undefined, others: EvaluatorResult[]): Promise<EvaluatorResult[]> {
  if (!client) {
    return REVIEWERS.map((r) => skipped({ id: r.id, name: r.name, kind: 'llm' }, 'Skipped: no LLM configured (set an API key: the same provider settings as Generate Strategy).'));
  }
  return Promise.all(REVIEWERS.map((r) => review(ctx, client, r, others)));
}

async function review(ctx: EvalContext, client: ChatClient, reviewer: Reviewer, others: EvaluatorResult[]): Promise<EvaluatorResult> {
  const base = { id: reviewer.id, name: reviewer.name, kind: 'llm' as const };
  const lines = ctx.source.split('\n');
  const messages: ChatMessage[] = [
    { role: 'system', content: `You review trading strategies written for Strategy Lab (TypeScript, class extending BaseStrategy). ${reviewer.task}\nReply with only one JSON object, no prose, exactly this shape:\n${REVIEW_SCHEMA_TEXT}` },
    { role: 'user', content: reviewInput(ctx, lines, others) },
  ];
  let problem = '';
  for (let attempt = 1; attempt <= 2; attempt++) {
    let text: string;
    try {
      text = await client.complete(messages, ctx.signal);
    } catch (err) {
      if (ctx.signal?.aborted) throw err;
      return errored(base, (err as Error).message, { model: client.model, attempts: attempt });
    }
    const parsed = parseReview(text, lines.length);
    if (parsed.ok) {
      const score = parsed.reply.score / 10;
      const findings: Finding[] = parsed.reply.findings.map((f) => ({ message: `${reviewer.name}: ${f.message}`, severity: 'info', anchor: { kind: 'line', line: f.line } }));
      return scored(base, score, score >= ctx.settings.llmPassScore, parsed.reply.reasons, { model: client.model, attempts: attempt, rawScore: parsed.reply.score }, findings);
    }
    problem = parsed.problem;
    messages.push({ role: 'assistant', content: text }, { role: 'user', content: `That reply is not valid: ${problem}. Reply again with only the JSON object: ${REVIEW_SCHEMA_TEXT}` });
  }
  return errored(base, `The model '${client.model}' replied twice without valid review JSON (${problem}); no score was given.`, { model: client.model, attempts: 2 });
}

function reviewInput(ctx: EvalContext, lines: string[], others: EvaluatorResult[]): string {
  const numbered = lines.map((l, i) => `${String(i + 1).padStart(3)}| ${l}`).join('\n');
  const parts = [`Request: ${ctx.request ?? '(none given)'}`, '', 'Code (line numbers added):', numbered];
  const r = ctx.result;
  if (r) {
    const m = r.metrics;
    parts.push(
      '',
      `Backtest: ${r.run.symbols.join(', ')} ${r.run.start} → ${r.run.end}, ${r.run.bars} bars; return ${fmt(m.returnPct)}% (buy & hold ${fmt(m.buyHoldReturnPct)}%), Sharpe ${fmt(m.sharpeRatio)}, max drawdown ${fmt(m.maxDrawdownPct)}%, ${m.tradeCount} trades, win rate ${fmt(m.winRatePct)}%, worst trade ${fmt(m.worstTradePct)}%, exposure ${fmt(m.exposureTimePct)}%.`,
    );
  } else parts.push('', 'Backtest: did not complete.');
  const checks = others.filter((o) => o.status === 'passed' || o.status === 'failed');
  if (checks.length) parts.push('', 'Automatic checks:', ...checks.map((c) => `- ${c.name}: ${c.status} (${fmt(c.score)}): ${c.reasons[0] ?? ''}`));
  return parts.join('\n');
}
