package ranking

import (
	"context"
	"fmt"
)

// ReadNow reads post's counts now and returns the write of its scores from
// them, to be called later: what an update-stats that read the counts and
// was then slow to write does.
func (r *Rankings) ReadNow(ctx context.Context, post int64) (write func() error, err error) {
	var c counts
	err = r.DB.QueryRow(ctx, `
		SELECT like_count, comment_count, view_count, created_at, deleted_at IS NULL, stats_version FROM posts WHERE id = $1`, post).
		Scan(&c.likes, &c.comments, &c.views, &c.created, &c.live, &c.version)
	if err != nil {
		return nil, fmt.Errorf("select post: %w", err)
	}
	return func() error { return r.score(ctx, post, c) }, nil
}

// SnapshotNow reads ranking k's top posts now and returns the write of a
// rebuild from them, to be called later: a rebuild that was slow to write.
func (r *Rankings) SnapshotNow(ctx context.Context, k Ranking) (write func() error, err error) {
	posts, err := r.top(ctx, k)
	if err != nil {
		return nil, err
	}
	return func() error { return r.write(ctx, []Ranking{k}, posts) }, nil
}
