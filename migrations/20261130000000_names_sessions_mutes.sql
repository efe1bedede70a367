-- Closing what an attacker's review found (issue 8). See names.rs,
-- session.rs and mutes.rs.

-- Display names are compared by a key (case-folded, lookalike letters made
-- one; names.rs), so nobody can take a name that reads like someone
-- else's. SQLite cannot normalise Unicode: Parley fills the key in at
-- start-up (accounts::refresh_name_keys), and keeps it with every change.
ALTER TABLE users ADD COLUMN display_name_key TEXT;
CREATE INDEX users_by_display_name_key ON users (display_name_key);

-- Which sign-in of the account a session belongs to. Changing the password,
-- disabling and deleting the account move it on, and every session that
-- began before then has ended (session.rs).
ALTER TABLE users ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0;

-- A mute is addressed by an id of its own, so the list of one's mutes
-- names nobody's sign-in username.
ALTER TABLE mutes ADD COLUMN id BLOB;
UPDATE mutes SET id = randomblob(16);
CREATE UNIQUE INDEX mutes_by_id ON mutes (id);
