package image

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Image is the record of a stored image.
type Image struct {
	ID               string
	MemberID         int64
	Source           Format
	ContentType      string
	Bytes            int64
	Width            int
	Height           int
	SHA256           string
	Key              string
	ThumbKey         string
	ThumbContentType string
	ThumbBytes       int64
	ThumbSHA256      string
	// Status is pending until the thumbnailer made the thumbnail (ready)
	// or removed a file it could not decode (invalid).
	Status    Status
	CreatedAt time.Time
}

// Status is the state of an image's thumbnail.
type Status string

const (
	StatusPending Status = "pending"
	StatusReady   Status = "ready"
	StatusInvalid Status = "invalid"
)

// Variant is one servable object of an image.
type Variant struct {
	Key         string
	ContentType string
	Bytes       int64
	// ETag is a strong entity tag: the image's bytes never change.
	ETag string
}

// Variant returns the image or its thumbnail. A thumbnail not made yet is
// the original.
func (i Image) Variant(thumb bool) Variant {
	if thumb && i.Status == StatusReady {
		return Variant{Key: i.ThumbKey, ContentType: i.ThumbContentType, Bytes: i.ThumbBytes, ETag: etag(i.ThumbSHA256)}
	}
	return Variant{Key: i.Key, ContentType: i.ContentType, Bytes: i.Bytes, ETag: etag(i.SHA256)}
}

func etag(sha string) string { return `"` + sha[:min(len(sha), 32)] + `"` }

// insertColumns are those of a new row: its thumbnail comes later.
const insertColumns = `id, member_id, source_format, content_type, bytes, width, height, sha256,
	original_key, thumb_key, status, created_at`

const selectColumns = `id, member_id, source_format, content_type, bytes, width, height, sha256,
	original_key, thumb_key, COALESCE(thumb_content_type, ''), COALESCE(thumb_bytes, 0),
	COALESCE(thumb_sha256, ''), status, created_at`

func scanImage(row pgx.Row) (Image, error) {
	var i Image
	err := row.Scan(&i.ID, &i.MemberID, &i.Source, &i.ContentType, &i.Bytes, &i.Width, &i.Height, &i.SHA256,
		&i.Key, &i.ThumbKey, &i.ThumbContentType, &i.ThumbBytes, &i.ThumbSHA256, &i.Status, &i.CreatedAt)
	return i, err
}

func insertImage(ctx context.Context, db postgres.DB, i Image) error {
	_, err := db.Exec(ctx, `INSERT INTO images (`+insertColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		i.ID, i.MemberID, i.Source, i.ContentType, i.Bytes, i.Width, i.Height, i.SHA256,
		i.Key, i.ThumbKey, i.Status, i.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert image: %w", err)
	}
	return nil
}

// findImage returns the image id unless it is missing or deleted.
func findImage(ctx context.Context, db postgres.DB, id string) (Image, bool, error) {
	i, err := scanImage(db.QueryRow(ctx, `SELECT `+selectColumns+` FROM images WHERE id = $1 AND deleted_at IS NULL`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return Image{}, false, nil
	}
	if err != nil {
		return Image{}, false, fmt.Errorf("select image: %w", err)
	}
	return i, true, nil
}

// lockImages returns the images of ids that are not deleted, locked for
// update.
func lockImages(ctx context.Context, db postgres.DB, ids []string) ([]Image, error) {
	rows, err := db.Query(ctx, `SELECT `+selectColumns+` FROM images
		WHERE id = ANY($1) AND deleted_at IS NULL ORDER BY id FOR UPDATE`, ids)
	if err != nil {
		return nil, fmt.Errorf("lock images: %w", err)
	}
	images, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Image, error) { return scanImage(r) })
	if err != nil {
		return nil, fmt.Errorf("lock images: %w", err)
	}
	return images, nil
}

func markDeleted(ctx context.Context, db postgres.DB, ids []string, now time.Time) error {
	if _, err := db.Exec(ctx, `UPDATE images SET deleted_at = $2 WHERE id = ANY($1) AND deleted_at IS NULL`, ids, now); err != nil {
		return fmt.Errorf("mark images deleted: %w", err)
	}
	return nil
}

// setAvatar makes image the avatar of member; false when there is no such
// active member.
func setAvatar(ctx context.Context, db postgres.DB, member int64, image string, now time.Time) (bool, error) {
	tag, err := db.Exec(ctx, `UPDATE members SET avatar_image_id = $2, avatar_url = NULL, updated_at = $3
		WHERE id = $1 AND status = 'ACTIVE'`, member, image, now)
	if err != nil {
		return false, fmt.Errorf("set avatar: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// clearImages removes deleted images from member's avatar and cover.
func clearImages(ctx context.Context, db postgres.DB, member int64, ids []string, now time.Time) error {
	_, err := db.Exec(ctx, `UPDATE members SET
			avatar_url      = CASE WHEN avatar_image_id = ANY($2) THEN NULL ELSE avatar_url END,
			avatar_image_id = CASE WHEN avatar_image_id = ANY($2) THEN NULL ELSE avatar_image_id END,
			cover_image_id  = CASE WHEN cover_image_id  = ANY($2) THEN NULL ELSE cover_image_id END,
			updated_at = $3
		WHERE id = $1 AND (avatar_image_id = ANY($2) OR cover_image_id = ANY($2))`, member, ids, now)
	if err != nil {
		return fmt.Errorf("clear member images: %w", err)
	}
	return nil
}

// markReady records the thumbnail of a pending image; false when the image
// is not pending (already done, invalid or deleted).
func markReady(ctx context.Context, db postgres.DB, id string, t Rendition) (bool, error) {
	tag, err := db.Exec(ctx, `UPDATE images SET status = 'ready', thumb_content_type = $2, thumb_bytes = $3, thumb_sha256 = $4
		WHERE id = $1 AND status = 'pending' AND deleted_at IS NULL`, id, t.ContentType, int64(len(t.Data)), t.SHA256)
	if err != nil {
		return false, fmt.Errorf("mark image ready: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// markInvalid records that an image could not be decoded; false when it is
// not pending.
func markInvalid(ctx context.Context, db postgres.DB, id, reason string) (bool, error) {
	tag, err := db.Exec(ctx, `UPDATE images SET status = 'invalid', invalid_reason = $2
		WHERE id = $1 AND status = 'pending' AND deleted_at IS NULL`, id, reason)
	if err != nil {
		return false, fmt.Errorf("mark image invalid: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}
