package search

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
	"github.com/dailyfeed/dailyfeed/internal/web"
)

// Service searches posts and comments.
type Service struct {
	DB postgres.DB
}

// NewService returns the service over the stack's database.
func NewService(s *stack.Stack) Service { return Service{DB: s.DB} }

// postText is a post's searchable text. It is the expression of
// posts_search_trgm_idx (migrations/0006) and must stay identical to it,
// or the index is not used.
const postText = `(coalesce(p.title, '') || ' ' || p.content)`

// commentText is a comment's searchable text (comments_search_trgm_idx).
const commentText = `c.content`

// rankedSQL returns the query of a page of hits of table (alias a) over
// the searchable text expression text: the number of hits (at most
// MaxHits: the newest matches), then one row per hit of the page (id null
// when the page is empty). The score (see the package doc) is cheap by
// design: every hit is scored, so it uses the stored tsvector and ILIKE,
// not pg_trgm's similarity functions, which make the trigrams of the whole
// text of every hit (five times slower on common keywords).
//
//	$1 keyword, $2 limit, $3 offset, $4 and $5 the patterns of a word
//	starting with the keyword, $6… the ILIKE pattern of each word
func rankedSQL(table, a, text string, words int) string {
	match := make([]string, words)
	for i := range match {
		match[i] = text + " ILIKE $" + strconv.Itoa(6+i)
	}
	lowered := "lower(" + text + ")"
	return `
	WITH q AS (SELECT plainto_tsquery('simple', $1) AS tsq, lower($1) AS kw),
	matches AS MATERIALIZED (
		SELECT ` + a + `.id FROM ` + table + ` ` + a + `
		WHERE ` + a + `.deleted_at IS NULL AND ` + strings.Join(match, " AND ") + `
		ORDER BY ` + a + `.created_at DESC, ` + a + `.id DESC
		LIMIT ` + strconv.Itoa(MaxHits) + `
	),
	hits AS MATERIALIZED (
		SELECT ` + a + `.id, ` + a + `.created_at,
			CASE WHEN r.rank > 0 THEN 1 ELSE 0 END + r.rank
			+ CASE WHEN ` + text + ` ILIKE $4 OR ` + text + ` ILIKE $5 THEN 0.5 ELSE 0 END
			+ 0.05 * least((char_length(` + lowered + `) - char_length(replace(` + lowered + `, q.kw, ''))) / char_length(q.kw), 5)
			AS score
		FROM matches JOIN ` + table + ` ` + a + ` ON ` + a + `.id = matches.id CROSS JOIN q
		CROSS JOIN LATERAL (SELECT ts_rank_cd(` + a + `.search_tsv, q.tsq) AS rank) r
	), total AS (SELECT count(*) AS n FROM hits)
	SELECT total.n, page.id
	FROM total LEFT JOIN LATERAL (
		SELECT id, score, created_at FROM hits ORDER BY score DESC, created_at DESC, id DESC LIMIT $2 OFFSET $3
	) page ON true
	ORDER BY page.score DESC, page.created_at DESC, page.id DESC`
}

// ranked runs rankedSQL and returns the total and the ids of the page.
func (s Service) ranked(ctx context.Context, sql string, kw Keyword, p web.Page) (int64, []int64, error) {
	// QueryExecModeExec plans the statement with this keyword's patterns
	// (never a generic plan): a two-character word is a sequential scan, a
	// longer one the trigram index, and the planner must see which.
	args := append([]any{pgx.QueryExecModeExec, kw.Text, p.Size, p.Offset()}, kw.prefixPatterns()...)
	args = append(args, kw.patterns()...)
	rows, err := s.DB.Query(ctx, sql, args...)
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

// Posts returns page p of the live posts matching kw, best first, as
// reader sees them (reader 0 is anonymous).
func (s Service) Posts(ctx context.Context, reader int64, kw Keyword, p web.Page) (web.Slice[PostHit], error) {
	total, ids, err := s.ranked(ctx, rankedSQL("posts", "p", postText, len(kw.Words)), kw, p)
	if err != nil {
		return web.Slice[PostHit]{}, err
	}
	// One query for the posts, their authors and liked, in rank order; a
	// post deleted in between is left out.
	posts, err := timeline.Hydrate(ctx, s.DB, reader, ids)
	if err != nil {
		return web.Slice[PostHit]{}, err
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

// Comments returns page p of the live comments matching kw, best first,
// as reader sees them.
func (s Service) Comments(ctx context.Context, reader int64, kw Keyword, p web.Page) (web.Slice[CommentHit], error) {
	total, ids, err := s.ranked(ctx, rankedSQL("comments", "c", commentText, len(kw.Words)), kw, p)
	if err != nil {
		return web.Slice[CommentHit]{}, err
	}
	comments, err := content.Store{DB: s.DB}.Comments(ctx, reader, ids)
	if err != nil {
		return web.Slice[CommentHit]{}, err
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
func page[T any](p web.Page, hits []T, total int64) web.Slice[T] {
	s := web.SliceOf(p, hits).WithTotal(total)
	s.HasNext = int64(p.Offset()+p.Size) < total
	return s
}
