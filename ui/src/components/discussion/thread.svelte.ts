// One article's discussion as this reader sees it: the pages loaded so far
// and every action on them. Views render it; all calls go through `api`.
import {
  api,
  type ApiError,
  type Event as ServerEvent,
  type Sort,
  type ThreadComment,
  type ThreadPage,
  type ThreadQuery,
  type NewPassage,
  type VoteChoice,
} from '../../lib/api';
import { uuidv7 } from '../../lib/ids';

/** Comments in the first page: enough to fill a tall window, few enough to
 * be on screen at once. */
export const FIRST_PAGE = 40;
/** Comments fetched per page while scrolling: small pages keep each frame
 * short, and the next one is asked for well before it is needed. */
export const PAGE_SIZE = 30;

/** Per drafts record (which outlives any one thread), the id each draft
 * was last sent with and the text it was sent with. */
const sentIds = new WeakMap<Record<string, string>, Map<string, { id: string; body: string }>>();

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
  /** Comments others posted since the pages were loaded, not shown yet:
   * showing them at once would move the text under the reader. */
  arrived = $state(0);
  /** Narrowed to these top-level comments and their replies (the comments
   * on one passage); empty for the whole discussion. */
  roots = $state.raw<string[]>([]);
  /** Unsent comments ('new'), replies (by parent id) and edits ('edit:' and
   * the comment's id), kept while their form is off screen or closed. */
  readonly drafts: Record<string, string>;
  /** A signed-out reader's collapsed subtrees (signed-in ones are saved). */
  #localCollapsed = new Set<string>();
  #signedIn: () => boolean;
  /** The thread version the loaded pages were cut from: later pages
   * continue that order, so a vote or the reader's own post deep in a long
   * thread leaves their place (and what is loaded) alone. */
  #version = -1;
  /** Comments the reader added (+) or that left the page (-) since the
   * pages were cut, shown in place: the pages still list without them. */
  #shifted = 0;
  /** Likewise for "Comments (N)": a comment left as a placeholder stays
   * in the list but no longer counts. */
  #counted = 0;
  /** A comment whose collapsed ancestors stay open until a collapse changes. */
  #through: string | undefined;
  /** Ids of the comments loaded from the pages, so a page never shows one
   * twice. Kept rather than rebuilt per page: rebuilding it made garbage in
   * proportion to the whole thread with every page. */
  #seen = new Set<string>();
  /** Ids of the reader's own comments on their way: their news from the
   * server is not someone else's comment arriving. */
  #sending = new Set<string>();
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

  #query(offset: number, limit: number, sort?: Sort, version?: number): ThreadQuery {
    return {
      sort,
      offset,
      limit,
      version,
      through: this.#through,
      collapsed: [...this.#localCollapsed],
      roots: this.roots,
    };
  }

  #take(page: ThreadPage, append: boolean) {
    if (!append) {
      this.#shifted = 0;
      this.#counted = 0;
    }
    this.sort = page.sort;
    this.commentCount = page.commentCount + this.#counted;
    this.newCount = page.newCount;
    this.visibleCount = page.visibleCount + this.#shifted;
    this.locked = page.locked;
    if (append) {
      const fresh = page.comments.filter((c) => !this.#seen.has(c.id));
      for (const c of fresh) this.#seen.add(c.id);
      this.comments = this.comments.concat(fresh);
    } else {
      this.comments = page.comments;
      this.#seen = new Set(page.comments.map((c) => c.id));
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
    const loaded = this.comments.length;
    try {
      // User Timing marks: the large-thread test reads them to tell the
      // backend's share of a page from the page's own.
      const asked = performance.now();
      const query = this.#query(loaded - this.#shifted, PAGE_SIZE, this.sort, this.#version);
      const page = await api.loadThread(this.articleId, query);
      performance.measure('parley:page-fetch', { start: asked });
      if (request !== this.#request || loaded !== this.comments.length) return;
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

  /** Posts, then shows the new comment where the reader looks for it:
   * a reply just under its parent, a comment at the top (below a pinned
   * one). Only the new comment is fetched; the rest stays as it is until
   * the thread is next loaded whole, when it takes its place in the order.
   * Resolves to its id once it is saved, even if showing it then fails
   * (the error is shown instead: posting again would post twice). */
  /** Shows only the comments under `roots` (all of them when empty). */
  async narrow(roots: string[]): Promise<void> {
    this.roots = roots;
    await this.reload();
  }

  async post(parentId: string | null, body: string, passage: NewPassage | null = null): Promise<string> {
    const key = passage ? 'passage' : (parentId ?? 'new');
    const sending = this.#idFor(key, body);
    this.#sending.add(sending);
    const id = await api.postComment(this.articleId, parentId, body, sending, passage);
    sentIds.get(this.drafts)?.delete(key);
    delete this.drafts[key];
    try {
      if (!this.#insert(await api.commentView(id))) await this.reload(id);
    } catch (e) {
      this.error = (e as ApiError).message;
    }
    return id;
  }

  /** Takes in a change someone made on the server to this discussion.
   * Changes to comments on the page are shown in place (their text, score
   * or standing; nothing moves); new comments are counted in `arrived`
   * until the reader asks for them, unless the page has none yet. */
  async heard(event: ServerEvent): Promise<void> {
    const id = event.commentId;
    switch (event.change) {
      case 'comment_posted':
        if (!id || this.#seen.has(id) || this.#sending.has(id)) return;
        if (this.comments.length === 0) await this.reload();
        else this.arrived++;
        return;
      case 'comment_edited':
      case 'comment_deleted':
      case 'comment_removed':
      case 'voted':
        if (id && this.#seen.has(id)) await this.#refreshOne(id);
        return;
      case 'comment_pinned':
      case 'discussion_locked': {
        const page = await api.loadThread(this.articleId, this.#query(0, 1, this.sort));
        this.locked = page.locked;
        return;
      }
      default:
        return;
    }
  }

  /** Shows the comments that arrived, each in its place in the order. */
  async showArrived(): Promise<void> {
    await this.reload();
    this.arrived = 0;
  }

  /** The id to send the draft `key` with: the one it was sent with
   * before, when its text is the same (the earlier send may have arrived
   * with its answer lost), and a new one otherwise. */
  #idFor(key: string, body: string): string {
    let ids = sentIds.get(this.drafts);
    if (!ids) {
      ids = new Map();
      sentIds.set(this.drafts, ids);
    }
    const earlier = ids.get(key);
    if (earlier?.body === body) return earlier.id;
    const id = uuidv7();
    ids.set(key, { id, body });
    return id;
  }

  /** Saves the edit and refreshes that one comment. */
  async edit(commentId: string, body: string): Promise<void> {
    await api.editComment(commentId, body);
    delete this.drafts[`edit:${commentId}`];
    await this.#refreshOne(commentId);
  }

  /** Deletes: the comment becomes a placeholder where replies need its
   * place, and leaves the page where none do. */
  async remove(commentId: string): Promise<void> {
    await api.deleteComment(commentId);
    await this.#refreshOne(commentId);
  }

  /** Shows one comment as it is now, or takes it off the page if it is
   * gone (deleted, with no replies to keep its place). */
  async #refreshOne(commentId: string): Promise<void> {
    const before = this.comments.find((c) => c.id === commentId);
    let now: ThreadComment | null;
    try {
      now = await api.commentView(commentId);
    } catch (e) {
      const error = e as ApiError;
      if (error.kind !== 'not_found') {
        this.error = error.message;
        return;
      }
      now = null;
    }
    if (!before) return;
    // A comment that stops counting (now a placeholder, or gone) leaves
    // "Comments (N)" and its ancestors' reply counts.
    const left = !before.removed && (now === null || now.removed !== null);
    let comments = this.comments;
    if (now) {
      // Text and standing change; its place (depth, collapsed) does not.
      const { depth, collapsed, replyCount, isNew, pinned } = before;
      comments = comments.map((c) =>
        c.id === commentId ? { ...now, depth, collapsed, replyCount, isNew, pinned } : c,
      );
    } else {
      comments = comments.filter((c) => c.id !== commentId);
      this.#shifted -= 1;
      this.visibleCount -= 1;
    }
    this.comments = left ? this.#withReplies(comments, before.parentId, -1) : comments;
    if (left) {
      this.#counted -= 1;
      this.commentCount -= 1;
    }
  }

  /** Puts a comment the reader just posted on the page, under its parent
   * (or at the top); false if its parent is not on the page. */
  #insert(comment: ThreadComment): boolean {
    const parentId = comment.parentId;
    const parent = parentId === null ? -1 : this.comments.findIndex((c) => c.id === parentId);
    if (parentId !== null && parent < 0) return false;
    const at = parentId === null ? (this.comments[0]?.pinned ? 1 : 0) : parent + 1;
    const comments = [...this.comments];
    comments.splice(at, 0, comment);
    this.#seen.add(comment.id);
    this.comments = this.#withReplies(comments, parentId, 1);
    this.#shifted += 1;
    this.#counted += 1;
    this.commentCount += 1;
    this.visibleCount += 1;
    return true;
  }

  /** `comments` with the reply counts of `parentId` and its ancestors
   * moved by `change`. */
  #withReplies(comments: ThreadComment[], parentId: string | null, change: number): ThreadComment[] {
    const byId = new Map(comments.map((c) => [c.id, c]));
    const ancestors = new Set<string>();
    for (let id = parentId; id !== null && !ancestors.has(id); id = byId.get(id)?.parentId ?? null) {
      ancestors.add(id);
    }
    if (ancestors.size === 0) return comments;
    return comments.map((c) =>
      ancestors.has(c.id) ? { ...c, replyCount: Math.max(0, c.replyCount + change) } : c,
    );
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
