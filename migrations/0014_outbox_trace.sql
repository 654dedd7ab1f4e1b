-- The W3C trace context of the write that added an outbox row
-- (internal/tracing): the dispatcher and the relay publish the event in the
-- write's trace, whenever they run, and the published event carries the
-- publish span's context in its distributed-tracing extension (traceparent,
-- the Kafka header ce_traceparent). NULL when the write was not traced.

ALTER TABLE outbox
    ADD COLUMN traceparent text,
    ADD COLUMN tracestate  text;
