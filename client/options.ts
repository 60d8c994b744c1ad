/** "Backtest with options…": data source, date range, cash, commission, remembered per strategy file. */
import * as vscode from 'vscode';
import { SOURCES, type SourceId } from '../core/data/provider';
import type { RunOptions } from '../core/history/types';
import { readSettings } from './settings';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function validDate(v: string): string | undefined {
  if (v === '') return undefined;
  return DATE.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) ? undefined : 'Use YYYY-MM-DD (e.g. 2018-01-31), or leave empty for the strategy\'s own range.';
}

function number(min: number, max: number, what: string) {
  return (v: string) => {
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) && n >= min && n <= max ? undefined : `${what} must be a number from ${min} to ${max}.`;
  };
}

/** Asks step by step; undefined when the user pressed Escape. */
export async function askRunOptions(uri: vscode.Uri, memory: vscode.Memento): Promise<RunOptions | undefined> {
  const key = `strategyLab.lastOptions:${uri.toString()}`;
  const settings = readSettings(uri);
  const last = memory.get<RunOptions>(key) ?? {};
  const labels: Record<SourceId, string> = {
    sample: 'Bundled sample (offline, synthetic prices)',
    yahoo: 'Yahoo Finance (cached on disk)',
    alpaca: 'Alpaca market data (needs API keys)',
    csv: 'CSV files in the workspace (data/*.csv)',
  };
  const current = (last.source ?? settings.data.source) as SourceId;
  const picked = await vscode.window.showQuickPick(
    SOURCES.map((id) => ({ label: id, description: labels[id], picked: id === current })),
    { title: 'Backtest with options (1/5): data source', placeHolder: `Now: ${current}` },
  );
  if (!picked) return undefined;
  const ask = (step: number, prompt: string, value: string, validateInput: (v: string) => string | undefined) =>
    vscode.window.showInputBox({ title: `Backtest with options (${step}/5)`, prompt, value, validateInput, ignoreFocusOut: true });
  const from = await ask(2, 'First date (YYYY-MM-DD), empty for the strategy\'s own start', last.from ?? '', validDate);
  if (from === undefined) return undefined;
  const to = await ask(3, 'Last date (YYYY-MM-DD), empty for the latest data', last.to ?? '', (v) => validDate(v) ?? (v && from && v <= from ? 'The last date must be after the first date.' : undefined));
  if (to === undefined) return undefined;
  const cash = await ask(4, 'Starting cash', String(last.cash ?? settings.defaults.cash), number(1, 1e12, 'Cash'));
  if (cash === undefined) return undefined;
  const commission = await ask(5, 'Commission per side as a fraction of traded value (0.001 = 0.1 %)', String(last.commission ?? settings.defaults.commission), number(0, 0.5, 'Commission'));
  if (commission === undefined) return undefined;
  const options: RunOptions = {
    source: picked.label as SourceId,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    cash: Number(cash),
    commission: Number(commission),
  };
  await memory.update(key, options);
  return options;
}
