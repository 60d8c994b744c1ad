/** Messages between the extension and the paper trading panel (media/paper.ts). Plain JSON. */
import type { PaperView } from '../core/paper/view';

export type ToPaperWebview = { type: 'view'; view: PaperView };

export type FromPaperWebview =
  | { type: 'ready' }
  /** The kill switch: stop feeding, cancel the session's open orders, and with `flatten` close its positions. */
  | { type: 'stop'; flatten: boolean }
  | { type: 'openFile' };
