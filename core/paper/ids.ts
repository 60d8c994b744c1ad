/**
 * Client order ids: derived, never random, so the same decision always maps to the
 * same id. Alpaca refuses a second order with an id it has seen, and the session
 * never sends an id its journal already holds; together they make a resend after a
 * timeout, a crash or a reconnect harmless (docs/paper.md, "Nothing doubled").
 */

/** Session names: letters, digits, dot, dash, underscore (they name a folder and prefix every order id). */
export const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;

/** `sl-<session>-<bar time, base 36>-<n>`: the n-th order the strategy placed on that bar (at most 128 characters). */
export function clientOrderId(sessionId: string, barTime: number, indexInStep: number): string {
  if (!SESSION_ID.test(sessionId)) throw new RangeError(`Invalid paper session name '${sessionId}': use up to 40 letters, digits, '.', '-' or '_'.`);
  return `sl-${sessionId}-${Math.round(barTime).toString(36)}-${indexInStep}`;
}

/** True when `id` belongs to session `sessionId` (used to tell the session's own orders from the account's others). */
export function isSessionOrder(sessionId: string, id: string | undefined): boolean {
  return id !== undefined && id.startsWith(`sl-${sessionId}-`);
}
