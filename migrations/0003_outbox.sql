-- The transactional outbox (internal/outbox): every event is inserted here in
-- the transaction of the write that caused it, then published to Kafka after
-- commit (the dispatcher) or later (relay-outbox). A row is pending until
-- sent_at is set.
--
-- The topic is not stored: an event goes to the dated topic of the day it is
-- published on (consumers read yesterday's, today's and tomorrow's), so a
-- row relayed after midnight never targets a topic that is being rotated out.

CREATE TABLE outbox (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- publish order
    event_id    text        NOT NULL UNIQUE,  -- the CloudEvent id
    event_type  text        NOT NULL,         -- the CloudEvent type, for operators
    message_key text        NOT NULL,         -- the Kafka message key (entity id)
    event       json        NOT NULL,         -- the whole CloudEvent, JSON format, verbatim
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    attempts    integer     NOT NULL DEFAULT 0,
    last_error  text
);

-- Pending rows, oldest first (the relay's scan), and per key (the ordering
-- check: is an older event of this key still pending?). Both stay small:
-- rows leave them once sent.
CREATE INDEX outbox_pending_idx ON outbox (id) WHERE sent_at IS NULL;
CREATE INDEX outbox_pending_key_idx ON outbox (message_key, id) WHERE sent_at IS NULL;

-- Cleanup of sent rows past the retention.
CREATE INDEX outbox_sent_at_idx ON outbox (sent_at) WHERE sent_at IS NOT NULL;
