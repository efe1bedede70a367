-- What a source's last refresh had to say that is not a failure: the feed
-- has no entries, some entries could not be read, older articles went to
-- keep the source within its caps (src/library/limits.rs). Words for a
-- person; NULL when there is nothing to say.
ALTER TABLE sources ADD COLUMN notice TEXT;

-- The server asked Parley not to come back before this moment (429, or 503
-- with Retry-After): no refresh fetches the feed until then, whoever asks.
ALTER TABLE sources ADD COLUMN retry_not_before INTEGER;

-- How much the library keeps (src/library/limits.rs): articles and image
-- bytes per source, image bytes in all. When a refresh passes one, the
-- oldest feed articles without a discussion make room.
ALTER TABLE app_settings ADD COLUMN max_articles_per_source INTEGER NOT NULL DEFAULT 1000
    CHECK (max_articles_per_source BETWEEN 10 AND 100000);
ALTER TABLE app_settings ADD COLUMN max_source_image_bytes INTEGER NOT NULL DEFAULT 209715200
    CHECK (max_source_image_bytes BETWEEN 1048576 AND 107374182400);
ALTER TABLE app_settings ADD COLUMN max_library_image_bytes INTEGER NOT NULL DEFAULT 2147483648
    CHECK (max_library_image_bytes BETWEEN 1048576 AND 1099511627776);

-- Entries a source's caps removed, so the feed's next fetch, which still
-- lists them, does not bring them back. At most a few thousand a source
-- (limits.rs prunes them too).
CREATE TABLE removed_entries (
    key        TEXT    PRIMARY KEY NOT NULL,
    source_id  BLOB    NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    removed_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX removed_entries_by_source ON removed_entries (source_id, removed_at);
