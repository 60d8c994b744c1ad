import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactSecrets } from '../../core/report/redact';

test('keys, tokens and secret-looking variables are masked; ordinary text is not', () => {
  const text = [
    'openai key sk-proj-abcdefghijklmnop1234 failed',
    'Authorization: Bearer abc.def.ghi12345',
    'ALPACA_API_SECRET=hunter2hunter2 and OPENAI_API_KEY: "sk-zzzzzzzzzzzz"',
    '{"apca-api-key-id":"PKABCDEFGHIJKLMN12"}',
    'RSI(14) crossed 35 on 2015-03-02; equity 10,234.50',
  ].join('\n');
  const out = redactSecrets(text, ['hunter2hunter2']);
  for (const secret of ['abcdefghijklmnop1234', 'abc.def.ghi12345', 'hunter2hunter2', 'zzzzzzzzzzzz', 'PKABCDEFGHIJKLMN12']) assert.ok(!out.includes(secret), `${secret} leaked: ${out}`);
  assert.ok(out.includes('RSI(14) crossed 35 on 2015-03-02; equity 10,234.50'));
});

test('an explicitly given secret is masked wherever it appears', () => {
  assert.equal(redactSecrets('the key is my-own-secret-value!', ['my-own-secret-value']), 'the key is ***!');
});
