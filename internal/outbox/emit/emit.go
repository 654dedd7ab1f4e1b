// Package emit runs a write together with the activity event it causes:
// the change and the event's outbox row commit in one PostgreSQL
// transaction, then the event is handed to the batched dispatcher, which
// publishes it to Kafka without the request waiting. It is the one place
// the content and follow writes do this, so none of them can forget the
// outbox or dispatch before commit.
//
// A write that fails (a coded 4xx, a database error) rolls back with its
// outbox row: no change, no event. A write that commits always has its
// event: when Kafka is down the row stays pending and relay-outbox
// publishes it later.
package emit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/outbox"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Writer runs event-emitting writes.
type Writer struct {
	DB *pgxpool.Pool
	// Outbox dispatches committed events; nil leaves them to the relay.
	Outbox *outbox.Outbox
	// Zone is the topic time zone (config.TopicTimeZone).
	Zone *time.Location
	// Source is the CloudEvent source of the events: the name of the
	// function that writes (e.g. "create-post").
	Source string
}

// Write runs write in a transaction. write returns the payload of the
// event the change causes; the event, from w.Source, is added to the
// outbox in the same transaction. After commit the event is handed to the process's batched
// dispatcher (outbox.Enqueue), which neither waits for Kafka nor fails the
// write. An error of write rolls everything back and is returned as is.
func (w Writer) Write(ctx context.Context, write func(tx postgres.DB) (events.Payload, error)) error {
	function := w.Source
	if function == "" {
		return errors.New("emit: the writer has no source")
	}
	// BEGIN goes out with the write's first statement and COMMIT with the
	// outbox row (postgres.Tx): the transaction adds no round trip.
	tx, err := postgres.Begin(ctx, w.DB)
	if err != nil {
		return fmt.Errorf("%s: %w", function, err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	p, err := write(tx)
	if err != nil {
		return err
	}
	e, err := events.New(function, p, w.Zone)
	if err != nil {
		return fmt.Errorf("%s: %w", function, err)
	}
	pending, err := outbox.AddAndCommit(ctx, tx, e)
	if err != nil {
		return fmt.Errorf("%s: %w", function, err)
	}
	if w.Outbox != nil {
		w.Outbox.Enqueue(pending)
	}
	return nil
}
