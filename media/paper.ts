/**
 * The paper trading panel (bundled to dist/media/paper.js): renders one PaperView (core/paper/view.ts) — the mode,
 * account, positions, open orders, fills, a P&L chart over the session, guard-rail blocks and the strategy's
 * log — and offers the kill switch (Stop, Stop & flatten) while the session runs. Every control is a native
 * button; scrollable regions take focus, so everything is reachable from the keyboard. Text goes through
 * textContent only (media/dom.ts); the chart is SVG built with DOM calls (the CSP allows no inline markup).
 */
import './controls.css';
import './paper.css';
import { pnlPath, signedMoney, type PaperView } from '../core/paper/view';
import { clear, h, section } from './dom';
import type { FromPaperWebview, ToPaperWebview } from './paperProtocol';

interface VsCodeApi {
  postMessage(message: FromPaperWebview): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const api: VsCodeApi = typeof acquireVsCodeApi === 'function' ? acquireVsCodeApi() : { postMessage: () => {}, getState: () => undefined, setState: () => {} };
const app = document.getElementById('app')!;
const SVG = 'http://www.w3.org/2000/svg';
const CHART_W = 720;
const CHART_H = 160;

let view: PaperView | undefined = (api.getState() as { view?: PaperView } | undefined)?.view;

window.addEventListener('message', (event: MessageEvent<ToPaperWebview>) => {
  if (event.data?.type !== 'view') return;
  view = event.data.view;
  api.setState({ view });
  render();
});

const money = (n: number) => `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const price = (n: number) => n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
const when = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
const signClass = (n: number) => (n > 0 ? 'num pos' : n < 0 ? 'num neg' : 'num');

function table(id: string, headers: string[], rows: (string | { text: string; class: string })[][], empty: string): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'empty', text: empty, attrs: { id } });
  const numeric = (i: number) => rows.some((r) => typeof r[i] !== 'string' && r[i] && (r[i] as { class: string }).class.startsWith('num'));
  return h('div', { class: 'scroll', attrs: { tabindex: '0', role: 'region', 'aria-label': id } },
    h('table', { attrs: { id } },
      h('thead', {}, h('tr', {}, ...headers.map((t, i) => h('th', { text: t, class: numeric(i) ? 'num' : '', attrs: { scope: 'col' } })))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => (typeof c === 'string' ? h('td', { text: c }) : h('td', { text: c.text, class: c.class })))))),
    ));
}

const num = (text: string, cls = 'num') => ({ text, class: cls });

function chart(v: PaperView): HTMLElement {
  if (v.equity.length < 2) return h('p', { class: 'empty', text: 'The P&L chart starts after the first live bars.', attrs: { id: 'pnl-chart' } });
  const { d, zeroY } = pnlPath(v.equity, CHART_W, CHART_H);
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('id', 'pnl-chart');
  svg.setAttribute('class', 'chart');
  svg.setAttribute('viewBox', `0 0 ${CHART_W} ${CHART_H}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Session P&L over ${v.equity.length} steps, now ${signedMoney(v.sessionPnl)}`);
  const zero = document.createElementNS(SVG, 'line');
  for (const [k, val] of [['x1', '0'], ['x2', String(CHART_W)], ['y1', String(zeroY)], ['y2', String(zeroY)], ['class', 'zero']]) zero.setAttribute(k, val);
  const line = document.createElementNS(SVG, 'path');
  line.setAttribute('d', d);
  line.setAttribute('class', 'line');
  svg.append(zero, line);
  const last = v.equity[v.equity.length - 1];
  return h('figure', {}, svg as unknown as HTMLElement, h('figcaption', { class: 'hint', text: `${when(v.equity[0].time)} → ${when(last.time)} · equity ${money(last.equity)} · session P&L ${signedMoney(v.sessionPnl)}` }));
}

function post(m: FromPaperWebview): void {
  api.postMessage(m);
}

function render(): void {
  clear(app);
  if (!view) {
    app.append(h('p', { class: 'empty', text: 'Waiting for the session…' }));
    return;
  }
  const v = view;
  const title = h('h1', {},
    h('span', { class: `mode ${v.mode}`, text: v.mode, attrs: { id: 'mode' } }),
    h('span', { text: `${v.sessionId}` }),
    h('span', { class: `status ${v.status}`, text: v.killed ? `${v.status} (kill switch)` : v.status, attrs: { id: 'status', role: 'status' } }),
  );
  const actions = v.running
    ? h('div', { class: 'actions', attrs: { id: 'actions' } },
      h('button', { text: 'Stop', title: 'Stop feeding the strategy and cancel its open orders (positions stay)', attrs: { id: 'stop' }, on: { click: () => post({ type: 'stop', flatten: false }) } }),
      h('button', { class: 'secondary', text: 'Stop & flatten', title: 'Stop, cancel open orders, and close the strategy\'s positions at market', attrs: { id: 'stop-flatten' }, on: { click: () => post({ type: 'stop', flatten: true }) } }),
      v.file ? h('button', { class: 'secondary', text: 'Open strategy', attrs: { id: 'open-file' }, on: { click: () => post({ type: 'openFile' }) } }) : null)
    : h('p', { class: 'hint', attrs: { id: 'actions' }, text: `The session is ${v.status}. Start it again from the "Paper trade" code lens: it resumes from its journal.` });
  const a = v.account;
  const account = a
    ? h('div', { class: 'cards' },
      ...[['Account', a.number, ''], ['Equity', money(a.equity), ''], ['Cash', money(a.cash), ''], ['Buying power', money(a.buyingPower), ''], ['Today', signedMoney(a.todayPnl), a.todayPnl < 0 ? 'neg' : 'pos'], ['Session P&L', signedMoney(v.sessionPnl), v.sessionPnl < 0 ? 'neg' : 'pos']]
        .map(([label, value, cls]) => h('div', { class: 'card' }, h('div', { class: 'label', text: label }), h('div', { class: `value ${cls}`, text: value, attrs: { id: `account-${label.toLowerCase().replace(/[^a-z]+/g, '-')}` } }))))
    : h('p', { class: 'empty', text: 'No account read yet.' });
  app.append(
    title,
    h('p', { class: 'hint', text: `${v.file}${v.lastBar === undefined ? '' : ` · last bar ${when(v.lastBar)}`}` }),
    actions,
    section('account', 'Account', account),
    section('chart', 'P&L over the session', chart(v)),
    section('positions', 'Positions', table('positions-table', ['Symbol', 'Shares', 'Avg price', 'Last', 'Value', 'Unrealized'],
      v.positions.map((p) => [p.symbol, num(String(p.shares)), num(price(p.avgPrice)), num(price(p.lastPrice)), num(money(p.marketValue)), num(signedMoney(p.unrealizedPnl), signClass(p.unrealizedPnl))]), 'No positions.')),
    section('orders', 'Open orders', table('orders-table', ['Side', 'Qty', 'Symbol', 'Filled', 'Status', 'Client order id'],
      v.openOrders.map((o) => [o.side, num(String(o.qty)), o.symbol, num(String(o.filledQty)), o.status, o.clientOrderId]), 'No open orders.')),
    section('fills', 'Fills', table('fills-table', ['Time', 'Side', 'Qty', 'Symbol', 'Price', 'Client order id'],
      v.fills.map((f) => [when(f.time), f.side, num(String(f.qty)), f.symbol, num(price(f.price)), f.clientOrderId]), 'No fills yet.')),
    section('blocks', 'Guard-rail blocks', table('blocks-table', ['Time', 'Rule', 'Reason', 'Client order id'],
      v.blocks.map((b) => [when(b.at), b.rule, b.reason, b.clientOrderId]), 'No order was blocked.')),
    ...(v.differences.length ? [section('differences', 'Journal vs account', h('ul', {}, ...v.differences.map((d) => h('li', { text: d }))))] : []),
    section('strategy-log', 'Strategy log', v.strategyLog.length ? h('pre', { class: 'log', text: v.strategyLog.join('\n'), attrs: { id: 'strategy-log-text', tabindex: '0', 'aria-label': 'strategy log' } }) : h('p', { class: 'empty', text: v.running ? 'The strategy has logged nothing yet.' : 'The strategy log is shown while the session runs in this window.' })),
    section('log', 'Session log', v.log.length ? h('pre', { class: 'log', text: v.log.join('\n'), attrs: { id: 'log-text', tabindex: '0', 'aria-label': 'session log' } }) : h('p', { class: 'empty', text: 'Nothing logged yet.' })),
  );
  document.title = `${v.mode} ${v.sessionId}`;
}

render();
post({ type: 'ready' });
