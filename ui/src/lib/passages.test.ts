import { describe, expect, it } from 'vitest';
import { codePoints, markAll, passageOf, TextMap, unwrapAll, wrap } from './passages';

function body(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  document.body.replaceChildren(div);
  return div;
}

describe('passages in the page', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(codePoints('abc')).toBe(3);
    expect(codePoints('a😀b')).toBe(3);
    expect(codePoints('')).toBe(0);
  });

  it('reads a selection as code-point offsets of the body text', () => {
    const root = body('<p>Fish 😀 chips</p>\n<p>on <em>Fri</em>day</p>');
    const range = document.createRange();
    const em = root.querySelector('em')!;
    range.setStart(root.querySelector('p')!.firstChild!, 7);
    range.setEnd(em.firstChild!, 3);
    const passage = passageOf(root, range, 4);
    expect(passage).toEqual({ version: 4, start: 6, end: 19, quote: ' chips\non Fri' });
    // The same text the backend reads: textContent.
    expect([...root.textContent!].slice(6, 19).join('')).toBe(' chips\non Fri');
  });

  it('finds a range from offsets across elements, and marks it without changing the text', () => {
    const root = body('<p>one <b>two</b> three</p><p>four 😀 five</p>');
    const before = root.textContent;
    const map = new TextMap(root);
    const range = map.range(4, 13)!;
    expect(range.toString()).toBe('two three');
    const made = wrap(range, () => document.createElement('mark'));
    expect(made.map((m) => m.textContent)).toEqual(['two', ' three']);
    expect(root.textContent).toBe(before);
    // Offsets still hold with the marks in place, past an emoji too.
    const again = new TextMap(root).range(18, 23)!;
    expect(again.toString()).toBe('😀 fiv');
    unwrapAll(root, 'mark');
    expect(root.querySelectorAll('mark')).toHaveLength(0);
    expect(root.innerHTML).toBe('<p>one <b>two</b> three</p><p>four 😀 five</p>');
  });

  it('refuses ranges outside the text', () => {
    const root = body('<p>short</p>');
    const map = new TextMap(root);
    expect(map.range(3, 2)).toBeNull();
    expect(map.range(0, 99)).toBeNull();
  });
});

describe('marking many passages at once', () => {
  it('marks overlapping and adjacent spans in one pass, leaving the text as it was', () => {
    const root = body('<p>one <b>two</b> three</p>\n<p>four 😀 five six</p>');
    const before = root.innerHTML;
    const text = root.textContent!;
    const at = (words: string) => {
      const i = text.indexOf(words);
      const start = codePoints(text.slice(0, i));
      return { start, end: start + codePoints(words) };
    };
    const mark = (name: string) => () => {
      const m = document.createElement('mark');
      m.dataset.name = name;
      return m;
    };
    const made = markAll(root, [
      { ...at('two three'), make: mark('a') },
      { ...at('three'), make: mark('b') },
      { ...at('😀 five'), make: mark('c') },
      { ...at(' six'), make: mark('d') },
      { start: 0, end: 999, make: mark('outside') },
    ]);
    expect(made.map((m) => m.map((e) => e.textContent).join(''))).toEqual(['two three', 'three', '😀 five', ' six', '']);
    expect(root.textContent).toBe(text);
    // "three" is inside the mark of "two three": nested, so both show.
    const b = root.querySelector('mark[data-name="b"]')!;
    expect(b.parentElement?.dataset.name).toBe('a');
    // The same spans one at a time give the same text.
    unwrapAll(root, 'mark');
    expect(root.innerHTML).toBe(before);
  });
});
