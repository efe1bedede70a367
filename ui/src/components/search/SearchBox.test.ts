import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { api, type SearchResults } from '../../lib/api';
import SearchBox from './SearchBox.svelte';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return { ...actual, api: { search: vi.fn(), searchSources: vi.fn() } };
});

const ARTICLE = '0193a0c4-0000-7000-8000-0000000000b1';
const COMMENT = '0193a0c4-0000-7000-8000-0000000000c1';

const found: SearchResults = {
  highlights: [],
  articles: [
    {
      id: ARTICLE,
      title: [{ text: 'Tides and the ', hit: false }, { text: 'moon', hit: true }],
      source: 'Coastline Science Desk',
      author: 'Ines Marr',
      publishedAt: Date.UTC(2026, 10, 2),
      snippet: [{ text: 'The ', hit: false }, { text: 'moon', hit: true }, { text: ' pulls.', hit: false }],
    },
  ],
  comments: [
    {
      id: COMMENT,
      articleId: ARTICLE,
      articleTitle: 'Tides and the moon',
      author: 'Grace Hopper',
      createdAt: Date.UTC(2026, 10, 3),
      snippet: [{ text: 'a ', hit: false }, { text: 'moonlit', hit: true }, { text: ' walk', hit: false }],
      muted: true,
    },
  ],
  moreArticles: false,
  moreComments: true,
  words: [{ word: 'moon', prefix: true }],
};

beforeEach(() => {
  vi.mocked(api.search).mockReset();
  vi.mocked(api.searchSources).mockReset();
});

describe('SearchBox', () => {
  it('searches as you type and shows articles and comments with their words marked', async () => {
    vi.mocked(api.search).mockResolvedValue(found);
    render(SearchBox);
    await userEvent.keyboard('/');
    const field = screen.getByRole('searchbox', { name: 'Search articles and comments' });
    expect(document.activeElement).toBe(field);
    await userEvent.type(field, 'moon');

    const results = await screen.findByRole('region', { name: 'Search results' });
    const article = await within(results).findByRole('link', { name: /Tides and the moon/ });
    expect(article.getAttribute('href')).toBe(`#/article/${ARTICLE}`);
    expect(within(article).getAllByText('moon')[0]?.tagName).toBe('MARK');
    // One search for the whole word, after the pause: not one per letter.
    expect(api.search).toHaveBeenCalledTimes(1);
    expect(vi.mocked(api.search).mock.calls[0]?.[0].text).toBe('moon');

    // A muted person's comment is folded until the reader asks.
    expect(within(results).getByText(/A comment by someone you muted/)).toBeTruthy();
    await userEvent.click(within(results).getByRole('button', { name: 'Show' }));
    const comment = within(results).getByRole('link', { name: /Grace Hopper/ });
    expect(comment.getAttribute('href')).toBe(`#/article/${ARTICLE}/comment/${COMMENT}`);
    expect(within(results).getByText(/More comments match/)).toBeTruthy();

    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('region', { name: 'Search results' })).toBeNull();
  });

  it('says when nothing is found, and shows a refusal in words', async () => {
    vi.mocked(api.search).mockResolvedValue({ ...found, articles: [], comments: [], moreComments: false });
    render(SearchBox);
    const field = screen.getByRole('searchbox', { name: 'Search articles and comments' });
    await userEvent.type(field, '"');
    expect(await screen.findByText('Nothing found for “"”.')).toBeTruthy();
  });

  it('sends the filters it is given', async () => {
    vi.mocked(api.search).mockResolvedValue(found);
    vi.mocked(api.searchSources).mockResolvedValue(['Coastline Science Desk', 'Northbank Gazette']);
    render(SearchBox);
    const field = screen.getByRole('searchbox', { name: 'Search articles and comments' });
    await userEvent.type(field, 'tide');
    await userEvent.click(await screen.findByRole('button', { name: 'Filters' }));
    await userEvent.selectOptions(await screen.findByRole('combobox', { name: 'Source' }), 'Northbank Gazette');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Titles only' }));
    await vi.waitFor(() => {
      const last = vi.mocked(api.search).mock.lastCall?.[0];
      expect(last).toMatchObject({ text: 'tide', source: 'Northbank Gazette', titlesOnly: true });
    });
  });
});
