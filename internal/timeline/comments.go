package timeline

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// commentColumns select a content.Comment from comments c joined with
// members m; $1 is the reader.
const commentColumns = `
	c.id, c.post_id, c.parent_id, c.depth, c.content, c.author_id, m.member_name, m.handle, ` + member.AvatarSQL + `,
	c.like_count, c.reply_count,
	EXISTS (SELECT 1 FROM comment_likes l WHERE l.comment_id = c.id AND l.member_id = $1),
	c.created_at, c.updated_at`

func queryComments(ctx context.Context, db postgres.DB, sql string, args ...any) ([]content.Comment, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("select comments: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (content.Comment, error) {
		var c content.Comment
		var avatar *string
		err := r.Scan(&c.ID, &c.PostID, &c.ParentID, &c.Depth, &c.Content, &c.AuthorID, &c.AuthorName, &c.AuthorHandle,
			&avatar, &c.LikeCount, &c.ReplyCount, &c.Liked, &c.CreatedAt, &c.UpdatedAt)
		c.AuthorAvatarURL = avatar
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("select comments: %w", err)
	}
	return out, nil
}

func commentKey(c content.Comment) Key { return Key{At: c.CreatedAt, ID: c.ID} }

// onShownPosts joins comments c with their post's author pa, whom
// commentsShown requires the reader $1 may see.
const onShownPosts = ` JOIN posts cp ON cp.id = c.post_id JOIN members pa ON pa.id = cp.author_id`

// commentsShown is the condition that the reader $1 may see the comments
// c: their post's author's privacy level does not hide it.
var commentsShown = member.VisibleSQL("pa", "$1")

// oldestFirst selects live comments matching cond ($2), oldest first: $3/$4
// keyset, $5 limit, $6 offset.
func oldestFirst(cond string) string {
	return `SELECT ` + commentColumns + `
		FROM comments c JOIN members m ON m.id = c.author_id` + onShownPosts + `
		WHERE ` + cond + ` AND c.deleted_at IS NULL AND (c.created_at, c.id) > ($3, $4) AND ` + commentsShown + `
		ORDER BY c.created_at, c.id
		LIMIT $5 OFFSET $6`
}

var (
	postCommentsSQL = oldestFirst(`c.post_id = $2 AND c.parent_id IS NULL`)
	repliesSQL      = oldestFirst(`c.parent_id = $2`)
)

// The parents of threads: $1 the reader, $2 the post or comment.
var (
	postShownSQL = `SELECT EXISTS (SELECT 1 FROM posts cp JOIN members pa ON pa.id = cp.author_id
		WHERE cp.id = $2 AND cp.deleted_at IS NULL AND ` + commentsShown + `)`
	commentShownSQL = `SELECT EXISTS (SELECT 1 FROM comments c` + onShownPosts + `
		WHERE c.id = $2 AND c.deleted_at IS NULL AND ` + commentsShown + `)`
)

// PostComments returns the live top-level comments of the live post,
// oldest first, each with its reply and like counts. A missing or deleted
// post is 404, and so is a post whose author's privacy level hides it.
func (s *Reads) PostComments(ctx context.Context, reader, post int64, q Request) (paging.Slice[content.Comment], error) {
	return s.thread(ctx, postCommentsSQL, postShownSQL, content.ErrPostNotFound, reader, post, q)
}

// Replies returns the live direct replies of the live comment, oldest
// first. A missing or deleted comment is 404, and so is one on a post
// whose author's privacy level hides it.
func (s *Reads) Replies(ctx context.Context, reader, comment int64, q Request) (paging.Slice[content.Comment], error) {
	return s.thread(ctx, repliesSQL, commentShownSQL, content.ErrCommentNotFound, reader, comment, q)
}

// thread runs an oldest-first page; only an empty page checks that its
// parent exists (so a page costs one query).
func (s *Reads) thread(ctx context.Context, sql, exists string, notFound error, reader, parent int64, q Request) (paging.Slice[content.Comment], error) {
	after := q.after(farPast)
	rows, err := queryComments(ctx, s.DB, sql, reader, parent, after.At, after.ID, q.Size+1, q.offset())
	if err != nil {
		return paging.Slice[content.Comment]{}, err
	}
	if len(rows) == 0 {
		var ok bool
		if err := s.DB.QueryRow(ctx, exists, reader, parent).Scan(&ok); err != nil {
			return paging.Slice[content.Comment]{}, fmt.Errorf("select parent: %w", err)
		}
		if !ok {
			return paging.Slice[content.Comment]{}, notFound
		}
	}
	return sliceOf(q, rows, commentKey), nil
}

var memberCommentsSQL = `SELECT ` + commentColumns + `
	FROM comments c JOIN members m ON m.id = c.author_id` + onShownPosts + `
	WHERE c.author_id = $2 AND c.deleted_at IS NULL AND (c.created_at, c.id) < ($3, $4)
	  AND ` + commentsShown + ` AND ` + member.VisibleSQL("m", "$1") + `
	ORDER BY c.created_at DESC, c.id DESC
	LIMIT $5 OFFSET $6`

// MemberComments returns the live comments of author, newest first: none
// when author's privacy level hides it from reader, and none on posts
// whose author's privacy level hides them.
func (s *Reads) MemberComments(ctx context.Context, reader, author int64, q Request) (paging.Slice[content.Comment], error) {
	after := q.after(farFuture)
	rows, err := queryComments(ctx, s.DB, memberCommentsSQL, reader, author, after.At, after.ID, q.Size+1, q.offset())
	if err != nil {
		return paging.Slice[content.Comment]{}, err
	}
	if len(rows) == 0 && author != reader {
		var ok bool
		if err := s.DB.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM members WHERE id = $1 AND status = 'ACTIVE')`, author).Scan(&ok); err != nil {
			return paging.Slice[content.Comment]{}, fmt.Errorf("select member: %w", err)
		}
		if !ok {
			return paging.Slice[content.Comment]{}, errMemberNotFound
		}
	}
	return sliceOf(q, rows, commentKey), nil
}

var commentByIDSQL = `SELECT ` + commentColumns + `
	FROM comments c JOIN members m ON m.id = c.author_id` + onShownPosts + `
	WHERE c.id = $2 AND c.deleted_at IS NULL AND ` + commentsShown

// GetComment returns the live comment id (404 on a post whose author's
// privacy level hides it from reader). A known reader's read of another
// member's comment commits a COMMENT_READ event through the outbox; the
// author's own read and an anonymous read emit nothing.
func (s *Reads) GetComment(ctx context.Context, reader, id int64) (content.Comment, error) {
	cs, err := queryComments(ctx, s.DB, commentByIDSQL, reader, id)
	if err != nil {
		return content.Comment{}, err
	}
	if len(cs) == 0 {
		return content.Comment{}, content.ErrCommentNotFound
	}
	out := cs[0]
	if reader == 0 || reader == out.AuthorID {
		return out, nil
	}
	err = s.Writer.Write(ctx, func(postgres.DB) (events.Payload, error) {
		return events.Payload{MemberID: reader, PostID: out.PostID, CommentID: id, TargetMemberID: out.AuthorID,
			MemberActivityType: events.CommentRead, CreatedAt: s.Now()}, nil
	})
	return out, err
}
