-- Comments by when they were written: search turns a date range into the
-- range of rowids written in it (comments are stored as they are written,
-- so rowids follow time), which FTS5 can skip to (src/search/mod.rs).
CREATE INDEX comments_by_time ON comments (created_at);
