/** Alpaca keys from Secret Storage ("Set Alpaca Keys") into the provider a backtest uses. Local server only. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ALPACA_KEY_ID_SECRET, ALPACA_SECRET_KEY_SECRET, alpacaProvidersFromSecrets, readAlpacaKeys, type SecretSource } from '../../core/data/alpaca';
import { DataError } from '../../core/data/errors';
import { startServer, type LocalServer, type Recorded } from './local-server';

const KEY = 'PKSTOREDKEY42';
const SECRET = 'stored-secret-never-print';

/** A SecretStorage stand-in: vscode.SecretStorage's get(), backed by a Map. */
const store = (entries: Record<string, string>): SecretSource => {
  const map = new Map(Object.entries(entries));
  return { get: async (key) => map.get(key) };
};

const seen: Recorded[] = [];
let server: LocalServer;
before(async () => {
  server = await startServer((req) => {
    seen.push(req);
    return { body: { bars: [{ t: '2024-01-02T05:00:00Z', o: 1, h: 2, l: 0.5, c: 1.5, v: 100 }], next_page_token: null } };
  });
});
after(() => server.close());

test('readAlpacaKeys: the stored pair, trimmed; a half pair or nothing is undefined', async () => {
  assert.deepEqual(await readAlpacaKeys(store({ [ALPACA_KEY_ID_SECRET]: ` ${KEY} `, [ALPACA_SECRET_KEY_SECRET]: SECRET })), { keyId: KEY, secretKey: SECRET });
  assert.equal(await readAlpacaKeys(store({ [ALPACA_KEY_ID_SECRET]: KEY })), undefined);
  assert.equal(await readAlpacaKeys(store({ [ALPACA_SECRET_KEY_SECRET]: SECRET })), undefined);
  assert.equal(await readAlpacaKeys(store({})), undefined);
});

test('the provider built from stored keys sends them as Alpaca headers, over the environment\'s', async () => {
  const providers = await alpacaProvidersFromSecrets(store({ [ALPACA_KEY_ID_SECRET]: KEY, [ALPACA_SECRET_KEY_SECRET]: SECRET }), {
    dataUrl: server.url, tradingUrl: server.url, retry: { attempts: 1 },
    env: { APCA_API_KEY_ID: 'ENVKEY', APCA_API_SECRET_KEY: 'envsecret' },
  });
  assert.ok(providers.alpaca);
  const series = await providers.alpaca.fetch({ symbol: 'SPY', interval: '1d', start: Date.UTC(2024, 0, 2), end: Date.UTC(2024, 0, 3), adjusted: true });
  assert.equal(series.length, 1);
  const bars = seen.find((r) => r.path === '/v2/stocks/SPY/bars');
  assert.ok(bars, 'the bars endpoint was called');
  assert.equal(bars.headers['apca-api-key-id'], KEY);
  assert.equal(bars.headers['apca-api-secret-key'], SECRET);
});

test('no stored keys: no override (the default provider reads the environment), and its error names both ways', async () => {
  assert.deepEqual(await alpacaProvidersFromSecrets(store({ [ALPACA_KEY_ID_SECRET]: KEY })), {});
  const { AlpacaProvider } = await import('../../core/data/alpaca');
  const err = await new AlpacaProvider({ env: {} }).fetch({ symbol: 'SPY', interval: '1d', start: 0, end: 86_400_000, adjusted: true }).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof DataError);
  assert.match(err.message, /Set Alpaca Keys/);
  assert.match(err.message, /APCA_API_KEY_ID/);
});
