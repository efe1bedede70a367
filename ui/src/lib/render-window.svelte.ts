// Which slice of a long list is in the page. However many comments are
// loaded, at most MAX_RENDERED are rendered; the rest are stand-in space of
// their measured (or estimated) height, so the scroll bar and the reader's
// place stay true while the slice moves.
import { PrefixSums } from './prefix-sums';

// 120 items are many screens of comments. Fewer items in the page, moved
// fewer at a time, keep the frames in which they change short: every item
// rendered is DOM the garbage collector scans, and with 240 its pauses grew
// past 100 ms in a long scroll (scripts/measure).
export const MAX_RENDERED = 120;
/** How far the slice moves at a time. */
export const STEP = 40;
/** Height assumed for an item never rendered yet. */
const ESTIMATED_HEIGHT = 110;

export class RenderWindow {
  start = $state(0);
  end = $state(0);
  readonly #items: () => readonly { id: string }[];
  /** Measured heights by item id: kept when the list is reordered. */
  readonly #heights = new Map<string, number>();
  /** The items' heights in list order, for the items in `#order`. */
  #sums = new PrefixSums();
  /** The list `#sums` was made for, and where each id was in it. */
  #order: readonly { id: string }[] = [];
  #at = new Map<string, number>();
  #knownLength = 0;
  #knownGeneration = 0;
  // One observer for every rendered item, read after layout: measuring each
  // item as it mounts would force a layout per item.
  readonly #sizes =
    typeof ResizeObserver === 'undefined'
      ? null
      : new ResizeObserver((entries) => {
          for (const entry of entries) {
            const id = (entry.target as HTMLElement).dataset.windowId;
            const height = entry.borderBoxSize?.[0]?.blockSize ?? entry.contentRect.height;
            if (id) this.measured(id, height);
          }
        });

  constructor(items: () => readonly { id: string }[]) {
    this.#items = items;
  }

  /** Records an item's height, as its observer reports it. */
  measured(id: string, height: number): void {
    this.#heights.set(id, height);
    const index = this.#at.get(id);
    if (index !== undefined && this.#order[index]?.id === id) this.#sums.set(index, height || ESTIMATED_HEIGHT);
  }

  /** Brings `#sums` up to the items' list. Pages appended keep everything
   * before them (the same objects), so only the new items are added; a
   * list changed from some item on is summed again from there. */
  #sync(): void {
    const items = this.#items();
    const order = this.#order;
    if (items === order) return;
    const common = Math.min(items.length, order.length);
    let from = 0;
    while (from < common && items[from] === order[from]) from++;
    if (from === 0) this.#at = new Map();
    this.#sums.truncate(from);
    for (let i = from; i < items.length; i++) {
      const id = items[i]?.id ?? '';
      this.#sums.push(this.#heights.get(id) || ESTIMATED_HEIGHT);
      this.#at.set(id, i);
    }
    this.#order = items;
  }

  /** Stand-in space for the items above the slice. */
  spaceBefore(): number {
    this.#sync();
    return this.#sums.before(this.start);
  }

  /** Stand-in space for the items below the slice. */
  spaceAfter(): number {
    this.#sync();
    return this.#sums.total() - this.#sums.before(this.end);
  }

  /** A Svelte action for each rendered item: keeps its height known. The
   * height must include the gap to the next item (use padding, not margin). */
  measure = (node: HTMLElement, id: string) => {
    node.dataset.windowId = id;
    this.#sizes?.observe(node);
    return { destroy: () => this.#sizes?.unobserve(node) };
  };

  /** Moves the slice so that item `index` is in it. */
  around(index: number): void {
    if (index >= this.start && index < this.end) return;
    const total = this.#items().length;
    this.start = Math.max(0, Math.min(index - STEP, total - MAX_RENDERED));
    this.end = Math.min(total, this.start + MAX_RENDERED);
  }

  /** Follows the list's data: pages appended while the reader is at the end
   * extend the slice; a replaced list (new order, a post) keeps it where it
   * was. */
  follow(total: number, generation: number): void {
    if (generation !== this.#knownGeneration) {
      this.#knownGeneration = generation;
      this.start = Math.min(this.start, Math.max(0, total - MAX_RENDERED));
      this.end = Math.min(total, this.start + MAX_RENDERED);
    } else if (this.end >= this.#knownLength || this.end === 0) {
      this.end = total;
      this.start = Math.max(this.start, total - MAX_RENDERED);
    }
    this.#knownLength = total;
  }

  /** Moves the slice one step towards the viewport if the reader has
   * scrolled near either of its edges. Returns whether it moved, so the
   * caller can look again on the next frame. */
  followScroll(list: DOMRect, viewportHeight: number): boolean {
    const total = this.#items().length;
    const top = list.top + this.spaceBefore();
    const bottom = list.bottom - this.spaceAfter();
    if (this.start > 0 && top > -viewportHeight) {
      this.start = Math.max(0, this.start - STEP);
      this.end = Math.min(this.end, this.start + MAX_RENDERED);
      return true;
    }
    if (this.end < total && bottom < 2 * viewportHeight) {
      this.end = Math.min(total, this.end + STEP);
      this.start = Math.max(this.start, this.end - MAX_RENDERED);
      return true;
    }
    return false;
  }

  destroy(): void {
    this.#sizes?.disconnect();
  }
}
