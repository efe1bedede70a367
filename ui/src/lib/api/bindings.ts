// Generated from parley-core's Rust types by `src/bindings.rs`. Do not edit:
// run `PARLEY_UPDATE_BINDINGS=1 cargo test -p parley-core --test domain bindings`.

export type UserId = string;

export type ArticleId = string;

export type CommentId = string;

export type MuteId = string;

export type SourceId = string;

export type SessionId = string;

export type InviteId = string;

export type ErrorKind = "invalid" | "username_taken" | "bad_credentials" | "too_many_attempts" | "unauthorized" | "forbidden" | "not_found" | "unavailable" | "internal";

export type ErrorBody = { kind: ErrorKind, message: string, };

export type Role = "admin" | "member";

export type User = { id: UserId, username: string, displayName: string, role: Role, createdAt: number, };

export type NewAccount = { username: string, displayName: string, password: string, };

export type ArticleSummary = { id: ArticleId, title: string, source: string, author: string, publishedAt: number, summary: string, tags: Array<string>, 
/**
 * Comments, not counting placeholders of deleted ones.
 */
commentCount: number, 
/**
 * Comments by others since the reader last opened the discussion (0
 * for signed-out readers and for articles never opened).
 */
newCount: number, 
/**
 * The feed it came from, if it came from one still followed.
 */
sourceId: SourceId | null, origin: Origin, 
/**
 * The signed-in reader has not opened it yet (false when signed out).
 */
unread: boolean, };

export type Article = { id: ArticleId, title: string, source: string, author: string, url: string | null, publishedAt: number, summary: string, 
/**
 * Sanitized HTML (built from escaped text, or through the library's
 * allow-list), safe to insert as is.
 */
bodyHtml: string, tags: Array<string>, 
/**
 * The reader may delete it: the admin, or whoever added it while
 * nobody has commented on it.
 */
canDelete: boolean, 
/**
 * The version shown (title and body are this version's).
 */
version: number, 
/**
 * Every version the article has had, newest (the current one) first:
 * more than one when it changed at its source.
 */
versions: Array<VersionInfo>, };

export type VersionInfo = { version: number, 
/**
 * When it became the article's text.
 */
since: number, };

export type PassageId = string;

export type HighlightId = string;

export type Placed = "exact" | "moved" | "fuzzy" | "gone";

export type Passage = { id: PassageId, 
/**
 * The words quoted, as they were when it was written.
 */
quote: string, 
/**
 * The version of the article it was written on.
 */
version: number, 
/**
 * Where it is on the version shown, in characters of its text
 * (`text::of_html`); absent when it is gone.
 */
start: number | null, end: number | null, placed: Placed, };

export type NewPassage = { version: number, start: number, end: number, quote: string, };

export type Mark = { passage: Passage, 
/**
 * Comments about it: the ones quoting it and their replies, not
 * counting deleted or removed ones.
 */
count: number, 
/**
 * The top-level comments quoting it, oldest first: the discussion
 * narrowed to this mark shows them and their replies.
 */
comments: Array<CommentId>, };

export type Marks = { articleId: ArticleId, 
/**
 * The version the places are on.
 */
version: number, 
/**
 * In the order of the text; passages no longer in the article last.
 */
marks: Array<Mark>, 
/**
 * The reader's own highlights on this version, oldest first.
 */
highlights: Array<Highlight>, };

export type Colour = "yellow" | "green" | "blue" | "pink";

export type Highlight = { id: HighlightId, articleId: ArticleId, articleTitle: string, 
/**
 * The article's source, as the library names it.
 */
source: string, author: string, 
/**
 * The original's address, when it has one.
 */
url: string | null, 
/**
 * Where it is on the article's current version.
 */
passage: Passage, colour: Colour, note: string, createdAt: number, updatedAt: number, };

export type HighlightQuery = { colour?: Colour, 
/**
 * Only those of articles from this source.
 */
source?: string, 
/**
 * Words to find in the quote, the note or the article's title.
 */
text?: string, 
/**
 * Only those of this article.
 */
articleId?: ArticleId, };

export type Sort = "best" | "top" | "newest" | "oldest";

export type Removal = "author" | "moderator";

export type VoteChoice = "up" | "down" | "none";

export type ThreadComment = { id: CommentId, parentId: CommentId | null, 
/**
 * Who wrote it; empty for a deleted or removed comment, which no
 * longer says.
 */
authorName: string, 
/**
 * Who this replies to, so deeply nested replies can say so when the
 * indentation no longer can; `None` for a top-level comment and for a
 * reply to a deleted or removed one.
 */
parentAuthorName: string | null, 
/**
 * 0 for a top-level comment, 1 for a reply to it, and so on.
 */
depth: number, 
/**
 * Sanitized HTML from render.rs; empty for a removed comment.
 */
bodyHtml: string, 
/**
 * The Markdown as written, sent only to its author (for editing).
 */
source: string | null, 
/**
 * Set when the comment was deleted but keeps its place for its replies.
 */
removed: Removal | null, 
/**
 * Written by the reader (and not deleted or removed).
 */
mine: boolean, createdAt: number, 
/**
 * When the last edit that made a history entry happened.
 */
editedAt: number | null, score: number, 
/**
 * -1, 0 or 1: the reader's own vote.
 */
myVote: number, 
/**
 * Posted by someone else since the reader's previous visit.
 */
isNew: boolean, 
/**
 * Replies below this one at any depth (placeholders not counted).
 */
replyCount: number, 
/**
 * The reader has collapsed this subtree: its replies are not listed.
 */
collapsed: boolean, 
/**
 * The admin pinned this comment to the top of the discussion.
 */
pinned: boolean, 
/**
 * The reader has muted the author: show "comment by a muted user"
 * until they ask to see it.
 */
authorMuted: boolean, 
/**
 * The words of the article a top-level comment is about, if it quotes
 * any (absent once the comment is deleted or removed).
 */
passage: Passage | null, };

export type ThreadPage = { articleId: ArticleId, 
/**
 * The version of the order this page was cut from: the thread's
 * current one, or the earlier one the query asked to continue. It
 * changes whenever the order may have changed (a post, a removal, a
 * vote): a page with another version than the ones before it does not
 * continue them.
 */
version: number, sort: Sort, 
/**
 * The admin has locked the discussion: it can be read, not added to.
 */
locked: boolean, 
/**
 * Comments in the whole discussion, placeholders not counted: the N of
 * "Comments (N)".
 */
commentCount: number, 
/**
 * Comments by others since the reader's previous visit.
 */
newCount: number, 
/**
 * Entries in the reading order (collapsed replies left out).
 */
visibleCount: number, offset: number, comments: Array<ThreadComment>, };

export type ThreadQuery = { 
/**
 * The order; when absent, the reader's saved choice (or Best).
 */
sort?: Sort, 
/**
 * How many entries of the reading order to skip.
 */
offset: number, 
/**
 * How many to return (capped at [`MAX_PAGE`]); 0 means the default, 100.
 */
limit: number, 
/**
 * Extend the page to include this comment, opening any collapsed
 * subtree it is in: for links to a comment ("Replies to you").
 */
through?: CommentId, 
/**
 * Subtrees collapsed by a signed-out reader (a signed-in reader's are
 * saved in the database and this is ignored). At most
 * [`MAX_COLLAPSED`] are read; ids not in this thread are dropped.
 */
collapsed: Array<CommentId>, 
/**
 * Continue the reading order of this earlier version (the one the
 * reader's loaded pages were cut from), while it is still at hand: a
 * vote, or the reader's own post, then leaves their place alone. The
 * page says which version it was cut from; a different one means the
 * reader's pages must be loaded again.
 */
version?: number, 
/**
 * Only these top-level comments and their replies: the discussion
 * narrowed to one passage's comments. Empty: the whole discussion.
 * At most [`MAX_COLLAPSED`] are read.
 */
roots: Array<CommentId>, };

export type Revision = { bodyHtml: string, 
/**
 * When this version was posted, or became current through an edit.
 */
writtenAt: number, 
/**
 * The version shown now.
 */
current: boolean, };

export type VoteOutcome = { score: number, 
/**
 * -1, 0 or 1.
 */
myVote: number, };

export type ReplyToMe = { id: CommentId, articleId: ArticleId, articleTitle: string, authorName: string, bodyHtml: string, createdAt: number, 
/**
 * Posted after the reader last opened that article's discussion.
 */
unread: boolean, };

export type AccountSummary = { username: string, displayName: string, role: Role, createdAt: number, disabled: boolean, 
/**
 * Comments written and not deleted.
 */
commentCount: number, 
/**
 * The admin looking at the list.
 */
isYou: boolean, };

export type AppSettings = { 
/**
 * A signed-in session ends after this many minutes without activity.
 */
idleTimeoutMinutes: number, };

export type LibraryLimits = { 
/**
 * Articles one source keeps: 1,000 unless changed.
 */
maxArticlesPerSource: number, 
/**
 * Bytes of images one source's articles keep: 200 MiB unless changed.
 */
maxSourceImageBytes: number, 
/**
 * Bytes of images the whole library keeps: 2 GiB unless changed.
 */
maxLibraryImageBytes: number, };

export type MutedPerson = { 
/**
 * The mute itself, for undoing it with [`unmute`].
 */
id: MuteId, displayName: string, };

export type SessionInfo = { id: SessionId, label: string, createdAt: number, lastSeenAt: number, 
/**
 * The session asking.
 */
current: boolean, };

export type SignUp = "invite" | "open" | "closed";

export type InviteInfo = { id: InviteId, createdAt: number, expiresAt: number, usedAt: number | null, 
/**
 * The display name of whoever joined with it.
 */
usedBy: string | null, };

export type NewInvite = { id: InviteId, code: string, expiresAt: number, };

export type Origin = "sample" | "feed" | "page" | "file";

export type LibraryQuery = { 
/**
 * Only articles from this feed.
 */
source?: SourceId, 
/**
 * Only articles with this tag.
 */
tag?: string, 
/**
 * Only articles the reader has not read (signed in only).
 */
unreadOnly: boolean, 
/**
 * Continue after this article (from [`LibraryPage::next`]).
 */
after?: LibraryCursor, 
/**
 * How many to return; 0 means [`DEFAULT_PAGE`], at most [`MAX_PAGE`].
 */
limit: number, 
/**
 * Only articles already in the library at this moment (a page's
 * [`LibraryPage::as_of`]): "Mark all read" then leaves alone what
 * arrived after the reader last looked.
 */
upTo?: number, };

export type LibraryCursor = { publishedAt: number, id: ArticleId, };

export type LibraryPage = { articles: Array<ArticleSummary>, 
/**
 * Where the next page starts; `None` at the end.
 */
next: LibraryCursor | null, 
/**
 * When the page was read from the library.
 */
asOf: number, };

export type Change = "comment_posted" | "comment_edited" | "comment_deleted" | "comment_removed" | "comment_pinned" | "voted" | "discussion_locked" | "article_added" | "article_updated";

export type Event = { id: number, at: number, change: Change, articleId: ArticleId | null, commentId: CommentId | null, };

export type TagCount = { tag: string, articles: number, };

export type Source = { id: SourceId, title: string, 
/**
 * The feed's address: whole for whoever added it and the admin (a
 * private feed's key is in it); for other members with its query
 * values masked ([`masked`]); for nobody signed in, `None`.
 */
feedUrl: string | null, siteUrl: string | null, refreshMinutes: number, 
/**
 * The last refresh that worked.
 */
lastSuccessAt: number | null, 
/**
 * Why the last refresh failed; `None` when it worked.
 */
lastError: string | null, 
/**
 * What the last refresh had to say besides: no entries, entries
 * skipped, older articles that made room.
 */
notice: string | null, nextRefreshAt: number, 
/**
 * Articles in the library from this feed.
 */
articleCount: number, 
/**
 * The reader may change or remove it (they added it, or are admin).
 */
canManage: boolean, };

export type ItemState = { "state": "waiting" } | { "state": "working" } | { "state": "added", articles: number, } | { "state": "alreadyThere" } | { "state": "empty", why: string, } | { "state": "failed", why: string, } | { "state": "cancelled" };

export type JobItem = { 
/**
 * What it is: an address, a file name, a feed's title.
 */
label: string, state: ItemState, 
/**
 * Lines for the log beneath it: entries skipped or read in part,
 * older articles that made room.
 */
notes: Array<string>, };

export type JobView = { id: number, 
/**
 * "Importing 3 files", "Refreshing 12 feeds".
 */
title: string, total: number, 
/**
 * Items finished, whatever their outcome.
 */
done: number, failed: number, 
/**
 * Articles added so far.
 */
added: number, 
/**
 * What it is working on now.
 */
current: string | null, items: Array<JobItem>, finished: boolean, cancelled: boolean, };

export type SearchQuery = { 
/**
 * What the person typed (see [`query`] for what it may hold).
 */
text: string, 
/**
 * Only articles from this source (its name, as the library shows it),
 * and comments under them.
 */
source?: string, 
/**
 * Only articles with this tag, and comments under them.
 */
tag?: string, 
/**
 * Only comments by someone whose display name starts with this
 * (compared as names are: case and look-alikes folded). Articles are
 * not searched then.
 */
author?: string, 
/**
 * Only what was published (articles) or written (comments) at or
 * after this moment.
 */
from?: number, 
/**
 * Only what was published or written before this moment.
 */
until?: number, 
/**
 * Only article titles: no bylines, texts or comments.
 */
titlesOnly: boolean, 
/**
 * Results per group; 0 means [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`].
 */
limit: number, };

export type Segment = { text: string, hit: boolean, };

export type ArticleHit = { id: ArticleId, title: Array<Segment>, source: string, author: string, publishedAt: number, 
/**
 * Words around the best match in the text (empty when only the title
 * or byline matched and the text has nothing to show).
 */
snippet: Array<Segment>, };

export type CommentHit = { id: CommentId, articleId: ArticleId, articleTitle: string, 
/**
 * The author's display name ("[deleted user]" once their account is
 * deleted).
 */
author: string, createdAt: number, snippet: Array<Segment>, 
/**
 * The reader muted the author: show it folded, as the discussion does.
 */
muted: boolean, };

export type HighlightWord = { word: string, prefix: boolean, };

export type SearchResults = { articles: Array<ArticleHit>, comments: Array<CommentHit>, 
/**
 * More articles matched than are listed.
 */
moreArticles: boolean, 
/**
 * More comments matched than are listed.
 */
moreComments: boolean, 
/**
 * The words looked for, to highlight in the article a result opens.
 */
words: Array<HighlightWord>, 
/**
 * The signed-in reader's own highlights whose quote, note or article
 * title has every word looked for: nobody else's, ever.
 */
highlights: Array<Highlight>, };

export type BackupKind = "manual" | "automatic" | "beforeRestore";

export type Backup = { 
/**
 * The file's name in the backups folder.
 */
name: string, size: number, takenAt: number, kind: BackupKind, };

export type Restored = { 
/**
 * The backup (in the backups folder) holding what was replaced.
 */
setAside: string, };

export type ExportFormat = "markdown" | "json";
