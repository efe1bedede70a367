-- Search across articles and discussions on PostgreSQL: what
-- 20261202000000_search.sql gives SQLite with FTS5, with the same answers.
-- src/search/postgres.rs writes the queries.
--
-- Instead of FTS5's indexes kept by triggers, each table gets a stored
-- tsvector column that PostgreSQL computes from the row, and a GIN index on
-- it. A generated column is computed again only when a column it reads
-- changes, so a vote or a thread_version bump leaves it alone.

-- The parser below sorts characters into letters and separators by the
-- database's LC_CTYPE. Under "C" it takes every non-ASCII character for a
-- letter (“quotes”, dashes and emoji would stick to words) and folds case
-- in ASCII only, so search would no longer find what SQLite finds.
DO $$
BEGIN
    IF (SELECT pg_encoding_to_char(encoding) <> 'UTF8' OR datctype !~* 'utf-?8'
        FROM pg_database WHERE datname = current_database()) THEN
        RAISE EXCEPTION 'Parley needs a UTF-8 database with a UTF-8 LC_CTYPE for search'
            USING HINT = 'CREATE DATABASE ... ENCODING ''UTF8'' LOCALE ''C.UTF-8'' TEMPLATE template0';
    END IF;
END
$$;

-- A trusted extension: the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS unaccent;

-- 'simple' has no stop words and no stemming, as FTS5's unicode61 has
-- none; words that may hold non-ASCII letters lose their accents first and
-- are then lower-cased, so "Café", "CAFÉ" and "cafe" are one word, as with
-- remove_diacritics 2. Changing this configuration later means rewriting
-- the stored vectors.
CREATE TEXT SEARCH CONFIGURATION parley (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION parley
    ALTER MAPPING FOR word, numword, hword, hword_part, numhword, hword_numpart
    WITH unaccent, simple;

-- A text as the search reads it. PostgreSQL's parser makes single tokens of
-- "ada@example.com", "well-known", "and/or", "end.Next", "3.14" and drops
-- "<b>" as a tag, where FTS5 sees words between punctuation. A \x01 on each
-- side of every ASCII punctuation mark (the only characters those tokens
-- are made of) leaves only plain words; \x01 is a blank to the parser, and
-- the marking functions below take it out again.
CREATE FUNCTION search_text(t text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN regexp_replace(t, '([!-/:-@\[-`{-~])', E'\x01\\1\x01', 'g');

-- The word pairs of a vector: for each word, the word after it, as a
-- number (the first 32 bits of the pair's MD5, which no PostgreSQL
-- release will change), for phrases. GIN keeps no word positions, so for
-- "the river" the vectors index alone gives every row with both words, in
-- any order (50,833 of a million comments, for 4,859 matches), each of
-- which must then be read. Asked for the pair as well, it gives the rows
-- that hold it: the matches, and the rare row where another pair has the
-- same number. A pair ending at position 16,383, where every later word
-- stands, is left out: no phrase is found there.
CREATE FUNCTION search_pairs(v tsvector) RETURNS int[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(
        SELECT DISTINCT ('x' || left(md5(w.lexeme || ' ' || n.lexeme), 8))::bit(32)::int
        FROM (SELECT lexeme, unnest(positions) AS at FROM unnest(v)) w
        JOIN (SELECT lexeme, unnest(positions) AS at FROM unnest(v)) n
          ON n.at = w.at + 1 AND n.at < 16383);

-- The pairs every one of the phrases (words, with spaces) holds, as
-- search_pairs numbers them in the indexed text; NULL when there are
-- none. Called with a statement's parameter, it is worked out once, as
-- the statement is planned.
CREATE FUNCTION search_query_pairs(phrases text[]) RETURNS int[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN nullif(ARRAY(
        SELECT DISTINCT pair
        FROM unnest(phrases) phrase,
             unnest(search_pairs(to_tsvector('parley', search_text(phrase)))) pair), '{}');

-- Articles: the title weighs A, the byline B, the text C (the ranking reads
-- them as 10 : 2 : 1, like bm25(10.0, 2.0, 1.0)). A lexeme that no query
-- can hold (' ') is put between the fields and taken out again: it leaves
-- a gap in the positions, so no phrase (and no pair) runs from the title
-- into the byline. Until Rust has filled body_text the article is not
-- searchable, as on SQLite.
--
-- A tsvector holds at most 1 MiB of lexemes and refuses the row beyond
-- that. No character becomes more than 5 bytes of lexeme (unaccent's
-- longest expansion), so these lengths keep every row well under it; the
-- snippets read the same first 200,000 characters. (Positions stop at
-- 16,383, so phrases are not found past about that many words.)
CREATE FUNCTION article_vector(title text, author text, body_text text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN body_text IS NOT NULL THEN ts_delete(
        setweight(to_tsvector('parley', search_text(left(title, 1000))), 'A')
        || ''' '':1'::tsvector
        || setweight(to_tsvector('parley', search_text(left(author, 1000))), 'B')
        || ''' '':1'::tsvector
        || setweight(to_tsvector('parley', search_text(left(body_text, 200000))), 'C'),
        ' ')
    END;
ALTER TABLE articles
    ADD COLUMN search_vector tsvector
        GENERATED ALWAYS AS (article_vector(title, author, body_text)) STORED,
    ADD COLUMN search_pairs int[]
        GENERATED ALWAYS AS (search_pairs(article_vector(title, author, body_text))) STORED;
-- Kept in the row, compressed if that helps, rather than in the TOAST
-- table: a common word is counted by reading vectors one after another,
-- and fetching each from TOAST made that four times slower (a thousand
-- articles: 7.0 ms against 1.3 ms). The pairs are only ever read from the
-- index.
ALTER TABLE articles ALTER COLUMN search_vector SET STORAGE MAIN;
CREATE INDEX articles_search ON articles USING gin (search_vector, search_pairs);

-- Comments: the current text of those neither deleted nor removed. Earlier
-- versions (comment_revisions) are not searched. Comments are at most
-- 10,000 characters; the cut only keeps an oversized one from being refused.
CREATE FUNCTION comment_vector(body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN to_tsvector('parley', search_text(left(body, 200000)));
ALTER TABLE comments
    ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        CASE WHEN deleted_at IS NULL THEN comment_vector(body) END) STORED,
    ADD COLUMN search_pairs int[] GENERATED ALWAYS AS (
        CASE WHEN deleted_at IS NULL THEN search_pairs(comment_vector(body)) END) STORED;
CREATE INDEX comments_search ON comments USING gin (search_vector, search_pairs);

-- A title with every matched word between \x02 and \x03, as FTS5's
-- highlight() marks it for search::segments.
CREATE FUNCTION search_highlight(title text, q tsquery) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN replace(
        ts_headline('parley', search_text(title), q,
                    E'HighlightAll=true, StartSel=\x02, StopSel=\x03'),
        E'\x01', '');

-- The fragment ts_headline picks from t for search_snippet (about 24
-- words around the best match, marked like search_highlight), with the
-- \x01 marks taken out again.
CREATE FUNCTION search_fragment(t text, q tsquery) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN replace(
        ts_headline('parley', search_text(t), coalesce(q, ''' '''::tsquery),
            E'StartSel=\x02, StopSel=\x03, MaxWords=24, MinWords=23, ShortWord=0, MaxFragments=1'),
        E'\x01', '');

-- Where in a long text to look for the snippet: 2,000 characters from
-- 500 before the first place one of q's words stands. Looked for as it
-- is (lower case: most words are), then in any case, then in the text
-- folded as the search folds words (accents off, lower case), each only
-- when none of the words was found the way before, since the later ways
-- read the whole text. A word found inside a longer one is only a place
-- to look, not a match; see search_snippet. ts_headline reads every word
-- of what it is given: over a whole article of 44,000 characters it took
-- 4 ms a snippet. Texts of up to 3,000 characters are looked at whole.
--
-- This and search_snippet are PL/pgSQL, whose statements are planned once
-- a session: a SQL function this size is planned again at every call
-- (0.6 ms a call, more than the headline of a short text).
CREATE FUNCTION search_window(doc text, q tsquery) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    words text[];
    found int;
    folded text;
BEGIN
    IF length(doc) <= 3000 THEN
        RETURN doc;
    END IF;
    SELECT array_agg(replace(w[1], '''''', '''')) INTO words
    FROM regexp_matches(coalesce(q::text, ''), '''((?:[^'']|'''')+)''', 'g') w;
    IF words IS NULL THEN
        RETURN left(doc, 2000);
    END IF;
    SELECT min(nullif(strpos(doc, word), 0)) INTO found FROM unnest(words) word;
    IF found IS NULL THEN
        SELECT min(nullif(regexp_instr(doc, regexp_replace(word, '([^[:alnum:]])', '\\\1', 'g'),
                                       1, 1, 0, 'i'), 0))
        INTO found FROM unnest(words) word;
    END IF;
    IF found IS NULL THEN
        folded := lower(unaccent('unaccent', doc));
        SELECT min(nullif(strpos(folded, word), 0)) INTO found FROM unnest(words) word;
    END IF;
    RETURN substr(doc, greatest(1, coalesce(found, 1) - 500), 2000);
END
$$;

-- About 24 words around the best match, marked like search_highlight, with
-- '…' where text is left out before or after, as FTS5's snippet(…, '…', 24)
-- makes it (ts_headline's FragmentDelimiter only goes between fragments, so
-- the ends are found here: the fragment is a piece of the text). When
-- nothing matches it is the first words; q NULL asks for no marks (it
-- becomes ' ', a lexeme no word can be). The fragment comes from
-- search_window's piece of the text, or from the whole text when the
-- piece holds no match.
CREATE FUNCTION search_snippet(body text, q tsquery) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    doc text := left(translate(coalesce(body, ''), E'\x01', ''), 200000);
    piece text := search_window(doc, q);
    shown text := search_fragment(piece, q);
    plain text;
    at int;
    rest text;
BEGIN
    IF q IS NOT NULL AND length(piece) <> length(doc) AND strpos(shown, E'\x02') = 0 THEN
        shown := search_fragment(doc, q);
    END IF;
    plain := translate(shown, E'\x02\x03', '');
    at := strpos(doc, plain);
    IF at = 0 THEN
        RETURN shown;
    END IF;
    rest := substr(doc, at + length(plain));
    RETURN CASE WHEN left(doc, at - 1) ~ '[[:alnum:]]' THEN '…' ELSE '' END
        || shown
        || CASE WHEN rest ~ '[[:alnum:]]' THEN '…' ELSE rest END;
END
$$;
