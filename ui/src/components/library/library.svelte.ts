import { api, toApiError, type ArticleSummary, type LibraryCursor, type LibraryPage, type LibraryQuery } from '../../lib/api';

/** What the library is filtered by; kept while the reader opens an
 * article and comes back. */
export interface LibraryFilters {
  source: string | null;
  tag: string | null;
  unreadOnly: boolean;
}

export const filters = $state<LibraryFilters>({ source: null, tag: null, unreadOnly: false });

/** Articles in the first page: more than a tall window shows, few enough
 * to be drawn quickly when Parley starts. The desktop shell asks for the
 * same first page as the document starts (src-tauri/src/window.rs): change
 * both together. */
export const FIRST_PAGE = 20;
/** Articles per page while scrolling: small pages keep the frame a page
 * lands in short (scripts/measure), and the next is asked for early. */
export const PAGE_SIZE = 25;

/** The first page as Parley starts, asked for before the UI is mounted
 * (`askForFirstPage` in main.ts, which mounts the UI once it is in); the
 * library's first load takes it, and nothing else does. */
let early: { query: string; page: Promise<LibraryPage> } | null = null;

/** Starts loading the library's first page, unfiltered, at once; resolves
 * when it has arrived or failed (a failure is seen, and shown, by the load
 * that takes it). */
export function askForFirstPage(): Promise<void> {
  const query = queryFor(null);
  const asked = JSON.stringify(query);
  early = fromShell(asked) ?? { query: asked, page: api.libraryPage(query) };
  return early.page.then(
    () => {},
    () => {},
  );
}

/** The first page the desktop shell asked for as the document started
 * (`FIRST_PAGE_EARLY` in src-tauri/src/window.rs), if it asked for this
 * query; taken once. */
function fromShell(query: string): { query: string; page: Promise<LibraryPage> } | null {
  const asked = (window as { __parleyFirstPage?: { query: string; page: Promise<LibraryPage> } }).__parleyFirstPage;
  delete (window as { __parleyFirstPage?: unknown }).__parleyFirstPage;
  if (!asked || asked.query !== query) return null;
  return { query, page: asked.page.catch((e: unknown) => Promise.reject(toApiError(e))) };
}

function queryFor(after: LibraryCursor | null): LibraryQuery {
  return {
    source: filters.source ?? undefined,
    tag: filters.tag ?? undefined,
    unreadOnly: filters.unreadOnly,
    after: after ?? undefined,
    limit: after ? PAGE_SIZE : FIRST_PAGE,
  };
}

/** The page asked for early, if it is for `query`; never twice. */
function takeEarly(query: LibraryQuery): Promise<LibraryPage> | null {
  const taken = early;
  early = null;
  return taken && taken.query === JSON.stringify(query) ? taken.page : null;
}

/** The library as loaded so far: pages of articles, newest first, for the
 * current filters. */
export class LibraryList {
  // Raw: pages are appended as new arrays, never changed in place, and a
  // deep proxy over tens of thousands of articles costs more than it gives.
  articles = $state.raw<ArticleSummary[]>([]);
  loading = $state(false);
  loaded = $state(false);
  error = $state('');
  /** Changes when the list is replaced rather than extended. */
  generation = $state(0);
  /** When the first page was read: "Mark all as read" stops there, so
   * what arrived since stays unread. */
  asOf: number | null = null;
  #next: LibraryCursor | null = null;
  /** Ids of the articles loaded, so a page never lists one twice. */
  #known = new Set<string>();
  #request = 0;

  get hasMore(): boolean {
    return this.#next !== null;
  }

  #query(after: LibraryCursor | null): LibraryQuery {
    return queryFor(after);
  }

  /** Loads the first page again (new filters, or new articles). */
  async reload(): Promise<void> {
    const request = ++this.#request;
    this.loading = true;
    this.error = '';
    try {
      const query = this.#query(null);
      const page = await (takeEarly(query) ?? api.libraryPage(query));
      if (request !== this.#request) return;
      this.articles = page.articles;
      this.#known = new Set(page.articles.map((a) => a.id));
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
      const fresh = page.articles.filter((a) => !this.#known.has(a.id));
      for (const a of fresh) this.#known.add(a.id);
      this.articles = [...this.articles, ...fresh];
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
