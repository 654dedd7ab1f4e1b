-- Search over posts and comments (internal/search): substring matching that
-- works for Korean plus whole-word ranking, in PostgreSQL only.
--
-- * A pg_trgm GIN index over the searched text accelerates
--   `ILIKE '%keyword%'` for keywords of three characters or more (Korean
--   word-based full-text search fails: particles stay attached, 공부를 is
--   one word). pg_trgm makes no trigrams for Korean under a plain C
--   locale: the database must be created with LC_CTYPE C.UTF-8
--   (docs/deploy.md).
-- * A `simple` tsvector (generated column, GIN) holds the whole words, for
--   ts_rank_cd and whole-word matches.
--
-- Both are on the tables themselves, so the write's own transaction keeps
-- them current: a post is searchable as soon as create-post commits. The
-- indexes are partial on live rows; a deleted post or comment is not in
-- them, and the search queries filter deleted_at IS NULL as well.
--
-- The operator creating the database installs pg_trgm (docs/deploy.md);
-- IF NOT EXISTS makes this a no-op then, and pg_trgm is a trusted extension
-- (a database owner may create it) otherwise.

CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;

-- A post's searchable text is its title (optional) and its content. The
-- trigram index is on this exact expression: the search query repeats it.
ALTER TABLE posts ADD COLUMN search_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', coalesce(title, '') || ' ' || content)) STORED;

CREATE INDEX posts_search_trgm_idx ON posts
    USING gin ((coalesce(title, '') || ' ' || content) public.gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX posts_search_tsv_idx ON posts USING gin (search_tsv) WHERE deleted_at IS NULL;

ALTER TABLE comments ADD COLUMN search_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED;

CREATE INDEX comments_search_trgm_idx ON comments
    USING gin (content public.gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX comments_search_tsv_idx ON comments USING gin (search_tsv) WHERE deleted_at IS NULL;
