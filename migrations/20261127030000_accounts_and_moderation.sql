-- Accounts people look after themselves, an admin who keeps the discussion
-- civil, and mutes. See accounts.rs, admin.rs, comments/moderation.rs and
-- mutes.rs.

-- A disabled account cannot sign in; an admin can enable it again.
ALTER TABLE users ADD COLUMN disabled_at INTEGER;
-- A deleted account keeps its row so that its comments keep their place in
-- their threads; its name and password are cleared (accounts.rs).
ALTER TABLE users ADD COLUMN deleted_at INTEGER;
-- Whether the current password is long enough for an admin (15 characters).
-- Set whenever a password is chosen or checked, so a member can be promoted
-- only once their password would pass; the length itself is never stored.
ALTER TABLE users ADD COLUMN password_fit_for_admin INTEGER NOT NULL DEFAULT 0
    CHECK (password_fit_for_admin IN (0, 1));
-- Admins before this migration were held to the same minimum when they signed up.
UPDATE users SET password_fit_for_admin = 1 WHERE role = 'admin';

-- Sign-in back-off moves from the account to the typed name, so that a name
-- nobody has behaves exactly like one somebody has: a reply that says
-- "please wait" no longer tells that an account exists.
CREATE TABLE sign_in_failures (
    username_key  TEXT    PRIMARY KEY NOT NULL,
    -- Failed attempts in a row.
    failures      INTEGER NOT NULL,
    -- No attempt on this name is considered before this time.
    blocked_until INTEGER
) STRICT, WITHOUT ROWID;
INSERT INTO sign_in_failures (username_key, failures, blocked_until)
    SELECT username_key, failed_sign_ins, sign_in_blocked_until
    FROM users WHERE failed_sign_ins > 0;
ALTER TABLE users DROP COLUMN failed_sign_ins;
ALTER TABLE users DROP COLUMN sign_in_blocked_until;

-- A locked discussion is read-only for everyone until the admin unlocks it.
ALTER TABLE articles ADD COLUMN locked_at INTEGER;
-- At most one top-level comment per article shows first, whatever the sort.
ALTER TABLE articles ADD COLUMN pinned_comment_id BLOB
    REFERENCES comments (id) ON DELETE SET NULL;

-- Settings for the whole computer, one row.
CREATE TABLE app_settings (
    id                   INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    -- A signed-in session ends after this long without activity.
    idle_timeout_minutes INTEGER NOT NULL DEFAULT 30
                         CHECK (idle_timeout_minutes BETWEEN 1 AND 1440)
) STRICT;
INSERT INTO app_settings (id) VALUES (1);

-- Whose comments each person has chosen not to read: shown to them folded
-- as "comment by a muted user". Nobody else sees any difference.
CREATE TABLE mutes (
    user_id    BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    muted_id   BLOB    NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, muted_id),
    CHECK (user_id != muted_id)
) STRICT, WITHOUT ROWID;
