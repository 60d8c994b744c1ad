// Debian's Chromium through playwright-core (no Playwright browser download), pointed at the VS Code server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.E2E_URL ?? 'http://127.0.0.1:8091';
export const WS = process.env.E2E_WS;            // scratch copy of e2e/fixtures/ws opened in VS Code
export const SHOTS = process.env.E2E_SHOTS ?? 'test-artifacts/e2e';
export const EXT = path.resolve(process.env.E2E_EXT_DIR ?? '.');   // extensionDevelopmentPath: this checkout

export async function launch() {
  const udd = fs.mkdtempSync(path.join(os.tmpdir(), 'sl-e2e-chromium-'));
  const ctx = await chromium.launchPersistentContext(udd, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1500, height: 950 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = ctx.pages()[0] ?? await ctx.newPage();
  const close = async () => { await ctx.close(); fs.rmSync(udd, { recursive: true, force: true }); };
  return { ctx, page, close };
}

/** Workbench URL with the extension loaded from this checkout (and optionally a test module to run). */
export function workbenchUrl(extra = []) {
  const authority = new URL(BASE).host;
  const remote = (p) => `vscode-remote://${authority}${p}`;
  const payload = [['extensionDevelopmentPath', remote(EXT)], ...extra.map(([k, v]) => [k, remote(v)])];
  return `${BASE}/?folder=${encodeURIComponent(WS)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

export function newestRun() {
  const dir = path.join(WS, '.strategy-lab', 'runs');
  if (!fs.existsSync(dir)) return undefined;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.summary.json')).sort();
  return files.length ? JSON.parse(fs.readFileSync(path.join(dir, files.at(-1)), 'utf8')) : undefined;
}

export function shot(name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name);
}
