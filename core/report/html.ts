/** The whole results view as one self-contained HTML file: the panel's own bundle and styles inlined, the run embedded. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunRecord } from '../history/types';
import { buildPanelHtml, newNonce } from './shell';

export interface PanelAssets {
  js: string;
  css: string;
}

/** Reads the built panel bundle (dist/media/main.js and main.css). */
export async function readPanelAssets(distDir: string): Promise<PanelAssets> {
  const dir = join(distDir, 'media');
  try {
    const [js, css] = await Promise.all([readFile(join(dir, 'main.js'), 'utf8'), readFile(join(dir, 'main.css'), 'utf8')]);
    return { js, css };
  } catch (err) {
    throw new Error(`The results panel bundle is missing in ${dir} (${(err as Error).message}). Run \`npm run build\` first.`);
  }
}

export function buildHtmlReport(run: RunRecord, assets: PanelAssets, nonce = newNonce()): string {
  return buildPanelHtml({
    title: `${run.strategy.name} — Strategy Lab report`,
    nonce,
    script: { inline: stripSourceMapComment(assets.js) },
    style: { inline: stripSourceMapComment(assets.css) },
    model: { run, compareWith: null, status: { state: 'done' }, error: null, logs: run.logs },
  });
}

/** A report is a single file: a pointer to a .map next to the bundle would dangle. */
function stripSourceMapComment(text: string): string {
  return text.replace(/\n\/[/*]# sourceMappingURL=[^\n]*\s*$/, '\n');
}
