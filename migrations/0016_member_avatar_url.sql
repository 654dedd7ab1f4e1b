-- A profile saved with avatarUrl keeps the form the client gave (the
-- original's frontend saves /api/proxy/images/view/{id} and puts the value
-- straight into <img src>); avatar_image_id stays the image it names (the
-- member's own). NULL: the canonical /api/images/view/{id}.

ALTER TABLE members ADD COLUMN avatar_url text;
