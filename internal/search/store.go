package search

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// Service searches posts and comments.
type Service struct {
	DB postgres.DB
	// Windows sizes the windows a search reads; zero fields take
	// RecentScan and WindowGrowth.
	Windows Windows
}

// Windows sizes the windows of a search back in time (Service.newest).
type Windows struct {
	// First is how many of the newest rows the first window holds.
	First int
	// Growth is how many times further back each next window reaches.
	Growth int
}

// WindowGrowth is how many times further back in time each window of a
// search reaches than the one before it.
const WindowGrowth = 8

// table is the SQL of the search of one table (posts or comments).
type table struct {
	// bounds returns the created_at of the newest live row, of the
	// $1-th newest (null in a smaller table) and of the oldest.
	bounds string
	// window returns the newest matches created in [$2, $3), at most $4.
	window string
}

func tableSQL(name string) table {
	return table{
		bounds: `SELECT
			(SELECT created_at FROM ` + name + ` WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1),
			(SELECT created_at FROM ` + name + ` WHERE deleted_at IS NULL ORDER BY created_at DESC, id DESC OFFSET $1 - 1 LIMIT 1),
			(SELECT created_at FROM ` + name + ` WHERE deleted_at IS NULL ORDER BY created_at, id LIMIT 1)`,
		// OFFSET 0 keeps the order out of the scan, so that the planner
		// never walks the newest-first index through a window for matches
		// that are not there: it reads the window's matches (the GIN
		// index and the window's range of the created_at index, or the
		// window's rows alone when it is small) and sorts them.
		window: `SELECT id FROM (
			SELECT id, created_at FROM ` + name + `
			WHERE deleted_at IS NULL AND search_terms @@ $1::tsquery AND created_at >= $2 AND created_at < $3
			OFFSET 0
		) m ORDER BY created_at DESC, id DESC LIMIT $4`,
	}
}

var (
	postsSQL    = tableSQL("posts")
	commentsSQL = tableSQL("comments")
)

// newest returns the newest MaxHits matches of kw in t, newest first.
//
// It reads them window by window back in time, never all the matches of a
// common keyword: the first window holds the newest RecentScan rows, each
// next one reaches WindowGrowth times further back, and the walk stops as
// soon as MaxHits matches are found or the oldest row is reached. A window
// costs its matches (or its rows, when that is fewer), so a keyword
// common anywhere is answered from the windows just older than its newest
// matches, and a rare one from its few matches in the GIN index.
func (s Service) newest(ctx context.Context, t table, kw Keyword) ([]int64, error) {
	first, growth := cmp.Or(s.Windows.First, RecentScan), time.Duration(cmp.Or(s.Windows.Growth, WindowGrowth))
	var newest, edge, oldest *time.Time
	if err := s.DB.QueryRow(ctx, t.bounds, first).Scan(&newest, &edge, &oldest); err != nil {
		return nil, fmt.Errorf("search bounds: %w", err)
	}
	if newest == nil {
		return nil, nil // no live rows
	}
	far := time.Time{}.Add(time.Microsecond) // before every row
	hi := newest.Add(time.Microsecond)
	lo, span := far, time.Duration(0)
	if edge != nil {
		lo = *edge
		span = max(hi.Sub(lo), time.Millisecond)
	}
	if !lo.After(*oldest) {
		lo = far
	}
	var hits []int64
	for {
		// QueryExecModeExec plans each window with its keyword and bounds
		// (never a generic plan): the planner chooses by them.
		rows, err := s.DB.Query(ctx, t.window, pgx.QueryExecModeExec, kw.Query, lo, hi, MaxHits-len(hits))
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("scan hit: %w", err)
			}
			hits = append(hits, id)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		if len(hits) >= MaxHits || lo.Equal(far) {
			return hits, nil
		}
		hi = lo
		if span > lo.Sub(*oldest)/growth {
			lo = far // the next window reaches past the oldest row: the last
		} else {
			span *= growth
			lo = lo.Add(-span)
		}
	}
}

// ranked returns the number of hits of kw in t (at most MaxHits) and the
// ids of page p of them.
func (s Service) ranked(ctx context.Context, t table, kw Keyword, p paging.Page) (int64, []int64, error) {
	hits, err := s.newest(ctx, t, kw)
	if err != nil {
		return 0, nil, err
	}
	from := min(p.Offset(), len(hits))
	to := min(from+p.Size, len(hits))
	return int64(len(hits)), hits[from:to], nil
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
