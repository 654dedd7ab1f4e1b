-- Dead letters keep any record, not only valid CloudEvents: the data byte
-- for byte (invalid JSON, binary, empty, huge), the Kafka coordinates of
-- the record, and whether the delivery parked it itself because the
-- dead-letter sink did not take it (the partition moved on).
ALTER TABLE dead_letters
    ADD COLUMN data            bytea,                        -- the event's data, verbatim; NULL for rows kept before (data inside event)
    ADD COLUMN cloud_event     boolean NOT NULL DEFAULT true, -- false: the record was never a CloudEvent (shown, never replayed)
    ADD COLUMN kafka_topic     text,
    ADD COLUMN kafka_partition integer,
    ADD COLUMN kafka_offset    bigint,
    ADD COLUMN kafka_key       bytea,
    ADD COLUMN kafka_headers   json,                          -- headers of a record that was no CloudEvent: [[name, value], ...], both base64
    ADD COLUMN parked_reason   text;                          -- set when the delivery parked it: why the dead-letter sink did not take it

-- One row per record and sink when the record's coordinates are known (a
-- redelivery of the same record counts an attempt), else per CloudEvent
-- identity (source, id) and sink.
ALTER TABLE dead_letters DROP CONSTRAINT dead_letters_event_sink_key;
CREATE UNIQUE INDEX dead_letters_record_key ON dead_letters (kafka_topic, kafka_partition, kafka_offset, sink)
    WHERE kafka_topic IS NOT NULL;
CREATE UNIQUE INDEX dead_letters_event_key ON dead_letters (event_source, event_id, sink)
    WHERE kafka_topic IS NULL;
