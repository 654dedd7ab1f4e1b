package search

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// BoundsTTL is how long Bounds keeps a table's window bounds.
const BoundsTTL = 2 * time.Second

// farPast and farFuture are before and after every row: the open ends of
// the first and the last window.
var (
	farPast   = time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC)
	farFuture = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
)

// Bounds keeps the bounds of each table's search windows for BoundsTTL,
// so that a search under load reads its matches, not the bounds again.
// The bounds only size the windows: the first window is open towards the
// future and the last towards the past, so a search with bounds a few
// seconds old still reads every row (posts written since are in the
// first window, rows older than the oldest it knew in the last). An empty
// table is never kept, so the first post is found at once. The zero value
// is ready; a nil *Bounds reads the bounds at every search.
type Bounds struct {
	mu     sync.Mutex
	tables map[string]bounds
}

// bounds are the windows' bounds of one table.
type bounds struct {
	empty  bool          // no live rows
	small  bool          // fewer live rows than the first window holds: one window
	edge   time.Time     // the lower bound of the first window
	span   time.Duration // how far the first window reaches back from the newest row
	oldest time.Time     // the oldest live row
	read   time.Time     // when they were read
}

// of returns the bounds of table t for a first window of first rows.
func (c *Bounds) of(ctx context.Context, db postgres.DB, t table, first int) (bounds, error) {
	key := fmt.Sprint(t.bounds, first)
	if c != nil {
		c.mu.Lock()
		b, ok := c.tables[key]
		c.mu.Unlock()
		if ok && time.Since(b.read) < BoundsTTL {
			return b, nil
		}
	}
	b := bounds{read: time.Now()}
	var newest, edge, oldest *time.Time
	if err := db.QueryRow(ctx, t.bounds, first).Scan(&newest, &edge, &oldest); err != nil {
		return bounds{}, fmt.Errorf("search bounds: %w", err)
	}
	switch {
	case newest == nil:
		return bounds{empty: true}, nil // not kept
	case edge == nil:
		b.small = true
	default:
		b.edge, b.span = *edge, max(newest.Sub(*edge), time.Millisecond)
	}
	b.oldest = *oldest
	if c != nil {
		c.mu.Lock()
		if c.tables == nil {
			c.tables = map[string]bounds{}
		}
		c.tables[key] = b
		c.mu.Unlock()
	}
	return b, nil
}
