-- Members and authentication.

CREATE TABLE members (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email             text        NOT NULL,
    password_hash     text        NOT NULL,
    member_name       text        NOT NULL,
    handle            text        NOT NULL,
    display_name      text,
    bio               text,
    avatar_image_id   text,
    cover_image_id    text,
    location          text,
    website_url       text,
    birth_date        date,
    gender            text,
    timezone          text,
    language_code     text,
    country_code      text,
    privacy_level     text        NOT NULL DEFAULT 'PUBLIC',
    followers_count   integer     NOT NULL DEFAULT 0 CHECK (followers_count >= 0),
    following_count   integer     NOT NULL DEFAULT 0 CHECK (following_count >= 0),
    status            text        NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DEACTIVATED')),
    -- Bumped by logout-all and deactivation: access tokens carry the
    -- generation they were issued in and older generations are rejected.
    token_generation  integer     NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deactivated_at    timestamptz
);

CREATE UNIQUE INDEX members_email_key ON members (lower(email));
CREATE UNIQUE INDEX members_handle_key ON members (lower(handle));
CREATE INDEX members_active_created_idx ON members (created_at DESC, id DESC) WHERE status = 'ACTIVE';
