// One article's discussion as this reader sees it: the pages loaded so far
// and every action on them. Views render it; all calls go through `api`.
import {
  api,
  type ApiError,
  type Sort,
  type ThreadComment,
  type ThreadPage,
  type ThreadQuery,
  type VoteChoice,
} from '../../lib/api';

/** Comments in the first page: enough to fill a tall window, few enough to
 * be on screen at once. */
export const FIRST_PAGE = 40;
/** Comments fetched per page while scrolling: small pages keep each frame
 * short, and the next one is asked for well before it is needed. */
export const PAGE_SIZE = 60;

export class ThreadState {
  readonly articleId: string;
  // Raw: pages are replaced, never mutated in place, and a deep proxy over
  // thousands of comments costs more than it gives.
  comments = $state.raw<ThreadComment[]>([]);
  sort = $state<Sort>('best');
  commentCount = $state(0);
  newCount = $state(0);
  visibleCount = $state(0);
  /** Readable, but nobody can add to it. */
  locked = $state(false);
  loaded = $state(false);
  /** Counts whole replacements of `comments` (sorting, posting, collapsing). */
  generation = $state(0);
  loadingMore = $state(false);
  error = $state('');
  /** Unsent comments ('new'), replies (by parent id) and edits ('edit:' and
   * the comment's id), kept while their form is off screen or closed. */
  readonly drafts: Record<string, string>;
  /** A signed-out reader's collapsed subtrees (signed-in ones are saved). */
  #localCollapsed = new Set<string>();
  #signedIn: () => boolean;
  /** The thread version the loaded pages were cut from. */
  #version = -1;
  /** A comment whose collapsed ancestors stay open until a collapse changes. */
  #through: string | undefined;
  /** Only the newest whole load may land. */
  #request = 0;
  #loading: Promise<void> | null = null;

  /** `drafts` should be reactive and outlive this thread (see drafts.svelte.ts). */
  constructor(articleId: string, signedIn: () => boolean, drafts: Record<string, string>) {
    this.articleId = articleId;
    this.#signedIn = signedIn;
    this.drafts = drafts;
  }

  get hasMore(): boolean {
    return this.comments.length < this.visibleCount;
  }

  #query(offset: number, limit: number, sort?: Sort): ThreadQuery {
    return { sort, offset, limit, through: this.#through, collapsed: [...this.#localCollapsed] };
  }

  #take(page: ThreadPage, append: boolean) {
    this.sort = page.sort;
    this.commentCount = page.commentCount;
    this.newCount = page.newCount;
    this.visibleCount = page.visibleCount;
    this.locked = page.locked;
    if (append) {
      const seen = new Set(this.comments.map((c) => c.id));
      this.comments = [...this.comments, ...page.comments.filter((c) => !seen.has(c.id))];
    } else {
      this.comments = page.comments;
      this.generation++;
    }
    this.#version = page.version;
    this.loaded = true;
    this.error = '';
  }

  /** First load: records the visit (so "new" means new since the last one). */
  async open(through?: string): Promise<void> {
    this.#through = through;
    const request = ++this.#request;
    try {
      const asked = performance.now();
      const page = await api.openDiscussion(this.articleId, this.#query(0, FIRST_PAGE));
      performance.measure('parley:open-fetch', { start: asked });
      if (request === this.#request) this.#take(page, false);
    } catch (e) {
      this.error = (e as ApiError).message;
    }
  }

  /** Reloads what is on screen (at least a page), optionally through a comment. */
  async reload(through?: string, sort?: Sort): Promise<void> {
    if (through) this.#through = through;
    const request = ++this.#request;
    const limit = Math.max(FIRST_PAGE, this.comments.length);
    const page = await api.loadThread(this.articleId, this.#query(0, limit, sort ?? this.sort));
    if (request === this.#request) this.#take(page, false);
  }

  /** Appends the next page. Resolves when it has landed (or an earlier
   * request for it has); a thread that changed meanwhile is reloaded instead
   * of appended to, so no comment is skipped or shown twice. */
  loadMore(): Promise<void> {
    if (!this.hasMore) return Promise.resolve();
    this.#loading ??= this.#loadMore().finally(() => (this.#loading = null));
    return this.#loading;
  }

  async #loadMore(): Promise<void> {
    this.loadingMore = true;
    const request = this.#request;
    const offset = this.comments.length;
    try {
      // User Timing marks: the large-thread test reads them to tell the
      // backend's share of a page from the page's own.
      const asked = performance.now();
      const page = await api.loadThread(this.articleId, this.#query(offset, PAGE_SIZE, this.sort));
      performance.measure('parley:page-fetch', { start: asked });
      if (request !== this.#request || offset !== this.comments.length) return;
      if (page.version !== this.#version) {
        await this.reload();
      } else {
        this.#take(page, true);
      }
    } catch (e) {
      this.error = (e as ApiError).message;
    } finally {
      this.loadingMore = false;
    }
  }

  async setSort(sort: Sort): Promise<void> {
    if (this.#signedIn()) await api.setThreadSort(sort);
    await this.reload(undefined, sort);
  }

  async toggleCollapsed(comment: ThreadComment): Promise<void> {
    const collapse = !comment.collapsed;
    this.#through = undefined;
    if (this.#signedIn()) {
      await api.setCollapsed(comment.id, collapse);
    } else if (collapse) {
      this.#localCollapsed.add(comment.id);
    } else {
      this.#localCollapsed.delete(comment.id);
    }
    await this.reload();
  }

  /** Posts and reloads so the new comment is on screen; resolves to its id
   * once it is saved, even if showing it then fails (the error is shown
   * instead: posting again would post twice). */
  async post(parentId: string | null, body: string): Promise<string> {
    const id = await api.postComment(this.articleId, parentId, body);
    delete this.drafts[parentId ?? 'new'];
    await this.#refreshAfterWrite(id);
    return id;
  }

  async edit(commentId: string, body: string): Promise<void> {
    await api.editComment(commentId, body);
    delete this.drafts[`edit:${commentId}`];
    await this.#refreshAfterWrite(commentId);
  }

  async remove(commentId: string): Promise<void> {
    await api.deleteComment(commentId);
    await this.#refreshAfterWrite();
  }

  /** Mutes (or unmutes) the comment's author for this reader; their
   * comments fold (or unfold) everywhere. */
  async setAuthorMuted(commentId: string, muted: boolean): Promise<void> {
    await api.setAuthorMuted(commentId, muted);
    await this.#refreshAfterWrite();
  }

  // Moderation: the backend refuses anyone but an admin.

  /** Removes anyone's comment: a placeholder stays if it has replies. */
  async removeAsModerator(commentId: string): Promise<void> {
    await api.removeComment(commentId);
    await this.#refreshAfterWrite();
  }

  async setPinned(commentId: string, pinned: boolean): Promise<void> {
    await api.setCommentPinned(commentId, pinned);
    await this.#refreshAfterWrite();
  }

  async setLocked(locked: boolean): Promise<void> {
    await api.setDiscussionLocked(this.articleId, locked);
    await this.#refreshAfterWrite();
  }

  async #refreshAfterWrite(through?: string): Promise<void> {
    try {
      await this.reload(through);
    } catch (e) {
      this.error = (e as ApiError).message;
    }
  }

  async vote(comment: ThreadComment, choice: VoteChoice): Promise<void> {
    const outcome = await api.vote(comment.id, choice);
    this.comments = this.comments.map((c) =>
      c.id === comment.id ? { ...c, score: outcome.score, myVote: outcome.myVote } : c,
    );
  }

  /** Index of the next comment marked new after `from`, loading pages while
   * there are new comments not loaded yet; -1 when there is none. */
  async nextNew(from: number): Promise<number> {
    for (;;) {
      const found = this.comments.findIndex((c, i) => i > from && c.isNew);
      if (found >= 0) return found;
      const loadedNew = this.comments.filter((c) => c.isNew).length;
      if (!this.hasMore || this.error || loadedNew >= this.newCount) return -1;
      const before = this.comments.length;
      await this.loadMore();
      if (this.comments.length <= before) return -1;
    }
  }
}
