-- Guessing passwords gets slower: after 5 failed sign-ins in a row on one
-- account, each further attempt must wait (1 s, 2 s, 4 s ... at most 15
-- minutes). Kept in the database so that a restart does not reset it.
ALTER TABLE users ADD COLUMN failed_sign_ins INTEGER NOT NULL DEFAULT 0;
-- No sign-in attempt on this account is considered before this time.
ALTER TABLE users ADD COLUMN sign_in_blocked_until INTEGER;
