import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateOffline, LLM_SETTING_KEYS } from '../../core/generate/index';

const doc = readFileSync(resolve(__dirname, '..', '..', 'docs', 'generate.md'), 'utf8');

test('docs/generate.md: every example idea generates', () => {
  const ideas = [...doc.matchAll(/```ideas\n([\s\S]*?)```/g)].flatMap((m) => m[1].split('\n')).map((l) => l.trim()).filter(Boolean);
  assert.ok(ideas.length >= 10, `found ${ideas.length} example ideas`);
  for (const idea of ideas) assert.doesNotThrow(() => generateOffline(idea), idea);
});

test('docs/generate.md: the sample output is what the generator writes today', () => {
  const sample = /What it writes for the first one:\n\n```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(sample);
  assert.equal(sample, generateOffline('Buy AAPL when RSI drops below 35, sell when it rises above 65').source);
});

test('docs/generate.md: names every llm setting', () => {
  for (const key of Object.values(LLM_SETTING_KEYS)) assert.ok(doc.includes(`strategyLab.${key}`), key);
});
