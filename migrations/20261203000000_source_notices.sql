-- What a source's last refresh had to say that is not a failure: the feed
-- has no entries, some entries could not be read, older articles went to
-- keep the source within its caps (src/library/limits.rs). Words for a
-- person; NULL when there is nothing to say.
ALTER TABLE sources ADD COLUMN notice TEXT;

-- The server asked Parley not to come back before this moment (429, or 503
-- with Retry-After): no refresh fetches the feed until then, whoever asks.
ALTER TABLE sources ADD COLUMN retry_not_before INTEGER;
