-- Parley's first schema: accounts, the article library and threaded comments.
--
-- Conventions for every table here and in later migrations:
--   * ids are UUID v7 stored as 16-byte BLOBs (time-ordered: new rows append
--     to the index instead of scattering through it);
--   * times are INTEGER milliseconds since the Unix epoch, UTC;
--   * tables are STRICT, so a wrongly typed value is an error, not a surprise.
-- Migrations only move forward: never edit this file once it has shipped.

CREATE TABLE users (
    id            BLOB    PRIMARY KEY NOT NULL,
    -- As the person typed it, shown back to them.
    username      TEXT    NOT NULL,
    -- Lower-cased username: "Ada" and "ada" are the same account. SQLite's
    -- NOCASE folds only ASCII, so the key is folded in Rust instead.
    username_key  TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    -- argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE articles (
    id           BLOB    PRIMARY KEY NOT NULL,
    title        TEXT    NOT NULL,
    source       TEXT    NOT NULL,
    author       TEXT    NOT NULL,
    url          TEXT,
    published_at INTEGER NOT NULL,
    summary      TEXT    NOT NULL,
    -- Sanitized HTML, safe to insert into the page as it is.
    body_html    TEXT    NOT NULL,
    created_at   INTEGER NOT NULL
) STRICT;

-- The library lists newest first.
CREATE INDEX articles_by_published ON articles (published_at DESC);

CREATE TABLE article_tags (
    article_id BLOB NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
) STRICT, WITHOUT ROWID;

CREATE TABLE comments (
    id         BLOB    PRIMARY KEY NOT NULL,
    article_id BLOB    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    -- NULL for a top-level comment. A parent cannot be removed from under
    -- its replies (no cascade): deleting keeps a placeholder instead.
    parent_id  BLOB    REFERENCES comments (id),
    author_id  BLOB    NOT NULL REFERENCES users (id),
    -- Exactly as written (after trimming); shown as text.
    body       TEXT    NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- A thread is loaded with one range scan of this index, already in the
-- order the tree is built in.
CREATE INDEX comments_by_article ON comments (article_id, created_at, id);
-- Finding replies to a comment, and checking a parent exists.
CREATE INDEX comments_by_parent ON comments (parent_id);
