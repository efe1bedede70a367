-- Rate limits (src/rate.rs). See the SQLite migration of the same name.
CREATE TABLE rate_limits (
    key     TEXT   PRIMARY KEY NOT NULL,
    tat     BIGINT NOT NULL
);
