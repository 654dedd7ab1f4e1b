-- The rankings in Redis are written by update-stats from a post's counts,
-- and rebuilt from PostgreSQL; two writers of one post (two partitions, or
-- a rebuild) may finish in any order. stats_version orders them: it moves
-- with every change of the counts or of deleted_at, and a ranking write
-- carries the version it was computed from, so Redis keeps only the newest
-- (internal/ranking).

ALTER TABLE posts ADD COLUMN stats_version bigint NOT NULL DEFAULT 0;

CREATE FUNCTION posts_bump_stats_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.stats_version := OLD.stats_version + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER posts_stats_version
    BEFORE UPDATE OF like_count, comment_count, view_count, deleted_at ON posts
    FOR EACH ROW
    WHEN (OLD.like_count IS DISTINCT FROM NEW.like_count
       OR OLD.comment_count IS DISTINCT FROM NEW.comment_count
       OR OLD.view_count IS DISTINCT FROM NEW.view_count
       OR OLD.deleted_at IS DISTINCT FROM NEW.deleted_at)
    EXECUTE FUNCTION posts_bump_stats_version();
