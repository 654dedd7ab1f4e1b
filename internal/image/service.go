package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/minio"
)

// Service stores, serves and deletes images.
type Service struct {
	DB    *pgxpool.Pool
	Store *minio.Store
	Opts  Options
	Now   func() time.Time
	// Processed is told how long each decode and thumbnail took and its
	// outcome ("made", "invalidated", "failed"); nil tells nobody.
	Processed func(outcome string, took time.Duration)
}

// NewService returns the image service over db and the bucket store, with
// the clock now; zero fields of opts take their defaults.
func NewService(db *pgxpool.Pool, store *minio.Store, opts Options, now func() time.Time) *Service {
	return &Service{DB: db, Store: store, Opts: opts.withDefaults(), Now: now}
}

// Upload checks an uploaded file of member (Inspect: magic bytes,
// dimensions from the header, metadata stripped without re-encoding) and
// stores it: the original first, then the row, pending its thumbnail (and,
// for a profile picture, the member's avatar) in one transaction. When the
// transaction fails the object is removed again. The thumbnail is made
// later by the thumbnail-image function, which the object store's bucket
// notification of the new original triggers.
func (s *Service) Upload(ctx context.Context, member int64, data []byte, avatar bool) (Image, error) {
	in, err := Inspect(data, s.Opts)
	if err != nil {
		return Image{}, err
	}
	id := NewID()
	img := Image{
		ID: id, MemberID: member, Source: in.Format,
		ContentType: in.ContentType, Bytes: int64(len(in.Data)),
		Width: in.Width, Height: in.Height, SHA256: in.SHA256,
		Key: OriginalKey(id), ThumbKey: ThumbKey(id), Status: StatusPending,
		CreatedAt: s.Now().UTC().Truncate(time.Microsecond),
	}
	if err := s.Store.Put(ctx, img.Key, in.Data, minio.Object{ContentType: in.ContentType, CacheControl: CacheControl}); err != nil {
		s.removeObjects(ctx, img)
		return Image{}, errcode.Wrap(errcode.Unavailable, "the image store is unavailable", err)
	}
	if err := s.record(ctx, img, avatar); err != nil {
		s.removeObjects(ctx, img)
		return Image{}, err
	}
	return img, nil
}

// OriginalKey and ThumbKey are the object keys of an image id.
func OriginalKey(id string) string { return "images/" + id + "/original" }
func ThumbKey(id string) string    { return "images/" + id + "/thumb" }

func (s *Service) record(ctx context.Context, img Image, avatar bool) error {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	if err := insertImage(ctx, tx, img); err != nil {
		return err
	}
	if avatar {
		ok, err := setAvatar(ctx, tx, img.MemberID, img.ID, img.CreatedAt)
		if err != nil {
			return err
		}
		if !ok {
			return errcode.New(errcode.MemberNotFound, "member not found")
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// removeObjects deletes an image's objects after a failed upload, even when
// ctx is already cancelled; a failure only leaves an orphan, so it is logged.
func (s *Service) removeObjects(ctx context.Context, img Image) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.Store.Delete(ctx, img.Key, img.ThumbKey); err != nil {
		slog.WarnContext(ctx, "orphaned image objects", "image", img.ID, "err", err)
	}
}

// Get returns the image id; IMAGE_NOT_FOUND when it is missing or deleted,
// IMAGE_REMOVED (410) when the thumbnailer found it undecodable and
// removed it.
func (s *Service) Get(ctx context.Context, id string) (Image, error) {
	img, ok, err := findImage(ctx, s.DB, id)
	if err != nil {
		return Image{}, err
	}
	if !ok {
		return Image{}, errcode.New(NotFound, "image not found")
	}
	if img.Status == StatusInvalid {
		return Image{}, errcode.New(Removed, "image was removed: it could not be decoded")
	}
	return img, nil
}

// Open returns the bytes of a variant; the caller closes them.
func (s *Service) Open(ctx context.Context, v Variant) (io.ReadCloser, error) {
	body, _, err := s.Store.Get(ctx, v.Key)
	if errors.Is(err, minio.ErrNotFound) {
		return nil, errcode.New(NotFound, "image not found")
	}
	if err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, "the image store is unavailable", err)
	}
	return body, nil
}

// PresignURL returns a short-lived URL of a variant in the object store.
func (s *Service) PresignURL(ctx context.Context, v Variant) (string, error) {
	u, err := s.Store.PresignGet(ctx, v.Key, s.Opts.PresignTTL)
	if err != nil {
		return "", errcode.Wrap(errcode.Internal, "presign image", err)
	}
	return u, nil
}

// MaxDelete bounds the images of one delete request.
const MaxDelete = 100

// Deleted is the outcome of a delete request, each list in request order.
type Deleted struct {
	Deleted  []string `json:"deleted"`
	NotOwned []string `json:"notOwned"`
	NotFound []string `json:"notFound"`
}

// Delete deletes those of ids that member owns: their objects are removed
// from the bucket and their rows marked deleted (a member's avatar or cover
// pointing at one is cleared), in one transaction holding the rows locked,
// so a failure can be retried. Images of others are left untouched and
// reported as not owned; missing or already deleted ones as not found.
func (s *Service) Delete(ctx context.Context, member int64, ids []string) (Deleted, error) {
	ids = uniq(ids)
	out := Deleted{Deleted: []string{}, NotOwned: []string{}, NotFound: []string{}}
	if len(ids) == 0 {
		return out, nil
	}
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return out, fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	found, err := lockImages(ctx, tx, ids)
	if err != nil {
		return out, err
	}
	owner := map[string]Image{}
	for _, img := range found {
		owner[img.ID] = img
	}
	var keys []string
	for _, id := range ids {
		img, ok := owner[id]
		switch {
		case !ok:
			out.NotFound = append(out.NotFound, id)
		case img.MemberID != member:
			out.NotOwned = append(out.NotOwned, id)
		default:
			out.Deleted = append(out.Deleted, id)
			keys = append(keys, img.Key, img.ThumbKey)
		}
	}
	if len(out.Deleted) == 0 {
		return out, nil
	}
	now := s.Now()
	if err := markDeleted(ctx, tx, out.Deleted, now); err != nil {
		return out, err
	}
	if err := clearImages(ctx, tx, member, out.Deleted, now); err != nil {
		return out, err
	}
	if err := s.Store.Delete(ctx, keys...); err != nil {
		return out, errcode.Wrap(errcode.Unavailable, "the image store is unavailable", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return out, fmt.Errorf("commit: %w", err)
	}
	return out, nil
}

func uniq(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
