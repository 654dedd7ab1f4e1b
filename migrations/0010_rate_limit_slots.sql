-- Attempt counters of the login guard (internal/ratelimit) while Redis does
-- not answer: one row per guarded key (the SHA-256 of its Redis key), its
-- count within a fixed window that starts at the key's first attempt. Each
-- attempt takes its slot with one atomic upsert before it is checked, so the
-- guard holds without Redis. rotate-keys purges ended windows daily.
CREATE TABLE rate_limit_slots (
    key             text        PRIMARY KEY,
    count           bigint      NOT NULL CHECK (count > 0),
    window_ends_at  timestamptz NOT NULL
);
