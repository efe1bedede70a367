-- Search across articles and discussions (issue 10). See src/search/.
--
-- Two FTS5 indexes whose text stays in the tables it comes from
-- ("external content"): nothing is stored twice. Triggers keep them in step
-- with every write, whichever code path makes it: posting, editing,
-- deleting, moderating, importing, deleting an article (its comments go by
-- ON DELETE CASCADE, which fires their triggers too).
--
-- unicode61 with remove_diacritics 2 folds case and accents ("Café" finds
-- "cafe" and back); prefix='3' keeps a separate index of three-letter
-- prefixes, so the word being typed ("lun" of "lunar") is as quick to look
-- up as a whole word.
--
-- The rowids are the tables' own. They are not declared INTEGER PRIMARY
-- KEY, but SQLite keeps them through VACUUM INTO and the backups made with
-- it; tests/backup.rs restores a backup and searches it.

-- The plain text of an article's body (tags left out), for the index and
-- its snippets. NULL until Rust has read the HTML: search::index_pending
-- fills it when Parley starts, for articles from before this migration.
ALTER TABLE articles ADD COLUMN body_text TEXT;

CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, author, body_text,
    content = 'articles', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '3'
);
-- A word in the title counts ten times one in the body; the byline twice.
INSERT INTO articles_fts (articles_fts, rank) VALUES ('rank', 'bm25(10.0, 2.0, 1.0)');

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles
WHEN new.body_text IS NOT NULL BEGIN
    INSERT INTO articles_fts (rowid, title, author, body_text)
    VALUES (new.rowid, new.title, new.author, new.body_text);
END;

CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, author, body_text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, author, body_text)
    SELECT 'delete', old.rowid, old.title, old.author, old.body_text
    WHERE old.body_text IS NOT NULL;
    INSERT INTO articles_fts (rowid, title, author, body_text)
    SELECT new.rowid, new.title, new.author, new.body_text
    WHERE new.body_text IS NOT NULL;
END;

CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles
WHEN old.body_text IS NOT NULL BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, author, body_text)
    VALUES ('delete', old.rowid, old.title, old.author, old.body_text);
END;

-- Comments: only the current text of comments that are not deleted or
-- removed. Earlier versions of an edited comment live in
-- comment_revisions, which is not indexed.
CREATE VIRTUAL TABLE comments_fts USING fts5 (
    body,
    content = 'comments', content_rowid = 'rowid',
    tokenize = 'unicode61 remove_diacritics 2', prefix = '3'
);

CREATE TRIGGER comments_fts_insert AFTER INSERT ON comments
WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO comments_fts (rowid, body) VALUES (new.rowid, new.body);
END;

-- One trigger, two steps in this order: the old text leaves the index
-- before the new text enters it.
CREATE TRIGGER comments_fts_update AFTER UPDATE OF body, deleted_at ON comments BEGIN
    INSERT INTO comments_fts (comments_fts, rowid, body)
    SELECT 'delete', old.rowid, old.body WHERE old.deleted_at IS NULL;
    INSERT INTO comments_fts (rowid, body)
    SELECT new.rowid, new.body WHERE new.deleted_at IS NULL;
END;

CREATE TRIGGER comments_fts_delete AFTER DELETE ON comments
WHEN old.deleted_at IS NULL BEGIN
    INSERT INTO comments_fts (comments_fts, rowid, body) VALUES ('delete', old.rowid, old.body);
END;

-- The comments already written are searchable from the first start.
INSERT INTO comments_fts (rowid, body)
SELECT rowid, body FROM comments WHERE deleted_at IS NULL;
