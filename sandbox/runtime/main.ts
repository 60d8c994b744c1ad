'use strict';
/**
 * Entry of the sandbox runtime (bundled to dist/sandbox/runtime.js, copied
 * into the image as /app/runtime.js). The same file runs twice: as the
 * supervisor (main thread, owns stdin/stdout) and as the strategy worker.
 */
import { isMainThread } from 'node:worker_threads';
import { runSupervisor } from './supervisor';
import { runWorker } from './worker';

if (isMainThread) runSupervisor(__filename, process.argv.slice(2));
else runWorker();
