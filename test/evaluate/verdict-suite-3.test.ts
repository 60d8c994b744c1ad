/** The verdict suite, chunk 3 of 3 (test/evaluate/verdictSuite.ts; the table is fixtures/verdict-suite/suite.ts). */
import { describe } from 'node:test';
import { casesIn, flawedTest, honestTest } from './verdictSuite';

describe('verdict suite (3/3): flawed strategies rank below honest ones and are named by the right evaluator', () => {
  for (const c of casesIn(2, 3)) (c.kind === 'flawed' ? flawedTest(c) : honestTest(c));
});
