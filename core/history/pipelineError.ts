/**
 * A backtest that stopped at a stage, with what to do next. Its own module: describing an error (the editor does
 * it at start-up paths too) must not load the pipeline, which loads the TypeScript compiler.
 */
import type { Stage } from './stages';

export class PipelineError extends Error {
  constructor(readonly stage: Stage, message: string, readonly hint?: string) {
    super(message);
    this.name = 'PipelineError';
  }
}
