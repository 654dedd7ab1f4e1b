-- Thumbnails are made off the request path (thumbnail-image, fed by the
-- object store's bucket notifications): an upload stores its original and a
-- row in state 'pending'; the thumbnailer adds the thumbnail and makes it
-- 'ready', or removes a file it cannot decode and makes it 'invalid'.
-- Rows from before are 'ready' (they have their thumbnail).

ALTER TABLE images
    ALTER COLUMN thumb_content_type DROP NOT NULL,
    ALTER COLUMN thumb_bytes DROP NOT NULL,
    ALTER COLUMN thumb_sha256 DROP NOT NULL,
    ADD COLUMN status text NOT NULL DEFAULT 'ready' CHECK (status IN ('pending', 'ready', 'invalid')),
    ADD COLUMN invalid_reason text,
    ADD CONSTRAINT images_ready_has_thumb CHECK (status <> 'ready' OR thumb_bytes IS NOT NULL);
