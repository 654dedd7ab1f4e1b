package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/errcode"
	"github.com/dailyfeed/dailyfeed/minio"
)

// Limiter bounds the decodes of one process: a decode holds memory and CPU
// in proportion to the pixels (the largest accepted image decodes to
// hundreds of MB in seconds), so a process runs at most n at once. A
// decode past the bound waits at most the given time for a slot, then is
// refused with 429 IMAGE_DECODER_BUSY, which the event delivery retries
// with backoff.
type Limiter struct{ slots chan struct{} }

// NewLimiter returns a limiter of n concurrent decodes (at least 1).
func NewLimiter(n int) *Limiter { return &Limiter{slots: make(chan struct{}, max(n, 1))} }

// Acquire takes a slot, waiting at most wait; the caller calls release.
func (l *Limiter) Acquire(ctx context.Context, wait time.Duration) (release func(), err error) {
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots }, nil
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case l.slots <- struct{}{}:
		return func() { <-l.slots }, nil
	case <-t.C:
		return nil, errcode.Errorf(DecoderBusy, "%d image decodes are running; try again later", cap(l.slots))
	case <-ctx.Done():
		return nil, errcode.Wrap(DecoderBusy, "no decode slot before the request ended", ctx.Err())
	}
}

// ThumbnailOutcome is what MakeThumbnail did.
type ThumbnailOutcome string

const (
	ThumbnailMade    ThumbnailOutcome = "made"
	ThumbnailAlready ThumbnailOutcome = "already" // not pending: done, removed or deleted before
	ThumbnailGone    ThumbnailOutcome = "gone"    // neither row nor original: a failed upload
	ImageInvalidated ThumbnailOutcome = "invalidated"
)

// MakeThumbnail makes the thumbnail of the pending image id, decoding its
// stored original under lim (at most s.Opts.DecodeWait for a slot). A file
// that cannot be decoded (a valid header over a corrupt body, a header
// that lies about its size) is removed from the store and its row marked
// invalid, which views answer with 410 IMAGE_REMOVED. It is idempotent:
// an image that is not pending is left as it is.
//
// An original whose row is not there yet (the notification can outrun the
// upload's commit) is a retryable error; an id with neither row nor object
// (an upload that failed and cleaned up) is done.
func (s *Service) MakeThumbnail(ctx context.Context, id string, lim *Limiter) (ThumbnailOutcome, error) {
	img, ok, err := findImage(ctx, s.DB, id)
	if err != nil {
		return "", err
	}
	if !ok {
		deleted, err := s.deleted(ctx, id)
		if err != nil {
			return "", err
		}
		if deleted {
			return ThumbnailAlready, nil
		}
		if _, err := s.Store.Head(ctx, OriginalKey(id)); errors.Is(err, minio.ErrNotFound) {
			return ThumbnailGone, nil
		} else if err != nil {
			return "", errcode.Wrap(errcode.Unavailable, "the image store is unavailable", err)
		}
		return "", errcode.Errorf(errcode.Unavailable, "image %s is stored but not recorded yet", id)
	}
	if img.Status != StatusPending {
		return ThumbnailAlready, nil
	}
	release, err := lim.Acquire(ctx, s.Opts.DecodeWait)
	if err != nil {
		return "", err
	}
	defer release()
	data, err := s.readOriginal(ctx, img)
	if errors.Is(err, minio.ErrNotFound) {
		// Recorded but its bytes are gone: nothing to show either.
		return ImageInvalidated, s.invalidate(ctx, img, "the original is missing")
	}
	if err != nil {
		return "", err
	}
	began := time.Now()
	thumb, err := Thumbnail(data, s.Opts)
	if s.Processed != nil {
		s.Processed(processedOutcome(err), time.Since(began))
	}
	if err != nil {
		if errcode.Retryable(err) || errcode.Of(err) == errcode.Internal {
			return "", err
		}
		slog.WarnContext(ctx, "image cannot be decoded: removed", "image", id, "err", err)
		return ImageInvalidated, s.invalidate(ctx, img, errcode.MessageOf(err))
	}
	if err := s.Store.Put(ctx, img.ThumbKey, thumb.Data, minio.Object{ContentType: thumb.ContentType, CacheControl: CacheControl}); err != nil {
		return "", errcode.Wrap(errcode.Unavailable, "the image store is unavailable", err)
	}
	ok, err = markReady(ctx, s.DB, id, thumb)
	if err != nil {
		return "", err
	}
	if !ok {
		// Deleted (or removed) while the thumbnail was made: leave no
		// orphan behind.
		s.removeObjects(ctx, Image{ID: id, Key: img.ThumbKey, ThumbKey: img.ThumbKey})
		return ThumbnailAlready, nil
	}
	return ThumbnailMade, nil
}

// processedOutcome names the outcome of a decode for the metrics: a file
// that cannot be decoded is invalidated, a retryable or internal error
// failed.
func processedOutcome(err error) string {
	switch {
	case err == nil:
		return string(ThumbnailMade)
	case errcode.Retryable(err) || errcode.Of(err) == errcode.Internal:
		return "failed"
	}
	return string(ImageInvalidated)
}

// deleted reports whether image id has a row that is deleted.
func (s *Service) deleted(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM images WHERE id = $1`, id).Scan(&n); err != nil {
		return false, fmt.Errorf("find image: %w", err)
	}
	return n > 0, nil
}

// readOriginal reads the stored original, at most MaxBytes.
func (s *Service) readOriginal(ctx context.Context, img Image) ([]byte, error) {
	body, _, err := s.Store.Get(ctx, img.Key)
	if err != nil {
		if errors.Is(err, minio.ErrNotFound) {
			return nil, err
		}
		return nil, errcode.Wrap(errcode.Unavailable, "the image store is unavailable", err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, s.Opts.MaxBytes+1))
	if err != nil {
		return nil, errcode.Wrap(errcode.Unavailable, "read image from the store", err)
	}
	return data, nil
}

// invalidate removes an undecodable image: its row is marked invalid (the
// member's avatar or cover pointing at it is cleared) and its objects
// deleted, in one transaction holding the row, so a failure is retried.
func (s *Service) invalidate(ctx context.Context, img Image, reason string) error {
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	ok, err := markInvalid(ctx, tx, img.ID, reason)
	if err != nil || !ok {
		return err
	}
	if err := clearImages(ctx, tx, img.MemberID, []string{img.ID}, s.Now()); err != nil {
		return err
	}
	if err := s.Store.Delete(ctx, img.Key, img.ThumbKey); err != nil {
		return errcode.Wrap(errcode.Unavailable, "the image store is unavailable", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
