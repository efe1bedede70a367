-- What changed, in order (src/events.rs): each change to a discussion or
-- the library writes a row here in the same transaction as the change, so
-- a client that saw event N can ask for everything after N and miss
-- nothing. Rows say what changed and where, never the text: a client
-- reads that through the usual rules. Old rows are pruned.
CREATE TABLE events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    kind       TEXT    NOT NULL,
    article_id BLOB,
    comment_id BLOB
);
