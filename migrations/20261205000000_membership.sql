-- Who may join a server (src/membership.rs). One row: how new people
-- join ('invite': with an invite an admin made; 'open': anyone who can
-- reach the server; 'closed': nobody), and, while the server has no
-- account yet, the SHA-256 of the one-time setup code it printed.
CREATE TABLE membership (
    id              INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    sign_up         TEXT    NOT NULL DEFAULT 'invite'
                            CHECK (sign_up IN ('invite', 'open', 'closed')),
    setup_code_hash BLOB
);
INSERT INTO membership (id) VALUES (1);

-- Invitations: single use, expiring, kept as the SHA-256 of their code.
CREATE TABLE invites (
    id         BLOB    PRIMARY KEY NOT NULL,
    code_hash  BLOB    NOT NULL UNIQUE,
    created_by BLOB    REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    used_by    BLOB    REFERENCES users (id) ON DELETE SET NULL
);
