// Marks the words a search looked for in an article's text, the way the
// search matched them: whole words (the last one also as the start of a
// word), regardless of case and accents ("cafe" marks "Café").
import type { HighlightWord } from './api';

/** `text` without accents, lower-cased, with where each folded character
 * came from in `text`. */
export function fold(text: string): { folded: string; from: number[] } {
  let folded = '';
  const from: number[] = [];
  let at = 0;
  for (const char of text) {
    const plain = char.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
    for (const unit of plain) {
      folded += unit;
      for (let i = 0; i < unit.length; i++) from.push(at);
    }
    at += char.length;
  }
  from.push(at);
  return { folded, from };
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/** Where the words occur in `text`, as [start, end) ranges of `text`. */
export function matches(text: string, words: HighlightWord[]): Array<[number, number]> {
  const { folded, from } = fold(text);
  const ranges: Array<[number, number]> = [];
  for (const { word, prefix } of words) {
    const needle = fold(word).folded;
    if (!needle) continue;
    let i = folded.indexOf(needle);
    while (i !== -1) {
      const end = i + needle.length;
      const before = i > 0 ? folded[i - 1] : '';
      const after = end < folded.length ? folded[end] : '';
      const startsWord = !before || !WORD_CHAR.test(before);
      const endsWord = !after || !WORD_CHAR.test(after);
      if (startsWord && (prefix || endsWord)) {
        // A prefix marks the whole word it starts.
        let stop = end;
        if (prefix) while (stop < folded.length && WORD_CHAR.test(folded[stop] ?? '')) stop++;
        ranges.push([from[i] ?? 0, from[stop] ?? text.length]);
      }
      i = folded.indexOf(needle, end);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  // Overlaps merge.
  const merged: Array<[number, number]> = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/** Wraps every match inside `root` in `<mark class="search-hit">`; returns
 * how many it marked. */
export function highlight(root: Element, words: HighlightWord[]): number {
  if (words.length === 0) return 0;
  const walker = root.ownerDocument.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node instanceof Text && !node.parentElement?.closest('mark, script, style')) nodes.push(node);
  }
  let count = 0;
  for (const node of nodes) {
    const text = node.data;
    const ranges = matches(text, words);
    if (ranges.length === 0) continue;
    const pieces = root.ownerDocument.createDocumentFragment();
    let at = 0;
    for (const [start, end] of ranges) {
      if (start > at) pieces.append(text.slice(at, start));
      const mark = root.ownerDocument.createElement('mark');
      mark.className = 'search-hit';
      mark.textContent = text.slice(start, end);
      pieces.append(mark);
      at = end;
      count++;
    }
    if (at < text.length) pieces.append(text.slice(at));
    node.replaceWith(pieces);
  }
  return count;
}
