package rotatekeys

import (
	"context"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

func TestReceiveBeforeStart(t *testing.T) {
	if err := New().Receive(context.Background(), event.New()); err == nil {
		t.Error("Receive before Start succeeded")
	}
}

// TestReceiveMakesOnePrimary: a ping makes the first primary key; a second
// ping within JWT_KEY_ROTATION changes nothing (membertest's flow test
// follows a key through its whole rotation and grace).
func TestReceiveMakesOnePrimary(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	f := New()
	f.Share(s)
	ctx := context.Background()
	for range 2 {
		if err := f.Receive(ctx, event.New()); err != nil {
			t.Fatal(err)
		}
	}
	var keys, primaries int
	if err := s.DB.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE replaced_at IS NULL) FROM signing_keys`).Scan(&keys, &primaries); err != nil {
		t.Fatal(err)
	}
	if keys != 1 || primaries != 1 {
		t.Errorf("%d keys, %d primary, want 1 and 1", keys, primaries)
	}
}
