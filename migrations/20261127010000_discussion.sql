-- Discussion depth: rendered Markdown, edits with history, deletion that
-- keeps a thread's shape, votes, and what each person has seen and chosen.

-- Rendered and sanitized once, when written (render.rs). NULL only for rows
-- written before this migration; Parley renders those at start-up.
ALTER TABLE comments ADD COLUMN body_html TEXT;
-- Set by an edit that made a history entry (quick fixes in the first five
-- minutes do not).
ALTER TABLE comments ADD COLUMN edited_at INTEGER;
-- A deleted comment that still has replies stays as a placeholder: its text
-- is cleared, and who removed it decides what the placeholder says.
ALTER TABLE comments ADD COLUMN deleted_at INTEGER;
ALTER TABLE comments ADD COLUMN deleted_by TEXT CHECK (deleted_by IN ('author', 'moderator'));
-- Vote totals, kept in step with `votes` inside the same transaction, so a
-- thread sorts without aggregating every vote.
ALTER TABLE comments ADD COLUMN upvotes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE comments ADD COLUMN downvotes INTEGER NOT NULL DEFAULT 0;

-- Earlier versions of edited comments, oldest first by rowid.
CREATE TABLE comment_revisions (
    comment_id  BLOB    NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    body        TEXT    NOT NULL,
    body_html   TEXT    NOT NULL,
    -- When this version was posted (or became current through an edit).
    written_at  INTEGER NOT NULL,
    -- When the next edit replaced it.
    replaced_at INTEGER NOT NULL
) STRICT;
CREATE INDEX comment_revisions_by_comment ON comment_revisions (comment_id);

-- One vote per person and comment; voting again changes or withdraws it.
CREATE TABLE votes (
    user_id    BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment_id BLOB    NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    value      INTEGER NOT NULL CHECK (value IN (-1, 1)),
    voted_at   INTEGER NOT NULL,
    PRIMARY KEY (user_id, comment_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX votes_by_comment ON votes (comment_id);

-- When each person last opened each article's discussion. `previous_at` is
-- the visit before that: comments newer than it stay marked "new" while
-- the person reads the visit that began at `last_at`.
CREATE TABLE article_visits (
    user_id     BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id  BLOB    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    last_at     INTEGER NOT NULL,
    previous_at INTEGER,
    PRIMARY KEY (user_id, article_id)
) STRICT, WITHOUT ROWID;

-- Subtrees a person has collapsed.
CREATE TABLE collapsed_comments (
    user_id    BLOB NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment_id BLOB NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, comment_id)
) STRICT, WITHOUT ROWID;

-- Per-person settings.
CREATE TABLE user_preferences (
    user_id     BLOB PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    thread_sort TEXT NOT NULL DEFAULT 'best'
                CHECK (thread_sort IN ('best', 'top', 'newest', 'oldest'))
) STRICT;

-- "Replies to you": replies are found through their parent's author.
CREATE INDEX comments_by_author ON comments (author_id);
-- Bumped by every write that changes a thread's shape (a comment posted or
-- removed, a vote), so a cached ordering of the thread knows it is stale.
ALTER TABLE articles ADD COLUMN thread_version INTEGER NOT NULL DEFAULT 0;
