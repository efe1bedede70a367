// Passages in the page: between a selection in the article's body and the
// offsets the backend keeps, and marking passages in the body.
//
// Offsets count Unicode code points of the body's text (`textContent`), as
// the backend counts characters of the same HTML; JavaScript strings count
// UTF-16 units, so every offset here is converted. Marks are <mark>
// elements wrapped around text: they split text nodes but never change
// the text, so offsets stay true with any number of marks in place.

import type { NewPassage } from './api';

/** How many code points `text` has. */
export function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** The UTF-16 index in `text` of code point `points` (or its length). */
function unitIndex(text: string, points: number): number {
  let i = 0;
  let n = 0;
  while (i < text.length && n < points) {
    const unit = text.charCodeAt(i);
    i += unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length ? 2 : 1;
    n++;
  }
  return i;
}

/** The passage `range` covers in `root` (the element the body is in),
 * clipped to it; null when it covers no text of it. */
export function passageOf(root: HTMLElement, range: Range, version: number): NewPassage | null {
  const clipped = document.createRange();
  clipped.selectNodeContents(root);
  if (range.compareBoundaryPoints(Range.END_TO_START, clipped) >= 0) return null;
  if (range.compareBoundaryPoints(Range.START_TO_END, clipped) <= 0) return null;
  if (range.compareBoundaryPoints(Range.START_TO_START, clipped) > 0)
    clipped.setStart(range.startContainer, range.startOffset);
  if (range.compareBoundaryPoints(Range.END_TO_END, clipped) < 0) clipped.setEnd(range.endContainer, range.endOffset);
  const before = document.createRange();
  before.setStart(root, 0);
  before.setEnd(clipped.startContainer, clipped.startOffset);
  const quote = clipped.toString();
  if (quote.trim() === '') return null;
  const start = codePoints(before.toString());
  return { version, start, end: start + codePoints(quote), quote };
}

/** The passage of a whole block (a paragraph the reader focused). */
export function passageOfBlock(root: HTMLElement, block: Element, version: number): NewPassage | null {
  const range = document.createRange();
  range.selectNodeContents(block);
  return passageOf(root, range, version);
}

function textNodes(root: Node): Text[] {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text);
  return nodes;
}

/** The text nodes of `root` with the code point each one starts at. */
export class TextMap {
  readonly nodes: Text[];
  readonly starts: number[];
  readonly length: number;

  constructor(root: Node) {
    this.nodes = textNodes(root);
    this.starts = [];
    let at = 0;
    for (const node of this.nodes) {
      this.starts.push(at);
      at += codePoints(node.data);
    }
    this.length = at;
  }

  /** The node holding code point `at` (the one it starts, for a start;
   * the one it ends, for an end) and the UTF-16 offset in it. */
  #point(at: number, isEnd: boolean): [Text, number] | null {
    let lo = 0;
    let hi = this.nodes.length - 1;
    if (hi < 0) return null;
    // The last node starting at or before `at` (before it, for an end).
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      const start = this.starts[mid] ?? 0;
      if (isEnd ? start < at : start <= at) lo = mid;
      else hi = mid - 1;
    }
    const node = this.nodes[lo];
    if (!node) return null;
    return [node, unitIndex(node.data, at - (this.starts[lo] ?? 0))];
  }

  /** A DOM range over code points [start, end), or null when out of range. */
  range(start: number, end: number): Range | null {
    if (start < 0 || end <= start || end > this.length) return null;
    const from = this.#point(start, false);
    const to = this.#point(end, true);
    if (!from || !to) return null;
    const range = document.createRange();
    range.setStart(from[0], from[1]);
    range.setEnd(to[0], to[1]);
    return range;
  }
}

/** Wraps the text `range` covers in elements `make` returns (one per text
 * node it crosses, so blocks stay whole); returns them in order. */
export function wrap(range: Range, make: () => HTMLElement): HTMLElement[] {
  const root = range.commonAncestorContainer;
  const nodes = root.nodeType === Node.TEXT_NODE ? [root as Text] : textNodes(root);
  const made: HTMLElement[] = [];
  for (const node of nodes) {
    if (!range.intersectsNode(node)) continue;
    let piece = node;
    const from = node === range.startContainer ? range.startOffset : 0;
    const to = node === range.endContainer ? range.endOffset : node.data.length;
    if (to <= from) continue;
    if (to < piece.data.length) piece.splitText(to);
    if (from > 0) piece = piece.splitText(from);
    // Whitespace between blocks (a table's, a list's) cannot hold a mark.
    const parent = piece.parentElement;
    if (!parent || /^(TABLE|TBODY|THEAD|TR|UL|OL)$/.test(parent.tagName)) continue;
    const mark = make();
    parent.insertBefore(mark, piece);
    mark.appendChild(piece);
    made.push(mark);
  }
  return made;
}

/** Takes out every mark matching `selector` in `root`, leaving its text. */
export function unwrapAll(root: HTMLElement, selector: string): void {
  for (const mark of Array.from(root.querySelectorAll(selector))) {
    const parent = mark.parentNode;
    if (!parent) continue;
    while (mark.firstChild) parent.insertBefore(mark.firstChild, mark);
    parent.removeChild(mark);
  }
  root.normalize();
}

/** The blocks of the body a reader can focus to discuss them whole. */
export const BLOCKS = 'p, li, blockquote, h2, h3, h4, h5, h6, pre, figcaption, td, th, dd, dt';
