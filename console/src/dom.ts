// Elements are built with text nodes and attributes only, never from HTML strings: nothing the
// gateway returns can become markup.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces an element's content. */
export function show(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** A labelled form control: the label names it for assistive technology and for tests. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  const id = control.id || `f-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint ? h('p', { class: 'hint', id: hintId }, hint) : null);
}

export function select(name: string, options: readonly (readonly [value: string, label: string])[], selected = ''): HTMLSelectElement {
  const element = h('select', { name });
  for (const [value, label] of options) element.append(h('option', { value, selected: value === selected }, label));
  return element;
}

/** A status line read out by screen readers when it changes. */
export function statusLine(className = 'status'): HTMLElement {
  return h('p', { class: className, role: 'status', 'aria-live': 'polite' });
}

export function table(caption: string, headers: readonly string[], rows: readonly (readonly Child[])[], rowClass?: (index: number) => string | undefined): HTMLTableElement {
  return h(
    'table',
    {},
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, ...rows.map((cells, i) => h('tr', { class: rowClass?.(i) }, ...cells.map((cell) => h('td', {}, cell))))),
  );
}

/** Offers text as a file download (no server round trip: the data is already here). */
export function download(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = h('a', { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A panel form handled by script: submitting runs `onSubmit`, never a navigation (the CSP's form-action allows none). */
export function form(labelledBy: string, onSubmit: () => unknown, ...children: Child[]): HTMLFormElement {
  const submit = (event: Event): void => {
    event.preventDefault();
    void onSubmit();
  };
  return h('form', { class: 'panel', 'aria-labelledby': labelledBy, onsubmit: submit }, ...children);
}
