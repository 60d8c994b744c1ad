/** A subset of VS Code's Light Modern / Dark Modern theme variables, set on <html> as VS Code does. */
import type { Page } from 'playwright-core';

export type ThemeName = 'light' | 'dark';

export const THEMES: Record<ThemeName, Record<string, string>> = {
  light: {
    '--vscode-editor-background': '#ffffff', '--vscode-editor-foreground': '#3b3b3b', '--vscode-descriptionForeground': '#717171',
    '--vscode-panel-border': '#e5e5e5', '--vscode-editorWidget-background': '#f8f8f8', '--vscode-charts-green': '#388a34',
    '--vscode-charts-red': '#e51400', '--vscode-editorWarning-foreground': '#bf8803', '--vscode-focusBorder': '#005fb8',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff',
    '--vscode-charts-blue': '#1a85ff', '--vscode-charts-yellow': '#bf8803', '--vscode-charts-purple': '#652d90',
  },
  dark: {
    '--vscode-editor-background': '#1f1f1f', '--vscode-editor-foreground': '#cccccc', '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-panel-border': '#2b2b2b', '--vscode-editorWidget-background': '#202020', '--vscode-charts-green': '#89d185',
    '--vscode-charts-red': '#f14c4c', '--vscode-editorWarning-foreground': '#cca700', '--vscode-focusBorder': '#0078d4',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff',
    '--vscode-charts-blue': '#3794ff', '--vscode-charts-yellow': '#cca700', '--vscode-charts-purple': '#b180d7',
  },
};

/** Switches the page to a theme as VS Code does: the variables on <html> and the body class. */
export async function applyTheme(page: Page, theme: ThemeName): Promise<void> {
  await page.evaluate(({ vars, theme }) => {
    for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
    document.body.classList.remove('vscode-light', 'vscode-dark');
    document.body.classList.add(`vscode-${theme}`);
  }, { vars: THEMES[theme], theme });
}
