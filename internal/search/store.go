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
	// Bounds keeps the windows' bounds between searches; nil reads them
	// at every search.
	Bounds *Bounds
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
		// Bounded by the window, either plan is bounded: a walk of the
		// newest-first index stops at the window's end (or at $4 matches),
		// and the GIN index reads the keyword's matches; the planner takes
		// the cheaper by its estimates of both.
		window: `SELECT id FROM ` + name + `
			WHERE deleted_at IS NULL AND search_terms @@ $1::tsquery AND created_at >= $2 AND created_at < $3
			ORDER BY created_at DESC, id DESC LIMIT $4`,
	}
}

var (
	postsSQL    = tableSQL("posts")
	commentsSQL = tableSQL("comments")
)

// newest returns the newest MaxHits matches of kw in t, newest first.
//
// It reads them window by window back in time, never all the matches of a
// common keyword: the first window holds the newest RecentScan rows (as
// of the kept bounds: it is open towards the future), each next one
// reaches WindowGrowth times further back, and the search stops as soon
// as MaxHits matches are found or the oldest row is passed. A window costs
// at most its rows (a walk of the newest-first index, which stops at the
// matches it needs) or its keyword's GIN matches, so a keyword common
// among the newest rows is answered from the first, one common long ago
// from the windows that reach it, and a rare one from its few matches.
func (s Service) newest(ctx context.Context, t table, kw Keyword) ([]int64, error) {
	b, err := s.Bounds.of(ctx, s.DB, t, cmp.Or(s.Windows.First, RecentScan))
	if err != nil || b.empty {
		return nil, err
	}
	growth := time.Duration(cmp.Or(s.Windows.Growth, WindowGrowth))
	hi, lo, span := farFuture, farPast, b.span
	if !b.small {
		lo = b.edge
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
		if len(hits) >= MaxHits || lo.Equal(farPast) {
			return hits, nil
		}
		hi = lo
		if span > lo.Sub(b.oldest)/growth {
			lo = farPast // the next window reaches past the oldest row: the last
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
