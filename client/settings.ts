/** The extension's settings, read once per use from `strategyLab.*` and typed. */
import * as vscode from 'vscode';
import type { SourceId } from '../core/data/provider';
import { EVALUATE_SETTING_KEYS } from '../core/evaluate/settings';
import type { RunOptions } from '../core/history/types';
import { SANDBOX_SETTING_KEYS, sandboxSettingsFrom, type ExtensionSandboxSettings } from '../core/sandbox/settings';

export type ExtensionSandboxMode = 'docker' | 'process';

export interface Settings {
  /** Only the mode: the runner's settings come from readSandboxSettings (which checks them). */
  sandbox: { mode: ExtensionSandboxMode };
  data: { source: SourceId; csvPath: string; adjusted: boolean; requestTimeoutSeconds: number };
  defaults: Required<Pick<RunOptions, 'cash' | 'commission' | 'slippageBps' | 'fill'>>;
  strategyGlob: string;
  /** Run the evaluators after every backtest. */
  evaluate: boolean;
  /**
   * `strategyLab.evaluate.*` weights and thresholds as VS Code has them (key → value, e.g. 'risk.maxDrawdownPct'),
   * unchecked: `evaluateSettingsFromFlat` (core/evaluate/settings.ts) turns them into evaluator settings or one error.
   */
  evaluateRaw: Record<string, unknown>;
}

export function readSettings(scope?: vscode.Uri): Settings {
  const c = vscode.workspace.getConfiguration('strategyLab', scope);
  return {
    sandbox: { mode: c.get<ExtensionSandboxMode>('sandbox.mode', 'docker') === 'process' ? 'process' : 'docker' },
    data: {
      source: c.get<SourceId>('data.source', 'sample'),
      csvPath: c.get<string>('data.csvPath', ''),
      adjusted: c.get<boolean>('data.adjusted', true),
      requestTimeoutSeconds: c.get<number>('data.requestTimeoutSeconds', 30),
    },
    defaults: {
      cash: c.get<number>('backtest.cash', 10_000),
      commission: c.get<number>('backtest.commission', 0),
      slippageBps: c.get<number>('backtest.slippageBps', 0),
      fill: c.get<'next-open' | 'close'>('backtest.fill', 'next-open'),
    },
    strategyGlob: c.get<string>('strategyGlob', '**/*.strategy.ts'),
    evaluate: c.get<boolean>('evaluate.afterBacktest', true),
    evaluateRaw: Object.fromEntries(EVALUATE_SETTING_KEYS.map((key) => [key, c.get<unknown>(`evaluate.${key}`)])),
  };
}

/**
 * `strategyLab.sandbox.*` as runner settings, every default filled in (core/sandbox/settings.ts). Throws a
 * RangeError naming each bad setting and what it accepts.
 */
export function readSandboxSettings(): ExtensionSandboxSettings {
  const c = vscode.workspace.getConfiguration('strategyLab.sandbox');
  return sandboxSettingsFrom(Object.fromEntries(SANDBOX_SETTING_KEYS.map((key) => [key, c.get<unknown>(key)])));
}

/** Settings whose change needs a new sandbox runner (pool, Docker connection). */
export function affectsSandbox(e: vscode.ConfigurationChangeEvent): boolean {
  return e.affectsConfiguration('strategyLab.sandbox');
}
