-- The library people fill themselves (issue 9): feeds they follow, pages
-- they save, files they import. See src/library/.

-- A feed someone follows. Its entries become articles.
CREATE TABLE sources (
    id                BLOB    PRIMARY KEY NOT NULL,
    -- The feed's address as Parley fetches it (after discovery from a web
    -- page, and canonicalised: library/address.rs).
    feed_url          TEXT    NOT NULL UNIQUE,
    -- The website the feed belongs to, when it says.
    site_url          TEXT,
    title             TEXT    NOT NULL,
    added_by          BLOB    REFERENCES users (id),
    added_at          INTEGER NOT NULL,
    -- How often it is refreshed, in minutes.
    refresh_minutes   INTEGER NOT NULL DEFAULT 60
                      CHECK (refresh_minutes BETWEEN 15 AND 10080),
    -- Validators for conditional requests (ETag / Last-Modified).
    etag              TEXT,
    last_modified     TEXT,
    -- The last refresh that was tried, the last that worked, and why the
    -- last one failed (words for a person; NULL once one works again).
    last_attempt_at   INTEGER,
    last_success_at   INTEGER,
    last_error        TEXT,
    -- Failed refreshes in a row: each one waits longer before the next.
    failures          INTEGER NOT NULL DEFAULT 0,
    next_refresh_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX sources_by_next_refresh ON sources (next_refresh_at);

-- Where an article came from. Samples have no source and no key.
ALTER TABLE articles ADD COLUMN origin TEXT NOT NULL DEFAULT 'sample'
    CHECK (origin IN ('sample', 'feed', 'page', 'file'));
-- The feed an entry came from; a removed source leaves its articles.
ALTER TABLE articles ADD COLUMN source_id BLOB REFERENCES sources (id) ON DELETE SET NULL;
ALTER TABLE articles ADD COLUMN added_by BLOB REFERENCES users (id);
ALTER TABLE articles ADD COLUMN added_at INTEGER;
CREATE INDEX articles_by_source ON articles (source_id, published_at DESC, id DESC);
-- The library pages through articles newest first: (published_at, id).
CREATE INDEX articles_by_published_and_id ON articles (published_at DESC, id DESC);
CREATE INDEX article_tags_by_tag ON article_tags (tag, article_id);

-- What recognises an article on a second import, so it is not added twice:
-- a feed entry by its source and id (or link, or title and date), a saved
-- page by each address it was reached at (canonical), a file by its digest.
CREATE TABLE article_keys (
    key        TEXT PRIMARY KEY NOT NULL,
    article_id BLOB NOT NULL REFERENCES articles (id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX article_keys_by_article ON article_keys (article_id);

-- What each person has read, for "unread" and "Mark all as read".
CREATE TABLE article_reads (
    user_id    BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id BLOB    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    read_at    INTEGER NOT NULL,
    PRIMARY KEY (user_id, article_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX article_reads_by_article ON article_reads (article_id);

-- Images of articles, fetched by Parley when the article was added and
-- served to the page through the parley-image: scheme, so reading leaks
-- nothing to the sites they came from.
CREATE TABLE article_images (
    id           BLOB    PRIMARY KEY NOT NULL,
    article_id   BLOB    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    content_type TEXT    NOT NULL,
    bytes        BLOB    NOT NULL,
    source_url   TEXT    NOT NULL
) STRICT;
CREATE INDEX article_images_by_article ON article_images (article_id);
