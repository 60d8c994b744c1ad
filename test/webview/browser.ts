/**
 * Headless Debian Chromium through playwright-core (no Playwright browser download),
 * plus a tiny 127.0.0.1 file server for the built panel bundle.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { buildPanelHtml, newNonce } from '../../core/report/shell';
import { repoRoot } from '../helpers/paths';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = resolve(repoRoot, 'test-artifacts', 'webview');
export const DIST_MEDIA = resolve(repoRoot, 'dist', 'media');

/**
 * Installs Debian's chromium with apt when it is missing; fails loudly when it cannot. Test files run side by side,
 * and each may find chromium missing on a fresh machine: the install holds a lock (flock), and whoever gets it
 * second finds chromium there, instead of failing on dpkg's lock.
 */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  console.error(`\n*** ${CHROMIUM} is missing: installing Debian's chromium with apt-get (needs root and the Debian mirror) ***\n`);
  const install = `[ -x ${JSON.stringify(CHROMIUM)} ] || { apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium; }`;
  const r = spawnSync('flock', [join(tmpdir(), 'strategy-lab-apt.lock'), 'bash', '-c', install], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM} and \`apt-get install chromium\` failed (exit ${r.status}). Install it as root (apt-get install chromium) or set CHROMIUM=/path/to/chromium.`);
  }
  return CHROMIUM;
}

export function ensureBundle(): void {
  for (const f of ['main.js', 'main.css']) {
    if (!existsSync(join(DIST_MEDIA, f))) throw new Error(`dist/media/${f} is missing: run \`npm run build\` (or the test command without SKIP_BUILD=1) first.`);
  }
}

export async function launch(): Promise<{ context: BrowserContext; page: Page; close(): Promise<void> }> {
  const executablePath = ensureChromium();
  const profile = mkdtempSync(join(tmpdir(), 'sl-webview-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1300, height: 1000 },
    env: { ...process.env, HOME: profile },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  // tsx compiles this file with esbuild's keepNames, so functions handed to page.evaluate call a
  // `__name` helper that only exists in Node: give the page a no-op one.
  await context.addInitScript({ content: 'globalThis.__name = (fn) => fn;' });
  const page = context.pages()[0] ?? await context.newPage();
  return { context, page, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
}

export interface Problems {
  console: string[];
  csp: string[];
}

/** Collects console errors, uncaught exceptions and CSP violations of a page. */
export async function watchProblems(page: Page): Promise<Problems> {
  const problems: Problems = { console: [], csp: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') {
      const text = msg.text();
      (/Content Security Policy|Refused to/i.test(text) ? problems.csp : problems.console).push(`${msg.type()}: ${text}`);
    }
  });
  page.on('pageerror', (err) => problems.console.push(`pageerror: ${err.message}`));
  await page.exposeFunction('__reportCsp', (text: string) => problems.csp.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCsp(t: string): void }).__reportCsp(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  return problems;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

/** Serves `pages` (path → html) and the built bundle under /media/ on 127.0.0.1. */
export async function serve(pages: Map<string, string>): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const html = pages.get(path);
    if (html !== undefined) { res.writeHead(200, { 'content-type': TYPES['.html'] }); res.end(html); return; }
    if (path.startsWith('/media/') && !path.includes('..')) {
      const file = join(DIST_MEDIA, path.slice('/media/'.length));
      if (existsSync(file)) { res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }); res.end(readFileSync(file)); return; }
    }
    res.writeHead(path === '/favicon.ico' ? 204 : 404); res.end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as { port: number }).port;
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); }) };
}

export function artifact(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return join(ARTIFACTS, name);
}

/**
 * Counts canvas pixels close to each wanted colour, over every canvas inside `selector`.
 * A chart that drew nothing has only background (and maybe grid) pixels.
 */
export async function colourCounts(page: Page, selector: string, colours: Record<string, string>): Promise<Record<string, number> & { distinct: number }> {
  return page.evaluate(({ selector, colours }) => {
    const parse = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const wanted = Object.entries(colours).map(([name, hex]) => ({ name, rgb: parse(hex) }));
    const counts: Record<string, number> = Object.fromEntries(wanted.map((w) => [w.name, 0]));
    const distinct = new Set<number>();
    for (const canvas of Array.from(document.querySelectorAll<HTMLCanvasElement>(`${selector} canvas`))) {
      if (!canvas.width || !canvas.height) continue;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 200) continue;
        distinct.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
        for (const w of wanted) {
          if (Math.abs(data[i] - w.rgb[0]) < 8 && Math.abs(data[i + 1] - w.rgb[1]) < 8 && Math.abs(data[i + 2] - w.rgb[2]) < 8) counts[w.name]++;
        }
      }
    }
    return { ...counts, distinct: distinct.size } as Record<string, number> & { distinct: number };
  }, { selector, colours });
}

/** The webview flavour of the panel: script and stylesheet by URI from the "extension" origin, as VS Code loads them. */
export function webviewPage(origin: string): string {
  return buildPanelHtml({
    title: 'Results', nonce: newNonce(), cspSource: origin,
    script: { uri: `${origin}/media/main.js` }, style: { uri: `${origin}/media/main.css` },
  });
}

/**
 * A VS Code webview API that keeps nothing, on pages at `path` only: the panel runs as in VS Code (toolbar,
 * actions) without a host, while other pages (the exported report) stay as they are.
 */
export async function stubVsCodeApi(page: Page, path = '/webview.html'): Promise<void> {
  await page.addInitScript((only) => {
    if (location.pathname !== only) return;
    (window as unknown as Record<string, unknown>).acquireVsCodeApi = () => ({ postMessage: () => undefined, getState: () => undefined, setState: () => undefined });
  }, path);
}

/** What `openRecordingWebview` gives a test. */
export interface RecordingWebview {
  page: Page;
  problems: Problems;
  /** Closes the browser and the file server. */
  close(): Promise<void>;
}

/**
 * A webview bundle of dist/media (`name`.js and `name`.css) on a 127.0.0.1 page under the webview's CSP, in
 * headless Chromium, with a VS Code API that records what the page posts (`window.__posted`) and keeps its state.
 */
export async function openRecordingWebview(name: string, title: string): Promise<RecordingWebview> {
  for (const f of [`${name}.js`, `${name}.css`]) if (!existsSync(join(DIST_MEDIA, f))) throw new Error(`dist/media/${f} is missing: run \`node esbuild.mjs\` first.`);
  const pages = new Map<string, string>();
  const server = await serve(pages);
  pages.set(`/${name}.html`, buildPanelHtml({ title, nonce: newNonce(), cspSource: server.origin, script: { uri: `${server.origin}/media/${name}.js` }, style: { uri: `${server.origin}/media/${name}.css` } }));
  const { page, close } = await launch();
  const problems = await watchProblems(page);
  await page.addInitScript(() => {
    const w = window as unknown as { __posted: unknown[]; acquireVsCodeApi: () => unknown };
    w.__posted = [];
    let saved: unknown;
    w.acquireVsCodeApi = () => ({ postMessage: (m: unknown) => w.__posted.push(m), getState: () => saved, setState: (s: unknown) => (saved = s) });
  });
  await page.goto(`${server.origin}/${name}.html`);
  return { page, problems, close: async () => { await close(); await server.close(); } };
}
