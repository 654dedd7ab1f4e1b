package activity

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// DefaultPageSize is the page size of both activity lists.
const DefaultPageSize = 20

// Store reads the activity log.
type Store struct {
	DB postgres.DB
}

// Query is a page request: page/size, or a cursor (the nextCursor of the
// previous page), which wins over page and stays stable while new
// activities arrive.
type Query struct {
	paging.Page
	Cursor string
}

// cursor is the keyset position after the last item of a page.
type cursor struct {
	at time.Time
	id int64
}

func (c cursor) String() string {
	raw := strconv.FormatInt(c.at.UnixMicro(), 10) + ":" + strconv.FormatInt(c.id, 10)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func parseCursor(s string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := errcode.New(errcode.ValidationFailed, "cursor is not a cursor of this list")
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	at, id, ok := strings.Cut(string(raw), ":")
	if !ok {
		return nil, bad
	}
	us, err1 := strconv.ParseInt(at, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return nil, bad
	}
	return &cursor{at: time.UnixMicro(us), id: n}, nil
}

// Feed returns the banner of viewer: activities of the members viewer
// follows, of the BannerTypes, newest first.
func (s Store) Feed(ctx context.Context, viewer int64, q Query) (paging.Slice[Item], error) {
	return s.list(ctx, `a.member_id IN (SELECT followee_id FROM follows WHERE follower_id = $1)
		AND a.activity_type = ANY($2) AND `+member.VisibleSQL("m", "$1")+`
		AND COALESCE(`+member.VisibleSQL("pa", "$1")+`, true)`, viewer, BannerTypes, q)
}

// Mine returns the activity log of memberID, every type, newest first; an
// activity on a post whose author's privacy level now hides it from the
// member is shown as on deleted content.
func (s Store) Mine(ctx context.Context, memberID int64, q Query) (paging.Slice[Item], error) {
	return s.list(ctx, `a.member_id = $1 AND a.activity_type = ANY($2)`, memberID, events.Types(), q)
}

// list runs the page query (filtered by where over $1, the reader, and
// $2) and hydrates the actors and target members in one more query. pa is
// the author of the activity's post: content it hides from the reader
// counts as deleted.
func (s Store) list(ctx context.Context, where string, id int64, types []events.Type, q Query) (paging.Slice[Item], error) {
	after, err := parseCursor(q.Cursor)
	if err != nil {
		return paging.Slice[Item]{}, err
	}
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	// The snippet is cut here, and only from live rows the reader may
	// see: deleted and hidden content never leaves the database.
	shown := "COALESCE(" + member.VisibleSQL("pa", "$1") + ", true)"
	sql := `
		SELECT a.id, a.member_id, a.activity_type, a.post_id, a.comment_id, a.target_member_id,
			a.created_at, a.updated_at,
			CASE
				WHEN a.post_id IS NOT NULL AND NOT ` + shown + ` THEN true
				WHEN a.comment_id IS NOT NULL THEN c.id IS NULL OR c.deleted_at IS NOT NULL OR cp.deleted_at IS NOT NULL
				WHEN a.post_id IS NOT NULL THEN p.id IS NULL OR p.deleted_at IS NOT NULL
				ELSE false
			END AS deleted,
			CASE
				WHEN a.post_id IS NOT NULL AND NOT ` + shown + ` THEN NULL
				WHEN a.comment_id IS NOT NULL THEN
					CASE WHEN c.deleted_at IS NULL AND cp.deleted_at IS NULL THEN left(c.content, $5) END
				WHEN a.post_id IS NOT NULL THEN
					CASE WHEN p.deleted_at IS NULL THEN left(p.content, $5) END
			END AS snippet
		FROM activities a
		JOIN members m ON m.id = a.member_id AND m.status = 'ACTIVE'
		LEFT JOIN comments c ON c.id = a.comment_id
		LEFT JOIN posts cp ON cp.id = c.post_id
		LEFT JOIN posts p ON p.id = a.post_id AND a.comment_id IS NULL
		LEFT JOIN members pa ON pa.id = COALESCE(cp.author_id, p.author_id)
		WHERE ` + where + `
			AND ($3::timestamptz IS NULL OR (a.created_at, a.id) < ($3::timestamptz, $4::bigint))
		ORDER BY a.created_at DESC, a.id DESC
		LIMIT $6 OFFSET $7`
	var at *time.Time
	var afterID int64
	offset := q.Offset()
	if after != nil {
		at, afterID, offset = &after.at, after.id, 0
	}
	rows, err := s.DB.Query(ctx, sql, id, names, at, afterID, SnippetLength, q.Size+1, offset)
	if err != nil {
		return paging.Slice[Item]{}, fmt.Errorf("select activities: %w", err)
	}
	defer rows.Close()
	var items []Item
	for rows.Next() {
		var it Item
		var typ string
		var snippet *string
		if err := rows.Scan(&it.ID, &it.MemberID, &typ, &it.PostID, &it.CommentID, &it.TargetMemberID,
			&it.CreatedAt, &it.UpdatedAt, &it.Target.Deleted, &snippet); err != nil {
			return paging.Slice[Item]{}, fmt.Errorf("scan activity: %w", err)
		}
		it.MemberActivityType = events.Type(typ)
		it.Target.Kind = KindOf(it.MemberActivityType)
		it.Target.Snippet = snippet
		items = append(items, it)
	}
	if err := rows.Err(); err != nil {
		return paging.Slice[Item]{}, fmt.Errorf("select activities: %w", err)
	}
	page := paging.SliceOf(q.Page, items)
	if page.HasNext {
		last := page.Content[len(page.Content)-1]
		page.NextCursor = cursor{at: last.CreatedAt, id: last.ID}.String()
	}
	if err := s.hydrate(ctx, id, page.Content); err != nil {
		return paging.Slice[Item]{}, err
	}
	return page, nil
}

// hydrate sets the actors and the member targets of items as reader sees
// them, in one query.
func (s Store) hydrate(ctx context.Context, reader int64, items []Item) error {
	if len(items) == 0 {
		return nil
	}
	ids := make([]int64, 0, 2*len(items))
	for _, it := range items {
		ids = append(ids, it.MemberID)
		if it.Target.Kind == KindMember {
			ids = append(ids, it.TargetMemberID)
		}
	}
	summaries, err := member.Store{DB: s.DB}.Summaries(ctx, reader, ids)
	if err != nil {
		return err
	}
	byID := make(map[int64]member.Summary, len(summaries))
	for _, m := range summaries {
		byID[m.MemberID] = m
	}
	for i := range items {
		it := &items[i]
		if m, ok := byID[it.MemberID]; ok {
			it.Actor = &m
		}
		if it.Target.Kind == KindMember {
			m, ok := byID[it.TargetMemberID]
			it.Target.Deleted = !ok
			if ok {
				name := m.MemberName
				if m.DisplayName != nil && *m.DisplayName != "" {
					name = *m.DisplayName
				}
				it.Target.Snippet = &name
			}
		}
	}
	return nil
}

// NewQuery is the query of page p from cursor ("" for none); a cursor
// this API did not return is a 400.
func NewQuery(p paging.Page, cursor string) (Query, error) {
	q := Query{Page: p, Cursor: cursor}
	if _, err := parseCursor(q.Cursor); err != nil {
		return Query{}, err
	}
	return q, nil
}
