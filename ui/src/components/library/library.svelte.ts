import { api, type ArticleSummary, type LibraryCursor, type LibraryQuery } from '../../lib/api';

/** What the library is filtered by; kept while the reader opens an
 * article and comes back. */
export interface LibraryFilters {
  source: string | null;
  tag: string | null;
  unreadOnly: boolean;
}

export const filters = $state<LibraryFilters>({ source: null, tag: null, unreadOnly: false });

/** The library as loaded so far: pages of articles, newest first, for the
 * current filters. */
export class LibraryList {
  articles = $state<ArticleSummary[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state('');
  /** Changes when the list is replaced rather than extended. */
  generation = $state(0);
  /** When the first page was read: "Mark all as read" stops there, so
   * what arrived since stays unread. */
  asOf: number | null = null;
  #next: LibraryCursor | null = null;
  #request = 0;

  get hasMore(): boolean {
    return this.#next !== null;
  }

  #query(after: LibraryCursor | null): LibraryQuery {
    return {
      source: filters.source ?? undefined,
      tag: filters.tag ?? undefined,
      unreadOnly: filters.unreadOnly,
      after: after ?? undefined,
      limit: 0,
    };
  }

  /** Loads the first page again (new filters, or new articles). */
  async reload(): Promise<void> {
    const request = ++this.#request;
    this.loading = true;
    this.error = '';
    try {
      const page = await api.libraryPage(this.#query(null));
      if (request !== this.#request) return;
      this.articles = page.articles;
      this.#next = page.next;
      this.asOf = page.asOf;
      this.generation += 1;
      this.loaded = true;
    } catch (e) {
      if (request === this.#request) this.error = (e as Error).message;
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }

  /** Appends the next page, if there is one. */
  async loadMore(): Promise<void> {
    if (!this.#next || this.loading) return;
    const request = ++this.#request;
    this.loading = true;
    try {
      const page = await api.libraryPage(this.#query(this.#next));
      if (request !== this.#request) return;
      const known = new Set(this.articles.map((a) => a.id));
      this.articles = [...this.articles, ...page.articles.filter((a) => !known.has(a.id))];
      this.#next = page.next;
    } catch (e) {
      if (request === this.#request) this.error = (e as Error).message;
    } finally {
      if (request === this.#request) this.loading = false;
    }
  }

  /** After "Mark all as read": what is listed is read now. */
  markedAllRead(): void {
    this.articles = this.articles.map((a) => ({ ...a, unread: false }));
  }
}
