/** The "Strategy Lab" output channel. Everything goes through redactSecrets first. */
import * as vscode from 'vscode';
import { redactSecrets } from '../core/report/redact';

export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string, err?: unknown): void;
  show(): void;
  readonly channel: vscode.LogOutputChannel;
}

export function createLog(): Log {
  const channel = vscode.window.createOutputChannel('Strategy Lab', { log: true });
  const clean = (text: string) => redactSecrets(text);
  return {
    channel,
    info: (m) => channel.info(clean(m)),
    warn: (m) => channel.warn(clean(m)),
    error: (m, err) => {
      const detail = err instanceof Error ? `${err.name}: ${err.message}${err.stack ? `\n${err.stack.split('\n').slice(1, 6).join('\n')}` : ''}` : err !== undefined ? String(err) : '';
      channel.error(clean(detail ? `${m}\n${detail}` : m));
    },
    show: () => channel.show(true),
  };
}
