-- What changed, in order (src/events.rs). See the SQLite migration of the
-- same name. Write transactions take one advisory lock, so ids are handed
-- out in the order their transactions commit.
CREATE TABLE events (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         BIGINT NOT NULL,
    kind       TEXT   NOT NULL,
    article_id UUID,
    comment_id UUID
);
