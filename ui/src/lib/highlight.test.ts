import { describe, expect, it } from 'vitest';
import { highlight, matches } from './highlight';

describe('search highlighting', () => {
  it('marks whole words regardless of case and accents', () => {
    const text = 'A Café in São Paulo; cafeteria is not café.';
    const ranges = matches(text, [{ word: 'cafe', prefix: false }]);
    expect(ranges.map(([s, e]) => text.slice(s, e))).toEqual(['Café', 'café']);
  });

  it('marks the whole word a prefix starts', () => {
    const text = 'The lunar eclipse, and Lunatics.';
    const ranges = matches(text, [{ word: 'lun', prefix: true }]);
    expect(ranges.map(([s, e]) => text.slice(s, e))).toEqual(['lunar', 'Lunatics']);
  });

  it('wraps matches in marks without touching the markup around them', () => {
    const root = document.createElement('div');
    root.innerHTML = '<p>Seville <em>oranges</em> are bitter.</p><p>ORANGES again</p>';
    const count = highlight(root, [{ word: 'oranges', prefix: false }]);
    expect(count).toBe(2);
    expect(root.innerHTML).toBe(
      '<p>Seville <em><mark class="search-hit">oranges</mark></em> are bitter.</p><p><mark class="search-hit">ORANGES</mark> again</p>',
    );
  });

  it('finds nothing where there is nothing', () => {
    expect(matches('plain text', [{ word: 'zebra', prefix: true }])).toEqual([]);
    expect(matches('plain text', [])).toEqual([]);
  });
});
