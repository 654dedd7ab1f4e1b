package search

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// Service searches posts and comments.
type Service struct {
	DB postgres.DB
}

// pageSQL returns the query of a page of hits of table: the number of
// hits (at most MaxHits: the newest matches), then one row per hit of the
// page, newest first (id null when the page is empty).
//
//	$1 the keyword's tsquery, $2 limit, $3 offset
//
// It never reads every match of a common keyword: it first checks the
// terms of the newest RecentScan live rows (the newest-first index), which
// holds MaxHits matches of any keyword in more than MaxHits/RecentScan of
// the rows; only when that is not enough does it read the older matches,
// from the GIN index: a keyword that rare has few of them. (The planner
// alone would choose by its estimate, and it underestimates phrases: it
// multiplies the frequencies of their bigrams.)
func pageSQL(table string) string {
	return `
	WITH recent AS MATERIALIZED (
		SELECT id, created_at, search_terms FROM ` + table + `
		WHERE deleted_at IS NULL
		ORDER BY created_at DESC, id DESC
		LIMIT ` + strconv.Itoa(RecentScan) + `
	), new AS MATERIALIZED (
		SELECT id, created_at FROM recent WHERE search_terms @@ $1::tsquery
		ORDER BY created_at DESC, id DESC
		LIMIT ` + strconv.Itoa(MaxHits) + `
	), old AS (
		-- OFFSET 0 keeps the order out of the scan: the rare keyword's
		-- matches come from the GIN index, never from a walk of every row.
		SELECT id, created_at FROM (
			SELECT t.id, t.created_at FROM ` + table + ` t
			WHERE (SELECT count(*) FROM new) < ` + strconv.Itoa(MaxHits) + `
				AND (SELECT count(*) FROM recent) = ` + strconv.Itoa(RecentScan) + `
				AND t.deleted_at IS NULL AND t.search_terms @@ $1::tsquery
				AND (t.created_at, t.id) < (SELECT created_at, id FROM recent ORDER BY created_at, id LIMIT 1)
			OFFSET 0
		) m
		ORDER BY created_at DESC, id DESC
		LIMIT ` + strconv.Itoa(MaxHits) + `
	), hits AS MATERIALIZED (
		SELECT id, created_at FROM new UNION ALL (SELECT id, created_at FROM old LIMIT ` + strconv.Itoa(MaxHits) + ` - (SELECT count(*) FROM new))
	), total AS (SELECT count(*) AS n FROM hits)
	SELECT total.n, page.id
	FROM total LEFT JOIN LATERAL (
		SELECT id, created_at FROM hits ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
	) page ON true
	ORDER BY page.created_at DESC, page.id DESC`
}

var (
	postsSQL    = pageSQL("posts")
	commentsSQL = pageSQL("comments")
)

// ranked runs a pageSQL and returns the total and the ids of the page.
func (s Service) ranked(ctx context.Context, sql string, kw Keyword, p paging.Page) (int64, []int64, error) {
	// QueryExecModeExec plans the statement with this keyword's tsquery
	// (never a generic plan): a common keyword walks the newest-first
	// index, a rare one reads the GIN index, and the planner must see the
	// keyword to choose.
	rows, err := s.DB.Query(ctx, sql, pgx.QueryExecModeExec, kw.Query, p.Size, p.Offset())
	if err != nil {
		return 0, nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var total int64
	var ids []int64
	for rows.Next() {
		var id *int64
		if err := rows.Scan(&total, &id); err != nil {
			return 0, nil, fmt.Errorf("scan hit: %w", err)
		}
		if id != nil {
			ids = append(ids, *id)
		}
	}
	if err := rows.Err(); err != nil {
		return 0, nil, fmt.Errorf("search: %w", err)
	}
	return total, ids, nil
}

// Posts returns page p of the live posts matching kw, newest first, as
// reader sees them (reader 0 is anonymous).
func (s Service) Posts(ctx context.Context, reader int64, kw Keyword, p paging.Page) (paging.Slice[PostHit], error) {
	total, ids, err := s.ranked(ctx, postsSQL, kw, p)
	if err != nil {
		return paging.Slice[PostHit]{}, err
	}
	// One query for the posts, their authors and liked, in rank order; a
	// post deleted in between is left out.
	posts, err := timeline.Hydrate(ctx, s.DB, reader, ids)
	if err != nil {
		return paging.Slice[PostHit]{}, err
	}
	hits := make([]PostHit, len(posts))
	for i, post := range posts {
		snippet, ok := Snippet(post.Content, kw.highlights())
		if !ok && post.Title != nil {
			snippet, _ = Snippet(*post.Title, kw.highlights()) // the match is in the title
		}
		hits[i] = PostHit{Post: post, Snippet: snippet}
	}
	return page(p, hits, total), nil
}

// Comments returns page p of the live comments matching kw, newest first,
// as reader sees them.
func (s Service) Comments(ctx context.Context, reader int64, kw Keyword, p paging.Page) (paging.Slice[CommentHit], error) {
	total, ids, err := s.ranked(ctx, commentsSQL, kw, p)
	if err != nil {
		return paging.Slice[CommentHit]{}, err
	}
	comments, err := content.Store{DB: s.DB}.Comments(ctx, reader, ids)
	if err != nil {
		return paging.Slice[CommentHit]{}, err
	}
	hits := make([]CommentHit, len(comments))
	for i, c := range comments {
		snippet, _ := Snippet(c.Content, kw.highlights())
		hits[i] = CommentHit{Comment: c, Snippet: snippet}
	}
	return page(p, hits, total), nil
}

// page builds the page of hits out of total; whether there is a next page
// follows from the total (a hit deleted since it was ranked does not hide
// the next page).
func page[T any](p paging.Page, hits []T, total int64) paging.Slice[T] {
	s := paging.SliceOf(p, hits).WithTotal(total)
	s.HasNext = int64(p.Offset()+p.Size) < total
	return s
}
