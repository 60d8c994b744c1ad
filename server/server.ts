/**
 * Entry of dist/server.js. The same bundle runs in two roles: the language server (main thread), and the worker
 * thread that checks a file above the full-check size limit (server/structureWorker.ts) so that its parse never
 * blocks hover and completion in other files. `require` keeps each role's module from running in the other.
 */
import { isMainThread } from 'node:worker_threads';

if (isMainThread) require('./languageServer');
else require('./structureWorker');
