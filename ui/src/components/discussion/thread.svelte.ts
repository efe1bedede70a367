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
  loaded = $state(false);
  /** Counts whole replacements of `comments` (sorting, posting, collapsing). */
  generation = $state(0);
  loadingMore = $state(false);
  error = $state('');
  /** A signed-out reader's collapsed subtrees (signed-in ones are saved). */
  #localCollapsed = new Set<string>();
  #signedIn: () => boolean;

  constructor(articleId: string, signedIn: () => boolean) {
    this.articleId = articleId;
    this.#signedIn = signedIn;
  }

  get hasMore(): boolean {
    return this.comments.length < this.visibleCount;
  }

  #query(offset: number, limit: number, through?: string, sort?: Sort): ThreadQuery {
    return { sort, offset, limit, through, collapsed: [...this.#localCollapsed] };
  }

  #take(page: ThreadPage, append: boolean) {
    this.sort = page.sort;
    this.commentCount = page.commentCount;
    this.newCount = page.newCount;
    this.visibleCount = page.visibleCount;
    this.comments = append ? [...this.comments, ...page.comments] : page.comments;
    if (!append) this.generation++;
    this.loaded = true;
    this.error = '';
  }

  /** First load: records the visit (so "new" means new since the last one). */
  async open(through?: string): Promise<void> {
    try {
      const asked = performance.now();
      const page = await api.openDiscussion(this.articleId, this.#query(0, FIRST_PAGE, through));
      performance.measure('parley:open-fetch', { start: asked });
      this.#take(page, false);
    } catch (e) {
      this.error = (e as ApiError).message;
    }
  }

  /** Reloads what is on screen (at least a page), optionally through a comment. */
  async reload(through?: string, sort?: Sort): Promise<void> {
    const limit = Math.max(PAGE_SIZE, this.comments.length);
    this.#take(
      await api.loadThread(this.articleId, this.#query(0, limit, through, sort ?? this.sort)),
      false,
    );
  }

  async loadMore(): Promise<void> {
    if (this.loadingMore || !this.hasMore) return;
    this.loadingMore = true;
    try {
      // User Timing marks: the large-thread test reads them to tell the
      // backend's share of a page from the page's own.
      const asked = performance.now();
      const page = await api.loadThread(
        this.articleId,
        this.#query(this.comments.length, PAGE_SIZE, undefined, this.sort),
      );
      performance.measure('parley:page-fetch', { start: asked });
      this.#take(page, true);
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
    if (this.#signedIn()) {
      await api.setCollapsed(comment.id, collapse);
    } else if (collapse) {
      this.#localCollapsed.add(comment.id);
    } else {
      this.#localCollapsed.delete(comment.id);
    }
    await this.reload();
  }

  /** Posts and reloads so the new comment is on screen; resolves to its id. */
  async post(parentId: string | null, body: string): Promise<string> {
    const id = await api.postComment(this.articleId, parentId, body);
    await this.reload(id);
    return id;
  }

  async edit(commentId: string, body: string): Promise<void> {
    await api.editComment(commentId, body);
    await this.reload(commentId);
  }

  async remove(commentId: string): Promise<void> {
    await api.deleteComment(commentId);
    await this.reload();
  }

  async vote(comment: ThreadComment, choice: VoteChoice): Promise<void> {
    const outcome = await api.vote(comment.id, choice);
    this.comments = this.comments.map((c) =>
      c.id === comment.id ? { ...c, score: outcome.score, myVote: outcome.myVote } : c,
    );
  }

  /** Index of the next comment marked new after `from`, loading pages as needed. */
  async nextNew(from: number): Promise<number> {
    for (;;) {
      const found = this.comments.findIndex((c, i) => i > from && c.isNew);
      if (found >= 0 || !this.hasMore) return found;
      await this.loadMore();
    }
  }
}
