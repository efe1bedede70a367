-- Sessions kept in the database (src/session/stored.rs), so a server can
-- hold many at once and a person can see and end their own. A session is
-- found by the SHA-256 of its token: the token itself (256 random bits) is
-- known only to whoever signed in, and a copy of this file signs nobody in.
CREATE TABLE sessions (
    id           BLOB    PRIMARY KEY NOT NULL,
    token_hash   BLOB    NOT NULL UNIQUE,
    user_id      BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The account's session generation when it began (users.session_generation):
    -- a session from an earlier one has ended.
    generation   INTEGER NOT NULL,
    -- 'desktop': this computer's window, which measures its own idle time
    -- and whose session ends with the app; 'server': a client of parley-server.
    kind         TEXT    NOT NULL CHECK (kind IN ('desktop', 'server')),
    -- What the person sees in their list of sessions ("Parley on ada-laptop").
    label        TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
