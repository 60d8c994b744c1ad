/** Progress stages of one backtest, in order (the progress notification and the panel show them). */
export const STAGES = ['data', 'compile', 'sandbox', 'metrics', 'evaluators'] as const;
export type Stage = (typeof STAGES)[number];
