-- Uploaded images. The bytes live in the object store under original_key
-- and thumb_key; a row records who owns them and what they are. view-image
-- reads a row by id; delete-images soft-deletes rows after removing the
-- objects.

CREATE TABLE images (
    id                  text        PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{22}$'),
    member_id           bigint      NOT NULL,
    source_format       text        NOT NULL CHECK (source_format IN ('jpeg', 'png', 'gif', 'webp', 'bmp')),
    content_type        text        NOT NULL,
    bytes               bigint      NOT NULL CHECK (bytes > 0),
    width               integer     NOT NULL CHECK (width > 0),
    height              integer     NOT NULL CHECK (height > 0),
    sha256              text        NOT NULL,
    original_key        text        NOT NULL,
    thumb_key           text        NOT NULL,
    thumb_content_type  text        NOT NULL,
    thumb_bytes         bigint      NOT NULL CHECK (thumb_bytes > 0),
    thumb_sha256        text        NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz
);

CREATE INDEX images_member_idx ON images (member_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
