package content

import (
	"context"
	"time"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/outbox/emit"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Service is the content writes: what each write function's
// Handle calls once. Every method validates its input first, then runs
// one transaction that makes the change, keeps the counts true and adds
// the activity event to the outbox (emit.Writer); a failure at any step
// changes nothing.
type Service struct {
	Store  Store
	Writer emit.Writer
	Now    func() time.Time
}

// now returns the time of a write, at the database's precision.
func (s *Service) now() time.Time { return s.Now().Truncate(time.Microsecond) }

// CreatePost creates a post by author. Emits POST_CREATE.
func (s *Service) CreatePost(ctx context.Context, author int64, in NewPost) (Post, error) {
	in, err := in.Validate()
	if err != nil {
		return Post{}, err
	}
	now := s.now()
	var out Post
	err = s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		var err error
		if out, err = insertPost(ctx, tx, author, in, now); err != nil {
			return events.Payload{}, err
		}
		return postEvent(events.PostCreate, author, out.ID, author, now), nil
	})
	return out, err
}

// UpdatePost changes the post id of member (its author). Emits POST_UPDATE.
func (s *Service) UpdatePost(ctx context.Context, member, id int64, in PostUpdate) (Post, error) {
	in, err := in.Validate()
	if err != nil {
		return Post{}, err
	}
	now := s.now()
	var out Post
	err = s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		if err := lockOwnPost(ctx, tx, member, id); err != nil {
			return events.Payload{}, err
		}
		if err := updatePost(ctx, tx, id, in, now); err != nil {
			return events.Payload{}, err
		}
		var err error
		if out, err = post(ctx, tx, member, id); err != nil {
			return events.Payload{}, err
		}
		return postEvent(events.PostUpdate, member, id, member, now), nil
	})
	return out, err
}

// DeletePost soft-deletes the post id of member (its author) and its
// comments. Emits POST_DELETE.
func (s *Service) DeletePost(ctx context.Context, member, id int64) (PostDeleted, error) {
	now := s.now()
	err := s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		if err := lockOwnPost(ctx, tx, member, id); err != nil {
			return events.Payload{}, err
		}
		if err := deletePost(ctx, tx, id, now); err != nil {
			return events.Payload{}, err
		}
		return postEvent(events.PostDelete, member, id, member, now), nil
	})
	if err != nil {
		return PostDeleted{}, err
	}
	return PostDeleted{ID: id, Deleted: true, DeletedAt: now}, nil
}

// LikePost records member's like of the live post id and returns the new
// like count. Emits LIKE_POST.
func (s *Service) LikePost(ctx context.Context, member, id int64) (int64, error) {
	return s.likePost(ctx, events.LikePost, member, id, 1)
}

// UnlikePost cancels member's like of the live post id and returns the
// new like count. Emits LIKE_POST_CANCEL.
func (s *Service) UnlikePost(ctx context.Context, member, id int64) (int64, error) {
	return s.likePost(ctx, events.LikePostCancel, member, id, -1)
}

func (s *Service) likePost(ctx context.Context, t events.Type, member, id, delta int64) (int64, error) {
	now := s.now()
	var count int64
	err := s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		// Lock the post, then let the like row's key decide: a like that
		// exists (409) or does not (404) rolls back the count with it.
		author, err := lockLivePost(ctx, tx, id)
		if err != nil {
			return events.Payload{}, err
		}
		if delta > 0 {
			if err := requireInteraction(ctx, tx, member, id, ErrPostNotFound, author); err != nil {
				return events.Payload{}, err
			}
			err = insertPostLike(ctx, tx, id, member, now)
		} else {
			err = deletePostLike(ctx, tx, id, member)
		}
		if err != nil {
			return events.Payload{}, err
		}
		if _, count, err = bumpPost(ctx, tx, id, delta, 0, now); err != nil {
			return events.Payload{}, err
		}
		return postEvent(t, member, id, author, now), nil
	})
	return count, err
}

// CreateComment creates a top-level comment by author on the live post
// in.PostID. Emits COMMENT_CREATE, whose target is the post's author.
func (s *Service) CreateComment(ctx context.Context, author int64, in NewComment) (Comment, error) {
	in, err := in.Validate()
	if err != nil {
		return Comment{}, err
	}
	now := s.now()
	postID := int64(in.PostID)
	var out Comment
	err = s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		postAuthor, _, err := bumpPost(ctx, tx, postID, 0, 1, now)
		if err != nil {
			return events.Payload{}, err
		}
		if err := requireInteraction(ctx, tx, author, postID, ErrPostNotFound, postAuthor); err != nil {
			return events.Payload{}, err // rolls the count back
		}
		id, err := insertComment(ctx, tx, author, postID, nil, 0, *in.Content, now)
		if err != nil {
			return events.Payload{}, err
		}
		if out, err = comment(ctx, tx, author, id); err != nil {
			return events.Payload{}, err
		}
		return commentEvent(events.CommentCreate, author, postID, id, postAuthor, now), nil
	})
	return out, err
}

// CreateReply creates a reply by author to the live comment in.ParentID,
// which must be on in.PostID and above the deepest level. Emits
// COMMENT_CREATE, whose target is the parent comment's author.
func (s *Service) CreateReply(ctx context.Context, author int64, in NewReply) (Comment, error) {
	in, err := in.Validate()
	if err != nil {
		return Comment{}, err
	}
	now := s.now()
	postID, parentID := int64(in.PostID), int64(in.ParentID)
	var out Comment
	err = s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		// The parent's post and depth never change: read them unlocked,
		// then lock the post before the parent (the lock order).
		parent, err := liveComment(ctx, tx, parentID)
		if err != nil {
			return events.Payload{}, err
		}
		if parent.postID != postID {
			return events.Payload{}, ErrReplyPost
		}
		if parent.depth+1 > MaxDepth {
			return events.Payload{}, ErrReplyDepth
		}
		postAuthor, _, err := bumpPost(ctx, tx, postID, 0, 1, now)
		if err != nil {
			return events.Payload{}, err
		}
		if err := requireInteraction(ctx, tx, author, postID, ErrCommentNotFound, postAuthor, parent.author); err != nil {
			return events.Payload{}, err // rolls the count back
		}
		if _, err := bumpComment(ctx, tx, parentID, 0, 1); err != nil {
			return events.Payload{}, err // deleted meanwhile
		}
		id, err := insertComment(ctx, tx, author, postID, &parentID, parent.depth+1, *in.Content, now)
		if err != nil {
			return events.Payload{}, err
		}
		if out, err = comment(ctx, tx, author, id); err != nil {
			return events.Payload{}, err
		}
		return commentEvent(events.CommentCreate, author, postID, id, parent.author, now), nil
	})
	return out, err
}

// UpdateComment changes the content of member's live comment id. Emits
// COMMENT_UPDATE.
func (s *Service) UpdateComment(ctx context.Context, member, id int64, in CommentUpdate) (Comment, error) {
	in, err := in.Validate()
	if err != nil {
		return Comment{}, err
	}
	now := s.now()
	var out Comment
	err = s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		c, err := lockOwnComment(ctx, tx, member, id)
		if err != nil {
			return events.Payload{}, err
		}
		if err := updateComment(ctx, tx, id, *in.Content, now); err != nil {
			return events.Payload{}, err
		}
		if out, err = comment(ctx, tx, member, id); err != nil {
			return events.Payload{}, err
		}
		return commentEvent(events.CommentUpdate, member, c.postID, id, member, now), nil
	})
	return out, err
}

// DeleteComment soft-deletes member's live comment id with every reply
// under it, and keeps the post's comment count and the parent's reply
// count true. Emits one COMMENT_DELETE, for the comment itself.
func (s *Service) DeleteComment(ctx context.Context, member, id int64) (CommentDeleted, error) {
	now := s.now()
	var deleted int64
	err := s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		c, err := liveComment(ctx, tx, id)
		if err != nil {
			return events.Payload{}, err
		}
		if c.author != member {
			return events.Payload{}, ErrCommentForbidden
		}
		// Lock order: the post, then the comment (checked again under its
		// lock), its subtree, its parent.
		if err := lockPost(ctx, tx, c.postID); err != nil {
			return events.Payload{}, err
		}
		if _, err := lockOwnComment(ctx, tx, member, id); err != nil {
			return events.Payload{}, err
		}
		if deleted, err = deleteSubtree(ctx, tx, id, now); err != nil {
			return events.Payload{}, err
		}
		if _, _, err := bumpPost(ctx, tx, c.postID, 0, -deleted, now); err != nil {
			return events.Payload{}, err
		}
		if c.parentID != nil {
			if _, err := bumpComment(ctx, tx, *c.parentID, 0, -1); err != nil {
				return events.Payload{}, err
			}
		}
		return commentEvent(events.CommentDelete, member, c.postID, id, member, now), nil
	})
	if err != nil {
		return CommentDeleted{}, err
	}
	return CommentDeleted{ID: id, Deleted: true, DeletedComments: deleted, DeletedAt: now}, nil
}

// LikeComment records member's like of the live comment id and returns
// the new like count. Emits LIKE_COMMENT (memberId the liker, target the
// comment's author).
func (s *Service) LikeComment(ctx context.Context, member, id int64) (int64, error) {
	return s.likeComment(ctx, events.LikeComment, member, id, 1)
}

// UnlikeComment cancels member's like of the live comment id and returns
// the new like count. Emits LIKE_COMMENT_CANCEL.
func (s *Service) UnlikeComment(ctx context.Context, member, id int64) (int64, error) {
	return s.likeComment(ctx, events.LikeCommentCancel, member, id, -1)
}

func (s *Service) likeComment(ctx context.Context, t events.Type, member, id, delta int64) (int64, error) {
	now := s.now()
	var count int64
	err := s.Writer.Write(ctx, func(tx postgres.DB) (events.Payload, error) {
		c, err := lockLiveComment(ctx, tx, id)
		if err != nil {
			return events.Payload{}, err
		}
		if delta > 0 {
			if err := requireInteraction(ctx, tx, member, c.postID, ErrCommentNotFound, c.author); err != nil {
				return events.Payload{}, err
			}
			err = insertCommentLike(ctx, tx, id, member, now)
		} else {
			err = deleteCommentLike(ctx, tx, id, member)
		}
		if err != nil {
			return events.Payload{}, err
		}
		if count, err = bumpComment(ctx, tx, id, delta, 0); err != nil {
			return events.Payload{}, err
		}
		return commentEvent(t, member, c.postID, id, c.author, now), nil
	})
	return count, err
}

func postEvent(t events.Type, member, post, target int64, now time.Time) events.Payload {
	return events.Payload{MemberID: member, PostID: post, TargetMemberID: target, MemberActivityType: t, CreatedAt: now}
}

func commentEvent(t events.Type, member, post, comment, target int64, now time.Time) events.Payload {
	return events.Payload{MemberID: member, PostID: post, CommentID: comment, TargetMemberID: target,
		MemberActivityType: t, CreatedAt: now}
}
