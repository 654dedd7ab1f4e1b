package content

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/search/terms"
)

// Store reads posts and comments in the API's shapes. The writes are in
// Service (each one transaction with its event); the statements they run
// are the unexported functions of this file, over the write's tx.
type Store struct {
	DB postgres.DB
}

// PostColumns select a post and its author's member summary from posts p
// joined with members m; $1 is always the reader (0 for an anonymous
// reader, who likes nothing). ScanPost reads them. The write side answers
// the post, the read side (timeline) the post with the summary.
const PostColumns = `
	p.id, p.title, p.content, p.author_id, m.member_name, m.handle, m.display_name, m.bio, ` + member.AvatarSQL + `,
	m.followers_count, m.following_count, p.view_count, p.like_count, p.comment_count,
	EXISTS (SELECT 1 FROM post_likes l WHERE l.post_id = p.id AND l.member_id = $1),
	p.created_at, p.updated_at`

// ScanPost scans a row of PostColumns: the post and its author's summary.
func ScanPost(row pgx.Row) (Post, member.Summary, error) {
	var p Post
	var a member.Summary
	var avatar *string
	err := row.Scan(&p.ID, &p.Title, &p.Content, &p.AuthorID, &a.MemberName, &a.Handle, &a.DisplayName, &a.Bio, &avatar,
		&a.FollowersCount, &a.FollowingCount, &p.ViewCount, &p.LikeCount, &p.CommentCount, &p.Liked,
		&p.CreatedAt, &p.UpdatedAt)
	a.ID, a.MemberID, a.MemberHandle, a.AvatarURL = p.AuthorID, p.AuthorID, a.Handle, avatar
	p.AuthorName, p.AuthorHandle, p.AuthorAvatarURL = a.MemberName, a.Handle, a.AvatarURL
	return p, a, err
}

// postSQL selects the live post $2 as the reader $1 sees it.
const postSQL = `SELECT ` + PostColumns + `
	FROM posts p
	JOIN members m ON m.id = p.author_id
	WHERE p.id = $2 AND p.deleted_at IS NULL`

func post(ctx context.Context, db postgres.DB, reader, id int64) (Post, error) {
	p, _, err := ScanPost(db.QueryRow(ctx, postSQL, reader, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Post{}, ErrPostNotFound
	}
	if err != nil {
		return Post{}, fmt.Errorf("select post: %w", err)
	}
	return p, nil
}

// commentView selects a Comment: $1 the comment ids, $2 the reader, who
// may see the post's author pa.
var commentView = `
	SELECT c.id, c.post_id, c.parent_id, c.depth, c.content, c.author_id, m.member_name, m.handle, ` + member.AvatarSQL + `,
		c.like_count, c.reply_count,
		EXISTS (SELECT 1 FROM comment_likes l WHERE l.comment_id = c.id AND l.member_id = $2),
		c.created_at, c.updated_at
	FROM unnest($1::bigint[]) WITH ORDINALITY AS q(id, n)
	JOIN comments c ON c.id = q.id
	JOIN members m ON m.id = c.author_id
	JOIN posts cp ON cp.id = c.post_id
	JOIN members pa ON pa.id = cp.author_id
	WHERE c.deleted_at IS NULL AND ` + member.VisibleSQL("pa", "$2") + `
	ORDER BY q.n`

func scanComment(row pgx.Row) (Comment, error) {
	var c Comment
	var avatar *string
	err := row.Scan(&c.ID, &c.PostID, &c.ParentID, &c.Depth, &c.Content, &c.AuthorID, &c.AuthorName, &c.AuthorHandle,
		&avatar, &c.LikeCount, &c.ReplyCount, &c.Liked, &c.CreatedAt, &c.UpdatedAt)
	c.AuthorAvatarURL = avatar
	return c, err
}

// Comments returns the live comments among ids as reader sees them, in
// the order of ids, duplicates and unknown or deleted ids left out, and
// those on posts whose author's privacy level hides them from reader, in
// one query.
func (s Store) Comments(ctx context.Context, reader int64, ids []int64) ([]Comment, error) {
	out := []Comment{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.DB.Query(ctx, commentView, ids, reader)
	if err != nil {
		return nil, fmt.Errorf("select comments: %w", err)
	}
	defer rows.Close()
	seen := make(map[int64]bool, len(ids))
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, fmt.Errorf("scan comment: %w", err)
		}
		if !seen[c.ID] {
			seen[c.ID] = true
			out = append(out, c)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select comments: %w", err)
	}
	return out, nil
}

func comment(ctx context.Context, db postgres.DB, reader, id int64) (Comment, error) {
	c, err := scanComment(db.QueryRow(ctx, commentView, []int64{id}, reader))
	if errors.Is(err, pgx.ErrNoRows) {
		return Comment{}, ErrCommentNotFound
	}
	if err != nil {
		return Comment{}, fmt.Errorf("select comment: %w", err)
	}
	return c, nil
}

// ---- Statements of the writes, over the write's transaction. ----

// notFound maps no row to notFoundErr and wraps any other error.
func notFound(err error, notFoundErr error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return notFoundErr
	}
	return fmt.Errorf("%s: %w", what, err)
}

// insertPost inserts the post of author and returns it as its author
// sees it, in one statement (the write's own round trip: no read after it).
func insertPost(ctx context.Context, tx postgres.DB, author int64, in NewPost, now time.Time) (Post, error) {
	p, _, err := ScanPost(tx.QueryRow(ctx, `
		WITH p AS (
			INSERT INTO posts (author_id, title, content, created_at, updated_at, activity_at, search_terms)
			VALUES ($1, $2, $3, $4, $4, $4, $5::tsvector) RETURNING *
		)
		SELECT `+PostColumns+` FROM p JOIN members m ON m.id = p.author_id`,
		author, in.Title, *in.Content, now, postTerms(in.Title, *in.Content)))
	if err != nil {
		return Post{}, fmt.Errorf("insert post: %w", err)
	}
	return p, nil
}

// lockOwnPost locks the live post id for a change by member: 404 when it
// is missing or deleted, 403 when member is not its author.
func lockOwnPost(ctx context.Context, tx postgres.DB, member, id int64) error {
	author, err := lockLivePost(ctx, tx, id)
	if err != nil {
		return err
	}
	if author != member {
		return ErrPostForbidden
	}
	return nil
}

// postTerms is the search_terms of a post (internal/search/terms): its
// title and content, tokenized here so that the index and the query use
// the same tokenizer.
func postTerms(title *string, content string) string {
	if title == nil {
		return terms.Vector(content)
	}
	return terms.Vector(*title, content)
}

// updatePost changes the (locked) post: a nil field is unchanged, an empty
// title removes it. Its search terms are made from the new title and
// content.
func updatePost(ctx context.Context, tx postgres.DB, id int64, in PostUpdate, now time.Time) error {
	var title *string
	var content string
	if err := tx.QueryRow(ctx, `SELECT title, content FROM posts WHERE id = $1`, id).Scan(&title, &content); err != nil {
		return fmt.Errorf("read post: %w", err)
	}
	if in.Title != nil {
		title = in.Title
		if *title == "" {
			title = nil
		}
	}
	if in.Content != nil {
		content = *in.Content
	}
	_, err := tx.Exec(ctx, `
		UPDATE posts SET title = $2, content = $3, updated_at = $4, search_terms = $5::tsvector
		WHERE id = $1`, id, title, content, now, postTerms(title, content))
	if err != nil {
		return fmt.Errorf("update post: %w", err)
	}
	return nil
}

// deletePost soft-deletes the (locked) post and its live comments.
func deletePost(ctx context.Context, tx postgres.DB, id int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE posts SET deleted_at = $2 WHERE id = $1`, id, now); err != nil {
		return fmt.Errorf("delete post: %w", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE comments SET deleted_at = $2 WHERE post_id = $1 AND deleted_at IS NULL`, id, now); err != nil {
		return fmt.Errorf("delete comments of post: %w", err)
	}
	return nil
}

// bumpPost adds likes and comments to the live post id's counts (locking
// its row) and returns its author and new like count. A missing or deleted
// post is 404 POST_NOT_FOUND. Additions also move the post's activity
// time (recent-activity-posts).
func bumpPost(ctx context.Context, tx postgres.DB, id int64, likes, comments int64, now time.Time) (author, likeCount int64, err error) {
	err = tx.QueryRow(ctx, `
		UPDATE posts SET
			like_count    = like_count + $2,
			comment_count = comment_count + $3,
			activity_at   = CASE WHEN $2 > 0 OR $3 > 0 THEN greatest(activity_at, $4) ELSE activity_at END
		WHERE id = $1 AND deleted_at IS NULL
		RETURNING author_id, like_count`, id, likes, comments, now).Scan(&author, &likeCount)
	if err != nil {
		return 0, 0, notFound(err, ErrPostNotFound, "update post counts")
	}
	return author, likeCount, nil
}

func insertPostLike(ctx context.Context, tx postgres.DB, post, member int64, now time.Time) error {
	return postgres.ExecOne(ctx, tx, ErrAlreadyLiked, "insert post like", `
		INSERT INTO post_likes (post_id, member_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, post, member, now)
}

func deletePostLike(ctx context.Context, tx postgres.DB, post, member int64) error {
	return postgres.ExecOne(ctx, tx, ErrLikeNotFound, "delete post like",
		`DELETE FROM post_likes WHERE post_id = $1 AND member_id = $2`, post, member)
}

// commentRow is what the writes need of a comment.
type commentRow struct {
	id, postID, author int64
	parentID           *int64
	depth              int
}

// liveComment reads the live comment id, without locking it.
func liveComment(ctx context.Context, tx postgres.DB, id int64) (commentRow, error) {
	return selectComment(ctx, tx, id, "")
}

// lockLiveComment reads and locks the live comment id.
func lockLiveComment(ctx context.Context, tx postgres.DB, id int64) (commentRow, error) {
	return selectComment(ctx, tx, id, " FOR NO KEY UPDATE")
}

func selectComment(ctx context.Context, tx postgres.DB, id int64, lock string) (commentRow, error) {
	c := commentRow{id: id}
	err := tx.QueryRow(ctx, `SELECT post_id, author_id, parent_id, depth FROM comments WHERE id = $1 AND deleted_at IS NULL`+lock, id).
		Scan(&c.postID, &c.author, &c.parentID, &c.depth)
	if err != nil {
		return c, notFound(err, ErrCommentNotFound, "select comment")
	}
	return c, nil
}

// requireInteraction refuses reader's new interaction (a like, a comment,
// a reply) with the post id or a comment on it: with missing, the answer
// to a missing post or comment, when the post author's privacy level hides
// the post from reader; then 409 AUTHOR_DEACTIVATED when any of authors,
// those of the content it touches, is no longer an active member.
func requireInteraction(ctx context.Context, tx postgres.DB, reader, id int64, missing error, authors ...int64) error {
	var shown bool
	err := tx.QueryRow(ctx, `SELECT `+member.VisibleSQL("m", "$1")+`
		FROM posts p JOIN members m ON m.id = p.author_id WHERE p.id = $2`, reader, id).Scan(&shown)
	if err != nil {
		return notFound(err, missing, "select post author")
	}
	if !shown {
		return missing
	}
	var inactive bool
	err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM members WHERE id = ANY($1) AND status <> 'ACTIVE')`, authors).Scan(&inactive)
	if err != nil {
		return fmt.Errorf("select author status: %w", err)
	}
	if inactive {
		return ErrAuthorDeactivated
	}
	return nil
}

// lockLivePost locks the live post id and returns its author: 404 when it
// is missing or deleted.
func lockLivePost(ctx context.Context, tx postgres.DB, id int64) (author int64, err error) {
	err = tx.QueryRow(ctx, `SELECT author_id FROM posts WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE`, id).Scan(&author)
	if err != nil {
		return 0, notFound(err, ErrPostNotFound, "lock post")
	}
	return author, nil
}

func insertComment(ctx context.Context, tx postgres.DB, author, post int64, parent *int64, depth int, content string, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO comments (post_id, parent_id, depth, author_id, content, created_at, updated_at, search_terms)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7::tsvector) RETURNING id`,
		post, parent, depth, author, content, now, terms.Vector(content)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("insert comment: %w", err)
	}
	return id, nil
}

// bumpComment adds likes and replies to the live comment id's counts
// (locking its row) and returns its new like count. A missing or deleted
// comment is 404 COMMENT_NOT_FOUND.
func bumpComment(ctx context.Context, tx postgres.DB, id int64, likes, replies int64) (likeCount int64, err error) {
	err = tx.QueryRow(ctx, `
		UPDATE comments SET like_count = like_count + $2, reply_count = reply_count + $3
		WHERE id = $1 AND deleted_at IS NULL
		RETURNING like_count`, id, likes, replies).Scan(&likeCount)
	if err != nil {
		return 0, notFound(err, ErrCommentNotFound, "update comment counts")
	}
	return likeCount, nil
}

// lockPost locks the post id's row whatever its state: the first lock of
// every write that changes comments, so writes on one post's comments
// take locks in the same order.
func lockPost(ctx context.Context, tx postgres.DB, id int64) error {
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM posts WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&one)
	if err != nil {
		return notFound(err, ErrPostNotFound, "lock post")
	}
	return nil
}

// lockOwnComment locks the live comment id for a change by member.
func lockOwnComment(ctx context.Context, tx postgres.DB, member, id int64) (commentRow, error) {
	c := commentRow{id: id}
	err := tx.QueryRow(ctx, `
		SELECT post_id, author_id, parent_id, depth FROM comments
		WHERE id = $1 AND deleted_at IS NULL FOR NO KEY UPDATE`, id).Scan(&c.postID, &c.author, &c.parentID, &c.depth)
	if err != nil {
		return c, notFound(err, ErrCommentNotFound, "lock comment")
	}
	if c.author != member {
		return c, ErrCommentForbidden
	}
	return c, nil
}

func updateComment(ctx context.Context, tx postgres.DB, id int64, content string, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE comments SET content = $2, updated_at = $3, search_terms = $4::tsvector WHERE id = $1`,
		id, content, now, terms.Vector(content)); err != nil {
		return fmt.Errorf("update comment: %w", err)
	}
	return nil
}

// deleteSubtree soft-deletes the live comment id and every live reply
// under it, and returns how many comments it deleted.
func deleteSubtree(ctx context.Context, tx postgres.DB, id int64, now time.Time) (int64, error) {
	tag, err := tx.Exec(ctx, `
		WITH RECURSIVE subtree AS (
			SELECT id FROM comments WHERE id = $1 AND deleted_at IS NULL
			UNION ALL
			SELECT c.id FROM comments c JOIN subtree s ON c.parent_id = s.id
			WHERE c.deleted_at IS NULL
		)
		UPDATE comments SET deleted_at = $2 WHERE id IN (SELECT id FROM subtree)`, id, now)
	if err != nil {
		return 0, fmt.Errorf("delete comment subtree: %w", err)
	}
	return tag.RowsAffected(), nil
}

func insertCommentLike(ctx context.Context, tx postgres.DB, comment, member int64, now time.Time) error {
	return postgres.ExecOne(ctx, tx, ErrAlreadyLiked, "insert comment like", `
		INSERT INTO comment_likes (comment_id, member_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, comment, member, now)
}

func deleteCommentLike(ctx context.Context, tx postgres.DB, comment, member int64) error {
	return postgres.ExecOne(ctx, tx, ErrLikeNotFound, "delete comment like",
		`DELETE FROM comment_likes WHERE comment_id = $1 AND member_id = $2`, comment, member)
}
