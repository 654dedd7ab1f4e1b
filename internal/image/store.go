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
	CreatedAt        time.Time
}

// Variant is one servable object of an image.
type Variant struct {
	Key         string
	ContentType string
	Bytes       int64
	// ETag is a strong entity tag: the image's bytes never change.
	ETag string
}

// Variant returns the image or its thumbnail.
func (i Image) Variant(thumb bool) Variant {
	if thumb {
		return Variant{Key: i.ThumbKey, ContentType: i.ThumbContentType, Bytes: i.ThumbBytes, ETag: etag(i.ThumbSHA256)}
	}
	return Variant{Key: i.Key, ContentType: i.ContentType, Bytes: i.Bytes, ETag: etag(i.SHA256)}
}

func etag(sha string) string { return `"` + sha[:min(len(sha), 32)] + `"` }

const imageColumns = `id, member_id, source_format, content_type, bytes, width, height, sha256,
	original_key, thumb_key, thumb_content_type, thumb_bytes, thumb_sha256, created_at`

func scanImage(row pgx.Row) (Image, error) {
	var i Image
	err := row.Scan(&i.ID, &i.MemberID, &i.Source, &i.ContentType, &i.Bytes, &i.Width, &i.Height, &i.SHA256,
		&i.Key, &i.ThumbKey, &i.ThumbContentType, &i.ThumbBytes, &i.ThumbSHA256, &i.CreatedAt)
	return i, err
}

func insertImage(ctx context.Context, db postgres.DB, i Image) error {
	_, err := db.Exec(ctx, `INSERT INTO images (`+imageColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		i.ID, i.MemberID, i.Source, i.ContentType, i.Bytes, i.Width, i.Height, i.SHA256,
		i.Key, i.ThumbKey, i.ThumbContentType, i.ThumbBytes, i.ThumbSHA256, i.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert image: %w", err)
	}
	return nil
}

// findImage returns the image id unless it is missing or deleted.
func findImage(ctx context.Context, db postgres.DB, id string) (Image, bool, error) {
	i, err := scanImage(db.QueryRow(ctx, `SELECT `+imageColumns+` FROM images WHERE id = $1 AND deleted_at IS NULL`, id))
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
	rows, err := db.Query(ctx, `SELECT `+imageColumns+` FROM images
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
	tag, err := db.Exec(ctx, `UPDATE members SET avatar_image_id = $2, updated_at = $3
		WHERE id = $1 AND status = 'ACTIVE'`, member, image, now)
	if err != nil {
		return false, fmt.Errorf("set avatar: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// clearImages removes deleted images from member's avatar and cover.
func clearImages(ctx context.Context, db postgres.DB, member int64, ids []string, now time.Time) error {
	_, err := db.Exec(ctx, `UPDATE members SET
			avatar_image_id = CASE WHEN avatar_image_id = ANY($2) THEN NULL ELSE avatar_image_id END,
			cover_image_id  = CASE WHEN cover_image_id  = ANY($2) THEN NULL ELSE cover_image_id END,
			updated_at = $3
		WHERE id = $1 AND (avatar_image_id = ANY($2) OR cover_image_id = ANY($2))`, member, ids, now)
	if err != nil {
		return fmt.Errorf("clear member images: %w", err)
	}
	return nil
}
