import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, type LibraryPage } from '../../lib/api';
import { askForFirstPage, FIRST_PAGE, LibraryList } from './library.svelte';

vi.mock('../../lib/api', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/api')>();
  return { ...actual, api: { libraryPage: vi.fn() } };
});

const page = (title: string): LibraryPage => ({
  articles: [
    {
      id: '0193a0c4-0000-7000-8000-000000000001',
      title,
      source: 'The Courier',
      author: null,
      publishedAt: 0,
      summary: '',
      tags: [],
      commentCount: 0,
      newCount: 0,
      unread: false,
    } as unknown as LibraryPage['articles'][number],
  ],
  next: null,
  asOf: 1,
});

/** What the desktop shell leaves on the window (src-tauri/src/window.rs). */
function shellAsked(query: object, answer: Promise<unknown>) {
  Object.defineProperty(window, '__parleyFirstPage', {
    value: Object.freeze({ query: JSON.stringify(query), page: answer }),
    configurable: true,
  });
}

afterEach(() => {
  delete (window as { __parleyFirstPage?: unknown }).__parleyFirstPage;
  vi.mocked(api.libraryPage).mockReset();
});

describe('the first page', () => {
  it('is the one the shell asked for as the document started, when it asked the same', async () => {
    shellAsked({ unreadOnly: false, limit: FIRST_PAGE }, Promise.resolve(page('From the shell')));
    await askForFirstPage();
    const list = new LibraryList();
    await list.reload();
    expect(list.articles.map((a) => a.title)).toEqual(['From the shell']);
    expect(api.libraryPage).not.toHaveBeenCalled();
    // Taken once: a later reload asks the backend.
    expect('__parleyFirstPage' in window).toBe(false);
  });

  it('is asked for afresh when the shell asked something else', async () => {
    shellAsked({ unreadOnly: false, limit: 3 }, Promise.resolve(page('Stale')));
    vi.mocked(api.libraryPage).mockResolvedValue(page('Asked now'));
    await askForFirstPage();
    const list = new LibraryList();
    await list.reload();
    expect(list.articles.map((a) => a.title)).toEqual(['Asked now']);
    expect(api.libraryPage).toHaveBeenCalledTimes(1);
  });

  it("says what went wrong in the shell's call as any call would", async () => {
    shellAsked(
      { unreadOnly: false, limit: FIRST_PAGE },
      Promise.reject({ kind: 'internal', message: 'The library could not be read.' }),
    );
    await askForFirstPage();
    const list = new LibraryList();
    await list.reload();
    expect(list.error).toBe('The library could not be read.');
  });
});
