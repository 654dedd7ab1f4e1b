-- Token signing keys, refresh tokens and revoked access tokens.

-- Ed25519 signing keys. The newest key whose replaced_at is NULL is the
-- primary and signs new tokens; a replaced key still verifies until
-- replaced_at + JWT_KEY_GRACE, after which rotate-keys retires it.
--
-- private_key is the 32-byte Ed25519 seed and is a secret: it is never logged,
-- and it is wiped when the key is replaced (a replaced key only verifies).
-- Production should store it wrapped (envelope-encrypted) with a KMS key
-- instead of in clear.
CREATE TABLE signing_keys (
    kid          text        PRIMARY KEY,
    private_key  bytea       NOT NULL,
    public_key   bytea       NOT NULL CHECK (length(public_key) = 32),
    created_at   timestamptz NOT NULL,
    replaced_at  timestamptz,
    retired_at   timestamptz
);

-- At most one primary key: lazy creation on a fresh database is race-safe.
CREATE UNIQUE INDEX signing_keys_one_primary ON signing_keys ((true)) WHERE replaced_at IS NULL;

-- Opaque refresh tokens, stored as the SHA-256 of the token. A token is
-- rotated on every use; presenting a rotated or revoked token revokes its
-- whole family (every token descending from one login).
CREATE TABLE refresh_tokens (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash  bytea       NOT NULL UNIQUE,
    family_id   uuid        NOT NULL,
    member_id   bigint      NOT NULL REFERENCES members (id),
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    rotated_at  timestamptz,
    revoked_at  timestamptz
);

CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_member_live_idx ON refresh_tokens (member_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at);

-- Access tokens revoked by logout before they expire: the source of truth of
-- the Redis blacklist, and its fallback when Redis is down.
CREATE TABLE revoked_tokens (
    jti         text        PRIMARY KEY,
    member_id   bigint      NOT NULL,
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz NOT NULL
);

CREATE INDEX revoked_tokens_expires_idx ON revoked_tokens (expires_at);
