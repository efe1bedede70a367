-- Which Parley process is refreshing a feed: it holds the feed until this
-- time (set as it starts, cleared as it records how it went), so several
-- server processes on one database never fetch the same feed at once. A
-- process that stopped mid-refresh lets go when the time passes.
ALTER TABLE sources ADD COLUMN refreshing_until INTEGER;
