import { h } from '../dom.js';
import type { Pager } from '../pager.js';

/** Previous and next page, each disabled where there is none; `load` shows the page the pager then points at. */
export function pageButtons(pager: Pager, load: () => Promise<void>): HTMLElement {
  const go = (move: () => void) => (): void => {
    move();
    void load();
  };
  return h(
    'div',
    { class: 'pager', role: 'group', 'aria-label': 'Pages' },
    h('button', { type: 'button', class: 'secondary', disabled: !pager.canGoBack, onclick: go(() => pager.previous()) }, 'Previous page'),
    h('button', { type: 'button', class: 'secondary', disabled: !pager.canGoForward, onclick: go(() => pager.next()) }, 'Next page'),
  );
}
