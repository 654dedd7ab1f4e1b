package relayoutbox

import (
	"context"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/outbox"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/kafka/kafkatest"
)

func ping() event.Event {
	e := event.New()
	e.SetID("ping-1")
	e.SetSource("/apis/v1/namespaces/dailyfeed/pingsources/relay-outbox")
	e.SetType("dev.knative.sources.ping")
	return e
}

func TestReceiveBeforeStart(t *testing.T) {
	if err := New().Receive(context.Background(), ping()); err == nil {
		t.Error("Receive before Start succeeded")
	}
}

// TestReceiveRelaysAndCleansUp: a ping publishes what is pending (a write
// whose dispatch never happened) and deletes sent rows past the retention.
func TestReceiveRelaysAndCleansUp(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.TopicPartitions = 1 // one partition: the test sees one order
	s := testenv.StackWith(t, cfg, stack.Postgres|stack.Kafka)
	ctx := context.Background()
	zone := s.Config.TopicTimeZone

	var pending []event.Event
	for i := range 3 {
		e, err := events.New("follow-member", events.Payload{
			MemberID: int64(10 + i), TargetMemberID: 3,
			MemberActivityType: events.MemberFollow, CreatedAt: time.Now(),
		}, zone)
		if err != nil {
			t.Fatal(err)
		}
		pending = append(pending, e)
	}
	tx, err := s.DB.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := outbox.Add(ctx, tx, pending...); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	testenv.Exec(t, s, `INSERT INTO outbox (event_id, event_type, message_key, event, sent_at)
		VALUES ('old', 't', '1', '{}', now() - interval '30 days')`)

	// The function over the test's stack, publishing to the test's topics.
	f := New()
	f.Share(s)
	brokers, today := cfg.KafkaBrokers, s.Publisher.Topics().Today()

	if err := f.Receive(ctx, ping()); err != nil {
		t.Fatalf("Receive: %v", err)
	}
	recs := kafkatest.Records(t, brokers, today)
	if len(recs) != len(pending) {
		t.Fatalf("%d records, want %d", len(recs), len(pending))
	}
	for i, r := range recs {
		if got := kafkatest.Header(r, "ce_id"); got != pending[i].ID() {
			t.Errorf("record %d is %s, want %s", i, got, pending[i].ID())
		}
		if got := kafkatest.Header(r, "ce_dedupkey"); got != events.DedupKeyOf(pending[i]) {
			t.Errorf("record %d dedup key %q", i, got)
		}
	}
	var left, unsent int
	if err := s.DB.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE sent_at IS NULL) FROM outbox`).Scan(&left, &unsent); err != nil {
		t.Fatal(err)
	}
	if left != 3 || unsent != 0 {
		t.Errorf("%d rows left, %d unsent; want the 3 sent rows (the old one cleaned up)", left, unsent)
	}
	// A second ping has nothing to do.
	if err := f.Receive(ctx, ping()); err != nil {
		t.Fatal(err)
	}
	if n := len(kafkatest.Records(t, brokers, today)); n != 3 {
		t.Errorf("%d records after a second ping, want 3", n)
	}
}
