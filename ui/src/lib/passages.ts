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

/** A span of the text to mark, and how to make its elements. */
export interface Span {
  start: number;
  end: number;
  make: () => HTMLElement;
}

/** Marks every span of `root`'s text at once: reads the text once, splits
 * text nodes at every span's ends, then wraps the whole nodes each span
 * covers (spans that overlap nest). Returns each span's elements, in the
 * order given (empty for a span outside the text). Unlike calling `wrap`
 * for each span, the cost grows with the text plus the spans, not with
 * their product: an article with hundreds of marks is marked in one pass. */
export function markAll(root: HTMLElement, spans: Span[]): HTMLElement[][] {
  const map = new TextMap(root);
  const cuts = new Set<number>();
  for (const s of spans) {
    if (s.start < 0 || s.end <= s.start || s.end > map.length) continue;
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  // Split each node at the cuts inside it, last first (its own offsets
  // stay true), keeping each piece with the code point it starts at.
  const nodes: Text[] = [];
  const starts: number[] = [];
  let next = 0;
  map.nodes.forEach((node, i) => {
    const from = map.starts[i] ?? 0;
    const to = i + 1 < map.nodes.length ? (map.starts[i + 1] ?? map.length) : map.length;
    while (next < sorted.length && (sorted[next] ?? 0) <= from) next++;
    const inside: number[] = [];
    for (let k = next; k < sorted.length && (sorted[k] ?? 0) < to; k++) inside.push(sorted[k] ?? 0);
    const pieces: [Text, number][] = [[node, from]];
    for (const at of inside.reverse()) {
      const head = pieces[0];
      if (!head) break;
      const [piece, pieceStart] = head;
      const tail = piece.splitText(unitIndex(piece.data, at - pieceStart));
      pieces.splice(1, 0, [tail, at]);
    }
    for (const [piece, at] of pieces) {
      nodes.push(piece);
      starts.push(at);
    }
  });
  return spans.map((s) => {
    const made: HTMLElement[] = [];
    if (s.start < 0 || s.end <= s.start || s.end > map.length) return made;
    // The first piece starting at the span's start.
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((starts[mid] ?? 0) < s.start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < nodes.length && (starts[i] ?? 0) < s.end; i++) {
      const piece = nodes[i];
      const parent = piece?.parentElement;
      if (!piece || piece.data.length === 0 || !parent) continue;
      if (/^(TABLE|TBODY|THEAD|TR|UL|OL)$/.test(parent.tagName)) continue;
      const mark = s.make();
      parent.insertBefore(mark, piece);
      mark.appendChild(piece);
      made.push(mark);
    }
    return made;
  });
}
