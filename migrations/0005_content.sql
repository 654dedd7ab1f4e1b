-- Posts, comments and replies, likes and follows (internal/content,
-- internal/follow). Every count column is a true count, kept in the
-- transaction of the write that changes it (UPDATE ... SET n = n + 1 on the
-- locked row); the unique keys of the like and follow rows decide
-- duplicates, never a pre-check.
--
-- Deletes are soft (deleted_at). Deleting a post soft-deletes its comments
-- in the same transaction; its counts stay as they were at deletion. A
-- deleted comment takes its whole subtree of replies with it.
--
-- Lock order, to keep concurrent writes free of deadlocks: a post row before
-- its comment rows; member rows in ascending id order.

CREATE TABLE posts (
    id             bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    author_id      bigint      NOT NULL REFERENCES members (id), -- the MEMBER id (the original stored a profile id)
    title          text,
    content        text        NOT NULL,
    view_count     bigint      NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    like_count     bigint      NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    comment_count  bigint      NOT NULL DEFAULT 0 CHECK (comment_count >= 0), -- live comments and replies
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    -- The time of the latest comment or like (recent-activity-posts), the
    -- creation time until then.
    activity_at    timestamptz NOT NULL,
    deleted_at     timestamptz
);

-- An author's posts, newest first (my-feed, author-posts, follow-feed
-- rebuilds), keyset-paginated on (created_at, id).
CREATE INDEX posts_author_idx ON posts (author_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
-- Every live post, newest first.
CREATE INDEX posts_created_idx ON posts (created_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE comments (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id       bigint      NOT NULL REFERENCES posts (id),
    parent_id     bigint      REFERENCES comments (id), -- NULL for a top-level comment
    depth         smallint    NOT NULL CHECK (depth BETWEEN 0 AND 2), -- 0 top level, 2 the deepest reply
    author_id     bigint      NOT NULL REFERENCES members (id),
    content       text        NOT NULL,
    like_count    bigint      NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    reply_count   bigint      NOT NULL DEFAULT 0 CHECK (reply_count >= 0), -- live direct replies
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    deleted_at    timestamptz,
    CHECK ((parent_id IS NULL) = (depth = 0))
);

-- A post's top-level comments, oldest first (post-comments).
CREATE INDEX comments_post_idx ON comments (post_id, created_at, id) WHERE parent_id IS NULL AND deleted_at IS NULL;
-- A comment's replies, oldest first (comment-replies; the subtree walk of
-- delete-comment, which also looks at deleted rows).
CREATE INDEX comments_parent_idx ON comments (parent_id, created_at, id) WHERE parent_id IS NOT NULL;
-- Every comment of a post (delete-post).
CREATE INDEX comments_post_all_idx ON comments (post_id) WHERE deleted_at IS NULL;
-- A member's comments, newest first (member-comments).
CREATE INDEX comments_author_idx ON comments (author_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;

CREATE TABLE post_likes (
    post_id     bigint      NOT NULL REFERENCES posts (id),
    member_id   bigint      NOT NULL REFERENCES members (id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (post_id, member_id)
);

-- "liked" of a member over many posts, and a member's likes.
CREATE INDEX post_likes_member_idx ON post_likes (member_id, post_id);

CREATE TABLE comment_likes (
    comment_id  bigint      NOT NULL REFERENCES comments (id),
    member_id   bigint      NOT NULL REFERENCES members (id),
    created_at  timestamptz NOT NULL,
    PRIMARY KEY (comment_id, member_id)
);

CREATE INDEX comment_likes_member_idx ON comment_likes (member_id, comment_id);

CREATE TABLE follows (
    follower_id  bigint      NOT NULL REFERENCES members (id),
    followee_id  bigint      NOT NULL REFERENCES members (id),
    created_at   timestamptz NOT NULL,
    PRIMARY KEY (follower_id, followee_id),
    CHECK (follower_id <> followee_id)
);

-- Whom a member follows, newest first (followings, follow-feed).
CREATE INDEX follows_follower_idx ON follows (follower_id, created_at DESC, followee_id DESC);
-- Who follows a member, newest first (followers, fanout-feed).
CREATE INDEX follows_followee_idx ON follows (followee_id, created_at DESC, follower_id DESC);
