-- Sessions kept in the database (src/session/stored.rs): found by the
-- SHA-256 of their token, never by the token itself. See the SQLite
-- migration of the same name.
CREATE TABLE sessions (
    id           UUID   PRIMARY KEY NOT NULL,
    token_hash   BYTEA  NOT NULL UNIQUE,
    user_id      UUID   NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    generation   BIGINT NOT NULL,
    kind         TEXT   NOT NULL CHECK (kind IN ('desktop', 'server')),
    label        TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
