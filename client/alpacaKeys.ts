/**
 * "Strategy Lab: Set Alpaca Keys": the Alpaca key id and secret go to VS Code Secret Storage (never settings,
 * logs or webviews). Backtests with the alpaca source then use them (client/backtest.ts, through
 * `alpacaProvidersFromSecrets` in core/data/alpaca.ts); without stored keys the environment's apply.
 */
import * as vscode from 'vscode';
import { ALPACA_KEY_ID_SECRET, ALPACA_SECRET_KEY_SECRET } from '../core/data/alpaca';

export const SET_ALPACA_KEYS_COMMAND = 'strategyLab.setAlpacaKeys';

/** Asks for the key id, then the secret; an empty key id removes the stored pair, Escape changes nothing. */
export async function setAlpacaKeys(secrets: vscode.SecretStorage): Promise<void> {
  const keyId = await vscode.window.showInputBox({
    title: 'Strategy Lab: Set Alpaca Keys (1/2)',
    prompt: 'Alpaca API key ID (from your Alpaca dashboard; a free paper account has one). Kept in VS Code Secret Storage. Leave empty to remove the stored keys.',
    password: true,
    ignoreFocusOut: true,
  });
  if (keyId === undefined) return;
  if (!keyId.trim()) {
    await secrets.delete(ALPACA_KEY_ID_SECRET);
    await secrets.delete(ALPACA_SECRET_KEY_SECRET);
    void vscode.window.showInformationMessage('Strategy Lab: Alpaca keys removed. The alpaca source now uses APCA_API_KEY_ID / APCA_API_SECRET_KEY from the environment, if set.');
    return;
  }
  const secretKey = await vscode.window.showInputBox({
    title: 'Strategy Lab: Set Alpaca Keys (2/2)',
    prompt: 'Alpaca API secret key. Kept in VS Code Secret Storage, never in settings or logs.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() ? undefined : 'The secret key is needed too (Escape cancels and keeps the stored keys).'),
  });
  if (secretKey === undefined || !secretKey.trim()) return;
  await secrets.store(ALPACA_KEY_ID_SECRET, keyId.trim());
  await secrets.store(ALPACA_SECRET_KEY_SECRET, secretKey.trim());
  void vscode.window.showInformationMessage('Strategy Lab: Alpaca keys saved in Secret Storage. Backtests with the alpaca data source use them.');
}
