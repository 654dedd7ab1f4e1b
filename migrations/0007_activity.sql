-- The activity log (internal/activity, record-activity, activity-feed,
-- my-activities) and the dead letters (internal/deadletter,
-- store-dead-letter, replay-dead-letters).
--
-- An activity row is one member activity event. Its unique key is the
-- CloudEvent id: minted once at the edge, kept by the outbox, so every
-- re-delivery and re-publish of one occurrence carries it, and two
-- occurrences never share it. The original's dedup key is stored too (and
-- is the Redis pre-check's key), but it is not unique per occurrence:
-- like → cancel → like repeats LIKE_POST###{postId}###{memberId}, and the
-- second like is an activity of its own.

CREATE TABLE activities (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id          text        NOT NULL,
    dedup_key         text        NOT NULL,
    member_id         bigint      NOT NULL, -- who acted
    activity_type     text        NOT NULL, -- POST_CREATE, LIKE_POST, ...
    post_id           bigint,
    comment_id        bigint,
    target_member_id  bigint      NOT NULL, -- the author of the target, or the followed member
    created_at        timestamptz NOT NULL, -- when the member acted (the event's createdAt)
    updated_at        timestamptz NOT NULL, -- when the row was recorded
    CONSTRAINT activities_event_key UNIQUE (event_id)
);

-- A member's activities, newest first (my-activities, and activity-feed
-- per followed member), keyset-paginated on (created_at, id).
CREATE INDEX activities_member_idx ON activities (member_id, created_at DESC, id DESC);
-- Operators look activities up by the original's key.
CREATE INDEX activities_dedup_key_idx ON activities (dedup_key);

-- Events a KafkaSource could not deliver, whole: the CloudEvent in JSON
-- format exactly as the dead-letter sink received it (every attribute and
-- extension, the data), plus which sink refused it and why (Knative's
-- knativeerrordest / knativeerrorcode / knativeerrordata). A redelivered
-- dead letter (the same event failing for the same sink again) is one row.
CREATE TABLE dead_letters (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id     text        NOT NULL,
    event_type   text        NOT NULL,
    event_source text        NOT NULL,
    sink         text        NOT NULL, -- the function that refused it, e.g. record-activity
    sink_url     text        NOT NULL, -- knativeerrordest, where it was POSTed
    error_code   integer,              -- the sink's last HTTP status; NULL when it never answered
    error_data   text,                 -- the sink's answer (or the transport error), decoded
    event        json        NOT NULL, -- the whole CloudEvent, JSON format, verbatim
    attempts     integer     NOT NULL DEFAULT 1, -- times it was dead-lettered
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    replayed_at  timestamptz,          -- the last successful replay
    replay_error text,                 -- the last failed replay's reason
    CONSTRAINT dead_letters_event_sink_key UNIQUE (event_id, sink)
);

-- Waiting dead letters per sink, oldest first (replay by sink, all).
CREATE INDEX dead_letters_waiting_idx ON dead_letters (sink, id) WHERE replayed_at IS NULL;
