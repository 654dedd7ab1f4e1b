-- Search by CJK bigram terms (internal/search, internal/search/terms): the
-- trigram indexes and the `simple` tsvector of 0006 are replaced by
-- search_terms, a tsvector whose lexemes and positions are made in Go by
-- the one tokenizer that also makes the queries (bigrams and characters of
-- Hangul, Han and Kana runs, lower-cased words of other scripts). The
-- writes of internal/content set it in the write's own transaction, so a
-- post is searchable as soon as create-post commits.
--
-- PostgreSQL cannot make these terms itself (to_tsvector splits by its own
-- rules), so the rows already there are filled from Go right after this
-- file, in the same transaction (migrations/0013_search_terms.go), which
-- then builds the GIN indexes over the filled column.
--
-- The search queries (internal/search/store.go) rely on the planner's
-- statistics of search_terms to choose between the newest-first index
-- (posts_created_idx, comments_created_idx) filtered by the terms, for a
-- common keyword, and the GIN index, for a rare one; a larger statistics
-- target keeps the frequencies of 10 000 lexemes instead of 1 000.

DROP INDEX IF EXISTS posts_search_trgm_idx, posts_search_tsv_idx,
    comments_search_trgm_idx, comments_search_tsv_idx;

ALTER TABLE posts DROP COLUMN IF EXISTS search_tsv, ADD COLUMN search_terms tsvector;
ALTER TABLE posts ALTER COLUMN search_terms SET STATISTICS 1000;

ALTER TABLE comments DROP COLUMN IF EXISTS search_tsv, ADD COLUMN search_terms tsvector;
ALTER TABLE comments ALTER COLUMN search_terms SET STATISTICS 1000;

-- Newest live comments first (posts have posts_created_idx, 0005).
CREATE INDEX comments_created_idx ON comments (created_at DESC, id DESC) WHERE deleted_at IS NULL;
