/**
 * Caps on what a strategy puts into its own result (docs/sandbox.md, "Caps"). A result crosses to the host and
 * is shown in every surface, so each strategy-controlled part of it is bounded, with a clear error past the cap.
 */

/** Orders one run may place (buy/sell/close calls, accepted or rejected). */
export const MAX_ORDERS = 250_000;
/** Longest strategy class name (characters). */
export const MAX_STRATEGY_NAME_CHARS = 200;
/** Most parameters a strategy may have. */
export const MAX_PARAMS = 200;
/** Longest parameter name (characters). */
export const MAX_PARAM_NAME_CHARS = 100;
/** Most indicators a result draws; further ones are left out (explicit plot() calls first, then fields in order). */
export const MAX_PLOTS = 12;
/** Most lines over all drawn indicators (Bollinger Bands, MACD and ADX have 3, Stochastic 2). */
export const MAX_PLOT_LINES = 24;
