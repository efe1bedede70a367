-- Passages, highlights and article versions (issue 20). See the SQLite
-- migration of the same name for what each column means.

ALTER TABLE articles ADD COLUMN text_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN updated_at BIGINT;
ALTER TABLE articles ADD COLUMN content_digest TEXT;

CREATE TABLE article_versions (
    article_id UUID   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version    BIGINT NOT NULL CHECK (version >= 1),
    title      TEXT   NOT NULL,
    author     TEXT   NOT NULL,
    summary    TEXT   NOT NULL,
    body_html  TEXT   NOT NULL,
    since      BIGINT NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE passages (
    id           UUID   PRIMARY KEY NOT NULL,
    article_id   UUID   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    version      BIGINT NOT NULL,
    exact        TEXT   NOT NULL,
    prefix       TEXT   NOT NULL,
    suffix       TEXT   NOT NULL,
    start_at     BIGINT NOT NULL CHECK (start_at >= 0),
    end_at       BIGINT NOT NULL CHECK (end_at > start_at),
    placed       TEXT   NOT NULL DEFAULT 'exact'
                 CHECK (placed IN ('exact', 'moved', 'fuzzy', 'gone')),
    placed_start BIGINT,
    placed_end   BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX passages_by_article ON passages (article_id);

ALTER TABLE comments ADD COLUMN passage_id UUID REFERENCES passages (id);
CREATE INDEX comments_by_passage ON comments (passage_id) WHERE passage_id IS NOT NULL;

CREATE TABLE highlights (
    id         UUID   PRIMARY KEY NOT NULL,
    user_id    UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    article_id UUID   NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    passage_id UUID   NOT NULL UNIQUE REFERENCES passages (id) ON DELETE CASCADE,
    colour     TEXT   NOT NULL CHECK (colour IN ('yellow', 'green', 'blue', 'pink')),
    note       TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX highlights_by_user ON highlights (user_id, created_at DESC);
CREATE INDEX highlights_by_article ON highlights (article_id, user_id);
