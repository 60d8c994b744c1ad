import assert from 'node:assert/strict';
import { test } from 'node:test';
import { redactKnownSecrets, redactSecrets, secretsFromEnv } from '../../core/report/redact';
import { hasPiece } from '../helpers/secrets';

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

const KEY = 'sk-proj-Q7f3Zk9LmN2pR8sT4vW6xY1a';

test('partial echoes of a known key are masked: runs of 8+ characters, masked forms keeping its ends, bare ends', () => {
  const echoes = [
    `Incorrect API key provided: ${KEY.slice(0, 6)}************${KEY.slice(-4)}.`,
    `key ${KEY.slice(0, 7)}...${KEY.slice(-4)} rejected`,
    `key ${KEY.slice(0, 5)}…${KEY.slice(-3)} rejected`,
    `truncated: ${KEY.slice(0, 20)}`,
    `middle: x${KEY.slice(9, 19)}y`,
    `tail: ${KEY.slice(-12)}`,
    `ending in ${KEY.slice(-4)}.`,
    `starts with ${KEY.slice(0, 9)} then`,
  ];
  for (const text of echoes) {
    for (const redact of [redactSecrets, redactKnownSecrets]) {
      const out = redact(text, [KEY]);
      assert.ok(!hasPiece(out, KEY), `${redact.name} left a piece of the key in: ${out}`);
    }
  }
});

test('known-secret redaction leaves code and ordinary text alone', () => {
  const code = "const sortKey = 'close'; const token: number = 5; if (bar.close > 100000) this.buy('AAPL'); // 2020-03-23 sk-abc";
  assert.equal(redactKnownSecrets(code, [KEY]), code);
  assert.equal(redactKnownSecrets('Sharpe 1.23, 45 trades, 12.5% return', [KEY]), 'Sharpe 1.23, 45 trades, 12.5% return');
});

test('secretsFromEnv picks credential variables only', () => {
  assert.deepEqual(secretsFromEnv({ OPENAI_API_KEY: KEY, APCA_API_SECRET_KEY: 'alpaca-secret-123', HOME: '/root', PATH: '/usr/bin', EMPTY_TOKEN: '' }).sort(), ['alpaca-secret-123', KEY].sort());
});
