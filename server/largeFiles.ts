import { Worker } from 'node:worker_threads';
import { ValidationCancelled, type ValidationResult } from '../core/validate/index';
import type { SchedulerToken } from './scheduler';

export interface StructureJob {
  fileName: string;
  text: string;
}

export type StructureReply = { result: ValidationResult } | { error: string };

/**
 * Heap and stack of the worker that checks one large file: enough for a 5 MB strategy's syntax tree (about
 * 1 GB at most), and bounded so that a pathological file ends the worker, not the server.
 */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 1536, maxYoungGenerationSizeMb: 64, stackSizeMb: 8 };

/**
 * Checks a file above the full-check limit (syntax and structural rules, core/validate MAX_FULL_CHECK_CHARS) in a
 * worker thread of this same bundle, with a project of its own: the server's event loop stays free for hover and
 * completion in other files, and the memory of the large file's syntax tree is released when the worker ends.
 * Cancelling `token` (the file changed or was closed) terminates the worker at once.
 */
export function checkStructureInWorker(fileName: string, text: string, token: SchedulerToken): Promise<ValidationResult> {
  return new Promise((resolve, reject) => {
    if (token.isCancellationRequested) return reject(new ValidationCancelled());
    const worker = new Worker(__filename, { workerData: { fileName, text } satisfies StructureJob, resourceLimits: WORKER_LIMITS });
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      stopListening();
      void worker.terminate();
      outcome();
    };
    const stopListening = token.onCancellationRequested(() => settle(() => reject(new ValidationCancelled())));
    worker.once('message', (reply: StructureReply) => settle(() => ('result' in reply ? resolve(reply.result) : reject(new Error(reply.error)))));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the check of this large file stopped (worker exit code ${code})`))));
  });
}
