package timeline

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Post is a post as the read side answers it: the write side's shape
// (content.Post, true counts and liked for the reader) plus the author's
// member summary.
type Post struct {
	content.Post
	Author member.Summary `json:"author"`
}

// postColumns select a Post from posts p joined with members m; $1 is
// always the reader.
const postColumns = content.PostColumns

func scanPost(row pgx.Row) (Post, error) {
	p, a, err := content.ScanPost(row)
	return Post{Post: p, Author: a}, err
}

// queryPosts runs a query selecting postColumns and collects the posts.
func queryPosts(ctx context.Context, db postgres.DB, sql string, args ...any) ([]Post, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("select posts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Post, error) { return scanPost(r) })
	if err != nil {
		return nil, fmt.Errorf("select posts: %w", err)
	}
	return out, nil
}

// hydrateSQL selects the live posts among $2 that the reader $1 may see,
// in the order of $2.
var hydrateSQL = `SELECT ` + postColumns + `
	FROM unnest($2::bigint[]) WITH ORDINALITY AS q(id, n)
	JOIN posts p ON p.id = q.id
	JOIN members m ON m.id = p.author_id
	WHERE p.deleted_at IS NULL AND ` + member.VisibleSQL("m", "$1") + `
	ORDER BY q.n`

// Hydrate returns the live posts among ids as reader sees them, in the
// order of ids, deleted and unknown ids (and duplicates) left out, and so
// are the posts whose author's privacy level hides them from reader: one
// query whatever the number of ids (posts, authors and liked together).
// Every read of posts by id (feeds, rankings, search, single posts) goes
// through it.
func Hydrate(ctx context.Context, db postgres.DB, reader int64, ids []int64) ([]Post, error) {
	if len(ids) == 0 {
		return []Post{}, nil
	}
	ps, err := queryPosts(ctx, db, hydrateSQL, reader, ids)
	if err != nil {
		return nil, err
	}
	seen := make(map[int64]bool, len(ps))
	out := ps[:0]
	for _, p := range ps {
		if !seen[p.ID] {
			seen[p.ID] = true
			out = append(out, p)
		}
	}
	return out, nil
}

// Key is a position in a list ordered by (time, id): the keyset of cursor
// paging.
type Key struct {
	At time.Time
	ID int64
}

// farFuture is the keyset position before any post (the first page).
var farFuture = Key{At: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), ID: 1<<63 - 1}

// farPast is the keyset position before any post in ascending order.
var farPast = Key{At: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), ID: 0}
