-- Passages (issue 20): comments about some words of an article, private
-- highlights, and articles that change at their source.

-- An article keeps every version it had. The row in `articles` is always
-- the current one; `article_versions` holds the earlier ones, numbered
-- from 1. `text_version` is the current one's number.
ALTER TABLE articles ADD COLUMN text_version INTEGER NOT NULL DEFAULT 1;
-- When the current version replaced an earlier one (NULL: never updated).
ALTER TABLE articles ADD COLUMN updated_at INTEGER;
-- A digest of what the source last sent (title and body as found), so a
-- refresh notices a change without sanitizing every entry again. NULL for
-- articles added before this migration: the first refresh fills it in.
ALTER TABLE articles ADD COLUMN content_digest TEXT;

CREATE TABLE article_versions (
    article_id BLOB    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL CHECK (version >= 1),
    title      TEXT    NOT NULL,
    author     TEXT    NOT NULL,
    summary    TEXT    NOT NULL,
    -- Sanitized, as the article's body_html was while this was current.
    body_html  TEXT    NOT NULL,
    -- When this version became the article's text.
    since      INTEGER NOT NULL,
    PRIMARY KEY (article_id, version)
) STRICT, WITHOUT ROWID;

-- The words a comment or a highlight is about: a selector (the quote, up
-- to 32 characters either side, and its place) on the version it was
-- written on, and where it is on the article's current version. Offsets
-- count Unicode scalar values of the article's text (passages/text.rs).
CREATE TABLE passages (
    id           BLOB    PRIMARY KEY NOT NULL,
    article_id   BLOB    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    exact        TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    suffix       TEXT    NOT NULL,
    start_at     INTEGER NOT NULL CHECK (start_at >= 0),
    end_at       INTEGER NOT NULL CHECK (end_at > start_at),
    -- How it was placed on the current version: where its text still is
    -- ('exact'), where its quote was found again ('moved'), by close
    -- matching ('fuzzy'), or not at all ('gone': placed_* are NULL).
    placed       TEXT    NOT NULL DEFAULT 'exact'
                 CHECK (placed IN ('exact', 'moved', 'fuzzy', 'gone')),
    placed_start INTEGER,
    placed_end   INTEGER,
    created_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX passages_by_article ON passages (article_id);

-- A top-level comment may be about a passage.
ALTER TABLE comments ADD COLUMN passage_id BLOB REFERENCES passages (id);
CREATE INDEX comments_by_passage ON comments (passage_id) WHERE passage_id IS NOT NULL;

-- A person's own highlights: seen by nobody else, ever. Deleting the
-- passage deletes the highlight.
CREATE TABLE highlights (
    id         BLOB    PRIMARY KEY NOT NULL,
    user_id    BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id BLOB    NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    passage_id BLOB    NOT NULL UNIQUE REFERENCES passages (id) ON DELETE CASCADE,
    colour     TEXT    NOT NULL CHECK (colour IN ('yellow', 'green', 'blue', 'pink')),
    note       TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX highlights_by_user ON highlights (user_id, created_at DESC);
CREATE INDEX highlights_by_article ON highlights (article_id, user_id);
