-- Rate limits (src/rate.rs): for each key (what was done, and by which
-- account or from which address), the moment its allowance is next fully
-- used up, as the generic cell rate algorithm counts it. Kept in the
-- database so that every server process counts the same requests.
CREATE TABLE rate_limits (
    key     TEXT    PRIMARY KEY NOT NULL,
    tat     INTEGER NOT NULL
);
