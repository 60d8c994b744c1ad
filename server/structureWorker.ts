/** Worker thread body: the structural check of one large file (see server/largeFiles.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { StrategyValidator } from '../core/validate/index';
import type { StructureJob, StructureReply } from './largeFiles';

const { fileName, text } = workerData as StructureJob;
let reply: StructureReply;
try {
  reply = { result: new StrategyValidator().validateStructure(fileName, text) };
} catch (error) {
  reply = { error: String((error as Error)?.message ?? error) };
}
parentPort!.postMessage(reply);
