/**
 * The results page escapes strategy text the same way the CLI is tested to (test/cli/terminal.test.ts, one shared
 * hostile corpus): in the page title and in the embedded model nothing can close its element or inject markup,
 * and the model arrives byte for byte (the UI then renders it through textContent only, media/dom.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPanelHtml, jsonForHtml } from '../../core/report/shell';
import { EMBEDDED_MODEL_ID, type ViewModel } from '../../media/protocol';
import { HOSTILE_TEXT } from '../helpers/hostileText';

test('hostile strategy text in the title and the embedded model cannot break out of the page', () => {
  for (const text of HOSTILE_TEXT) {
    const model = { strategy: text, trades: [{ tag: text }], logs: [text] } as unknown as ViewModel;
    const html = buildPanelHtml({ title: `Results: ${text}`, nonce: 'a'.repeat(24), script: { inline: 'void 0;' }, style: { inline: '' }, model });
    const title = /<title>([^]*?)<\/title>/.exec(html)![1];
    assert.doesNotMatch(title, /[<>]/, `title of ${JSON.stringify(text)}`);
    const embedded = new RegExp(`<script type="application/json" id="${EMBEDDED_MODEL_ID}">([^]*?)</script>`).exec(html)![1];
    assert.doesNotMatch(embedded, /<|\u2028|\u2029/, 'the model cannot close its script element or end a line');
    assert.deepEqual(JSON.parse(embedded), model, 'the model arrives unchanged');
    assert.equal((html.match(/<script/g) ?? []).length, 2, 'no injected script element');
    assert.equal(jsonForHtml(text).includes('</script'), false);
  }
});
