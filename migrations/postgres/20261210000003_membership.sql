-- Who may join a server (src/membership.rs). See the SQLite migration of
-- the same name.
CREATE TABLE membership (
    id              SMALLINT PRIMARY KEY NOT NULL CHECK (id = 1),
    sign_up         TEXT     NOT NULL DEFAULT 'invite'
                             CHECK (sign_up IN ('invite', 'open', 'closed')),
    setup_code_hash BYTEA
);
INSERT INTO membership (id) VALUES (1);

CREATE TABLE invites (
    id         UUID   PRIMARY KEY NOT NULL,
    code_hash  BYTEA  NOT NULL UNIQUE,
    created_by UUID   REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,
    used_by    UUID   REFERENCES users (id) ON DELETE SET NULL
);
