-- The read side (internal/timeline, internal/ranking, internal/follow
-- lists): what the timeline reads and the update-stats sink need beyond the
-- write side's tables.

-- Events a sink has applied, keyed by the CloudEvent id (unique per
-- occurrence, stable across re-deliveries). update-stats inserts the row in
-- the transaction of the counter it moves (view_count), so a re-delivered
-- event never counts twice; Redis holds the same keys as a fast pre-check.
-- Rows older than the topics' retention can no longer be re-delivered and
-- are deleted by the sink itself.
CREATE TABLE processed_events (
    consumer      text        NOT NULL, -- the sink, e.g. 'update-stats'
    event_id      text        NOT NULL, -- the CloudEvent id
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

CREATE INDEX processed_events_at_idx ON processed_events (processed_at);

-- recent-activity-posts: live posts by the time of their latest comment or
-- like, newest first.
CREATE INDEX posts_activity_idx ON posts (activity_at DESC, id DESC) WHERE deleted_at IS NULL;

-- most-commented-posts when Redis is empty: live posts by comment count.
CREATE INDEX posts_comment_count_idx ON posts (comment_count DESC, id DESC) WHERE deleted_at IS NULL;

-- The follow feed's read-time merge: which of a member's followees have at
-- least the merge threshold of followers (few do; the index answers "none"
-- at once instead of a scan of members).
CREATE INDEX members_followers_count_idx ON members (followers_count);
