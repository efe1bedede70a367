-- Parley's schema on PostgreSQL 15: the same tables, columns (in the same
-- order), constraints and indexes as SQLite's migrations leave behind,
-- less search (20261210000001_search.sql adds that).
--
-- Conventions, as on SQLite:
--   * ids are UUID v7, made by Parley (time-ordered, so new rows land at the
--     end of an index);
--   * times are BIGINT milliseconds since the Unix epoch, UTC;
--   * no column depends on a rowid: PostgreSQL has none.
-- Forward only: once shipped, this file is never edited.

CREATE TABLE users (
    id                     UUID    PRIMARY KEY NOT NULL,
    -- The name as typed, shown back to its owner.
    username               TEXT    NOT NULL,
    -- The username folded to lower case by Rust: one account per key.
    username_key           TEXT    NOT NULL UNIQUE,
    display_name           TEXT    NOT NULL,
    -- An argon2id PHC string; '' once the account is deleted.
    password_hash          TEXT    NOT NULL,
    role                   TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    created_at             BIGINT  NOT NULL,
    -- Set while an admin has the account disabled: it cannot sign in.
    disabled_at            BIGINT,
    -- Set when the account is deleted; the row stays for its comments.
    deleted_at             BIGINT,
    -- Whether the current password is long enough for an admin (the length
    -- itself is not kept): a member is promoted only when it is.
    password_fit_for_admin BOOLEAN NOT NULL DEFAULT FALSE,
    -- The display name folded for comparison (case, lookalikes; names.rs),
    -- so no one takes a name that reads like another's. Not unique here:
    -- Rust checks it.
    display_name_key       TEXT,
    -- Moved on by a new password, disabling or deleting: sessions from an
    -- earlier generation have ended.
    session_generation     BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX users_by_display_name_key ON users (display_name_key);

-- Feeds people follow; their entries become articles.
CREATE TABLE sources (
    id               UUID   PRIMARY KEY NOT NULL,
    -- Where Parley fetches the feed, after discovery and canonicalising
    -- (library/address.rs).
    feed_url         TEXT   NOT NULL UNIQUE,
    -- The feed's website, if it names one.
    site_url         TEXT,
    title            TEXT   NOT NULL,
    added_by         UUID   REFERENCES users (id),
    added_at         BIGINT NOT NULL,
    -- Minutes between refreshes.
    refresh_minutes  BIGINT NOT NULL DEFAULT 60
                     CHECK (refresh_minutes BETWEEN 15 AND 10080),
    -- ETag and Last-Modified, sent back for a conditional request.
    etag             TEXT,
    last_modified    TEXT,
    -- The last refresh tried, the last that worked, and the last failure in
    -- words for a person (NULL again after a success).
    last_attempt_at  BIGINT,
    last_success_at  BIGINT,
    last_error       TEXT,
    -- Consecutive failed refreshes; each one lengthens the wait.
    failures         BIGINT NOT NULL DEFAULT 0,
    next_refresh_at  BIGINT NOT NULL,
    -- Something the last refresh has to tell a person that is not a failure
    -- (no entries, unreadable entries, old articles dropped for the caps).
    notice           TEXT,
    -- The feed's server asked for no request before this time (429/503).
    retry_not_before BIGINT
);
CREATE INDEX sources_by_next_refresh ON sources (next_refresh_at);

CREATE TABLE articles (
    id                UUID   PRIMARY KEY NOT NULL,
    title             TEXT   NOT NULL,
    source            TEXT   NOT NULL,
    author            TEXT   NOT NULL,
    url               TEXT,
    published_at      BIGINT NOT NULL,
    summary           TEXT   NOT NULL,
    -- Already sanitized: goes into the page as it is.
    body_html         TEXT   NOT NULL,
    created_at        BIGINT NOT NULL,
    -- Bumped by every change to the thread's shape (comment posted or
    -- removed, a vote), so a cached ordering knows it is stale.
    thread_version    BIGINT NOT NULL DEFAULT 0,
    -- Set while the discussion is locked: read-only for everyone.
    locked_at         BIGINT,
    -- The one top-level comment shown first. Its foreign key is added below,
    -- once comments exists.
    pinned_comment_id UUID,
    -- How the article came in; samples have no source and no key.
    origin            TEXT   NOT NULL DEFAULT 'sample'
                      CHECK (origin IN ('sample', 'feed', 'page', 'file')),
    -- The feed it came from; removing the source keeps the article.
    source_id         UUID   REFERENCES sources (id) ON DELETE SET NULL,
    added_by          UUID   REFERENCES users (id),
    added_at          BIGINT,
    -- The body as plain text (no tags), for search and its snippets. NULL
    -- until Rust has extracted it.
    body_text         TEXT
);
-- The library lists and pages newest first.
CREATE INDEX articles_by_published ON articles (published_at DESC);
CREATE INDEX articles_by_published_and_id ON articles (published_at DESC, id DESC);
CREATE INDEX articles_by_source ON articles (source_id, published_at DESC, id DESC);

CREATE TABLE article_tags (
    article_id UUID NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
);
CREATE INDEX article_tags_by_tag ON article_tags (tag, article_id);

CREATE TABLE comments (
    id         UUID   PRIMARY KEY NOT NULL,
    article_id UUID   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- NULL at the top level. No cascade: a parent with replies is never
    -- removed, it becomes a placeholder.
    parent_id  UUID   REFERENCES comments (id),
    author_id  UUID   NOT NULL REFERENCES users (id),
    -- The text as written (trimmed), shown as text.
    body       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    -- The body rendered from Markdown and sanitized when written
    -- (render.rs); NULL only until Parley renders it at start-up.
    body_html  TEXT,
    -- Set by an edit that kept a revision (quick fixes do not).
    edited_at  BIGINT,
    -- A removed comment: text cleared, kept as a placeholder if it has
    -- replies; deleted_by says who removed it.
    deleted_at BIGINT,
    deleted_by TEXT   CHECK (deleted_by IN ('author', 'moderator')),
    -- Vote totals, changed with `votes` in the same transaction.
    upvotes    BIGINT NOT NULL DEFAULT 0,
    downvotes  BIGINT NOT NULL DEFAULT 0
);
-- One range scan loads a thread in the order its tree is built.
CREATE INDEX comments_by_article ON comments (article_id, created_at, id);
-- Replies of a comment.
CREATE INDEX comments_by_parent ON comments (parent_id);
-- "Replies to you", through the parent's author.
CREATE INDEX comments_by_author ON comments (author_id);
-- Comments by when they were written.
CREATE INDEX comments_by_time ON comments (created_at);

ALTER TABLE articles ADD CONSTRAINT articles_pinned_comment_id_fkey
    FOREIGN KEY (pinned_comment_id) REFERENCES comments (id) ON DELETE SET NULL;
-- Deleting a comment looks for the article that pins it.
CREATE INDEX articles_by_pinned_comment ON articles (pinned_comment_id);

-- The earlier versions of an edited comment.
CREATE TABLE comment_revisions (
    comment_id  UUID   NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    body        TEXT   NOT NULL,
    body_html   TEXT   NOT NULL,
    -- When this version was posted or became current by an edit.
    written_at  BIGINT NOT NULL,
    -- When the following edit replaced it.
    replaced_at BIGINT NOT NULL
);
CREATE INDEX comment_revisions_by_comment ON comment_revisions (comment_id);

-- A person's vote on a comment, at most one; voting again changes or
-- withdraws it.
CREATE TABLE votes (
    user_id    UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment_id UUID   NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    value      BIGINT NOT NULL CHECK (value IN (-1, 1)),
    voted_at   BIGINT NOT NULL,
    PRIMARY KEY (user_id, comment_id)
);
CREATE INDEX votes_by_comment ON votes (comment_id);

-- A person's last two visits to an article's discussion: comments newer
-- than previous_at stay "new" during the visit that began at last_at.
CREATE TABLE article_visits (
    user_id     UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id  UUID   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    last_at     BIGINT NOT NULL,
    previous_at BIGINT,
    PRIMARY KEY (user_id, article_id)
);
CREATE INDEX article_visits_by_article ON article_visits (article_id);

-- Subtrees a person has folded away.
CREATE TABLE collapsed_comments (
    user_id    UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    comment_id UUID NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, comment_id)
);
CREATE INDEX collapsed_comments_by_comment ON collapsed_comments (comment_id);

-- Each person's own settings.
CREATE TABLE user_preferences (
    user_id     UUID PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    thread_sort TEXT NOT NULL DEFAULT 'best'
                CHECK (thread_sort IN ('best', 'top', 'newest', 'oldest'))
);

-- Sign-in back-off, kept per typed name (whether or not an account has
-- it), so "please wait" does not tell that an account exists.
CREATE TABLE sign_in_failures (
    username_key  TEXT   PRIMARY KEY NOT NULL,
    -- Consecutive failed attempts.
    failures      BIGINT NOT NULL,
    -- No attempt on this name counts before this time.
    blocked_until BIGINT
);

-- Settings for the whole installation: exactly one row, id 1.
CREATE TABLE app_settings (
    id                      BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    -- Minutes without activity after which a session ends.
    idle_timeout_minutes    BIGINT NOT NULL DEFAULT 30
                            CHECK (idle_timeout_minutes BETWEEN 1 AND 1440),
    -- What the library keeps (library/limits.rs): articles and image bytes
    -- per source, image bytes overall. Past a cap, the oldest feed articles
    -- without a discussion go.
    max_articles_per_source BIGINT NOT NULL DEFAULT 1000
                            CHECK (max_articles_per_source BETWEEN 10 AND 100000),
    max_source_image_bytes  BIGINT NOT NULL DEFAULT 209715200
                            CHECK (max_source_image_bytes BETWEEN 1048576 AND 107374182400),
    max_library_image_bytes BIGINT NOT NULL DEFAULT 2147483648
                            CHECK (max_library_image_bytes BETWEEN 1048576 AND 1099511627776)
);
INSERT INTO app_settings (id) VALUES (1);

-- People whose comments a person chose not to read (shown to them folded).
-- No one else sees a difference.
CREATE TABLE mutes (
    user_id    UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    muted_id   UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    -- The mute's own id, so a list of mutes names nobody's username.
    id         UUID,
    PRIMARY KEY (user_id, muted_id),
    CHECK (user_id <> muted_id)
);
CREATE UNIQUE INDEX mutes_by_id ON mutes (id);
CREATE INDEX mutes_by_muted ON mutes (muted_id);

-- What recognises an article when it is imported again: a feed entry by
-- source and entry id (or link, or title and date), a page by each
-- canonical address, a file by its digest.
CREATE TABLE article_keys (
    key        TEXT PRIMARY KEY NOT NULL,
    article_id UUID NOT NULL REFERENCES articles (id) ON DELETE CASCADE
);
CREATE INDEX article_keys_by_article ON article_keys (article_id);

-- Who has read what: "unread" and "Mark all as read".
CREATE TABLE article_reads (
    user_id    UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id UUID   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    read_at    BIGINT NOT NULL,
    PRIMARY KEY (user_id, article_id)
);
CREATE INDEX article_reads_by_article ON article_reads (article_id);

-- Article images, fetched when the article was added and served through
-- the parley-image: scheme, so reading tells their sites nothing.
CREATE TABLE article_images (
    id           UUID  PRIMARY KEY NOT NULL,
    article_id   UUID  NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    content_type TEXT  NOT NULL,
    bytes        BYTEA NOT NULL,
    source_url   TEXT  NOT NULL
);
CREATE INDEX article_images_by_article ON article_images (article_id);

-- Entries a source's caps removed, so the next fetch (which still lists
-- them) does not add them again.
CREATE TABLE removed_entries (
    key        TEXT   PRIMARY KEY NOT NULL,
    source_id  UUID   NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    removed_at BIGINT NOT NULL
);
CREATE INDEX removed_entries_by_source ON removed_entries (source_id, removed_at);
