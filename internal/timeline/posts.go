package timeline

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/outbox/emit"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Reads is the post and comment reads other than the follow feed.
// Reader 0 is an anonymous reader: liked is false and reads emit nothing.
type Reads struct {
	DB postgres.DB
	// Writer commits the read events (POST_READ, COMMENT_READ) to the
	// outbox, exactly like a write's event.
	Writer emit.Writer
	Now    func() time.Time
}

// MaxQueryIDs bounds query-posts.
const MaxQueryIDs = 1000

var errMemberNotFound = errcode.New(errcode.MemberNotFound, "member not found")

// authorPostsSQL: $1 reader, $2 author, $3/$4 keyset, $5 limit, $6 offset.
var authorPostsSQL = `SELECT ` + postColumns + `
	FROM posts p JOIN members m ON m.id = p.author_id
	WHERE p.author_id = $2 AND p.deleted_at IS NULL AND (p.created_at, p.id) < ($3, $4)
	  AND ` + member.VisibleSQL("m", "$1") + `
	ORDER BY p.created_at DESC, p.id DESC
	LIMIT $5 OFFSET $6`

// AuthorPosts returns author's live posts, newest first (my-feed when
// author is the reader, author-posts otherwise). An unknown author is 404;
// an author whose privacy level hides it from reader has no posts.
func (s *Reads) AuthorPosts(ctx context.Context, reader, author int64, q Request) (paging.Slice[Post], error) {
	after := q.after(farFuture)
	rows, err := queryPosts(ctx, s.DB, authorPostsSQL, reader, author, after.At, after.ID, q.Size+1, q.offset())
	if err != nil {
		return paging.Slice[Post]{}, err
	}
	if len(rows) == 0 && author != reader {
		var ok bool
		if err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM members WHERE id = $1 AND status = 'ACTIVE')`, author).Scan(&ok); err != nil {
			return paging.Slice[Post]{}, fmt.Errorf("select member: %w", err)
		}
		if !ok {
			return paging.Slice[Post]{}, errMemberNotFound
		}
	}
	return sliceOf(q, rows, postKey), nil
}

// recentActivitySQL: $1 reader, $2 limit, $3 offset.
var recentActivitySQL = `SELECT ` + postColumns + `
	FROM posts p JOIN members m ON m.id = p.author_id
	WHERE p.deleted_at IS NULL AND ` + member.VisibleSQL("m", "$1") + `
	ORDER BY p.activity_at DESC, p.id DESC
	LIMIT $2 OFFSET $3`

// RecentActivity returns live posts by the time of their latest comment or
// like (their creation before any), newest first. It pages by page and
// size only: activity moves posts around, so no keyset is stable.
func (s *Reads) RecentActivity(ctx context.Context, reader int64, q Request) (paging.Slice[Post], error) {
	rows, err := queryPosts(ctx, s.DB, recentActivitySQL, reader, q.Size+1, q.Offset())
	if err != nil {
		return paging.Slice[Post]{}, err
	}
	return paging.SliceOf(q.Page, rows), nil
}

// QueryPosts returns the live posts among ids, in the order of ids.
func (s *Reads) QueryPosts(ctx context.Context, reader int64, ids []int64) ([]Post, error) {
	if len(ids) > MaxQueryIDs {
		return nil, errcode.Errorf(errcode.ValidationFailed, "ids: at most %d", MaxQueryIDs)
	}
	for _, id := range ids {
		if id <= 0 {
			return nil, errcode.New(errcode.ValidationFailed, "ids: must be positive ids")
		}
	}
	return Hydrate(ctx, s.DB, reader, ids)
}

// GetPost returns the live post id. A known reader's read of another
// member's post commits a POST_READ event through the outbox (update-stats
// counts it as a view); the author's own read and an anonymous read emit
// nothing, so the hot read path writes only when there is a view to count.
func (s *Reads) GetPost(ctx context.Context, reader, id int64) (Post, error) {
	out, err := getPost(ctx, s.DB, reader, id)
	if err != nil || reader == 0 || reader == out.AuthorID {
		return out, err
	}
	err = s.Writer.Write(ctx, func(postgres.DB) (events.Payload, error) {
		return events.Payload{MemberID: reader, PostID: id, TargetMemberID: out.AuthorID,
			MemberActivityType: events.PostRead, CreatedAt: s.Now()}, nil
	})
	return out, err
}

func getPost(ctx context.Context, db postgres.DB, reader, id int64) (Post, error) {
	ps, err := Hydrate(ctx, db, reader, []int64{id})
	if err != nil {
		return Post{}, err
	}
	if len(ps) == 0 {
		return Post{}, content.ErrPostNotFound
	}
	return ps[0], nil
}

// Statistics is post-statistics' answer: the post's true counts.
type Statistics struct {
	PostID       int64 `json:"postId"`
	CommentCount int64 `json:"commentCount"`
	LikeCount    int64 `json:"likeCount"`
	ViewCount    int64 `json:"viewCount"`
}

// PostStatistics returns the counts of the live post id (404 when its
// author's privacy level hides it from reader).
func (s *Reads) PostStatistics(ctx context.Context, reader, id int64) (Statistics, error) {
	st := Statistics{PostID: id}
	err := s.DB.QueryRow(ctx, `
		SELECT p.comment_count, p.like_count, p.view_count FROM posts p JOIN members m ON m.id = p.author_id
		WHERE p.id = $1 AND p.deleted_at IS NULL AND `+member.VisibleSQL("m", "$2"), id, reader).
		Scan(&st.CommentCount, &st.LikeCount, &st.ViewCount)
	if errors.Is(err, pgx.ErrNoRows) {
		return st, content.ErrPostNotFound
	}
	if err != nil {
		return st, fmt.Errorf("select post statistics: %w", err)
	}
	return st, nil
}
