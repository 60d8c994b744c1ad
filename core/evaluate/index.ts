/** Evaluation pipeline and refine loop (no vscode import): see docs/evaluate.md. */
export { evaluateStrategy, readSpec, type EvaluateInput, type EvaluatorStep } from './pipeline';
export { refine, feedbackFor, type RefineOptions, type RefineResult, type RefineIteration, type RefineEvent } from './refine';
export { adjustSpec, type Adjustment } from './adjust';
export { REFINE_ITERATIONS, refineCountProblem, describeRefineEvent, iterationLine, keyMetrics, describeChanges, refineOutcome, refineSummary, refineJson, iterationsInBrief, type RefineOutcome } from './refineReport';
export { findingsToDiagnostics, type FindingDiagnostic } from './code/diagnostics';
export { readCodeFacts, type CodeFacts } from './code/facts';
export { chatClientFrom, type ChatClient, type LlmConfig } from './llm/client';
export { DEFAULT_EVALUATE_SETTINGS, EVALUATE_SETTING_KEYS, EVALUATE_SETTING_SPECS, EvaluateSettingsError, evaluateSettingsFromFlat, evaluateSettingsSchema, resolveEvaluateSettings, type EvaluateSettings, type EvaluateSettingsInput } from './settings';
export { overallScore, CRITICAL } from './score';
export { formatReport } from './format';
export * from './types';
export { checksOf, verdictOf, CHECK_IDS, STRATEGY_IDS, IN_SAMPLE_CODE, type InSampleFinding } from './verdict/verdict';
export { computeEvidence } from './verdict/evidence';
export * from './verdict/types';
