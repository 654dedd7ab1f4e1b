package kafka

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/IBM/sarama"
	"github.com/cloudevents/sdk-go/v2/event"
)

// DefaultFailureReport is how often a failure that lasts is reported again
// (SourceOptions.FailureReport).
const DefaultFailureReport = 5 * time.Minute

// failureLog logs the failures of one target (the sink, or the dead-letter
// sink) per partition, not per attempt: once when a partition's deliveries
// start failing, with the coordinates of the record; then, while they keep
// failing, once every report with the counts since the start; and once
// when the target takes a record of the partition again, with the totals.
// The records dealt with meanwhile (dead-lettered, parked) are counted in
// those lines instead of one line each.
type failureLog struct {
	log    *slog.Logger
	target string // "sink" or "dead-letter sink"
	url    string
	report time.Duration
	now    func() time.Time

	mu      sync.Mutex
	streaks map[failingPartition]*streak
}

type failingPartition struct {
	topic     string
	partition int32
}

// streak is a run of failed attempts on one partition.
type streak struct {
	since, reported time.Time
	failures        int // failed attempts
	records         int // records that failed at least once
	outcomes        map[Outcome]int
	status          int // the last failure's status (0: no answer)
	err             string
}

func newFailureLog(log *slog.Logger, target, url string, report time.Duration) *failureLog {
	return &failureLog{log: log, target: target, url: url, report: report, now: time.Now, streaks: map[failingPartition]*streak{}}
}

// failed notes a failed attempt (attempt n of e, the record m).
func (f *failureLog) failed(ctx context.Context, m *sarama.ConsumerMessage, e event.Event, n int, a attempt) {
	now := f.now()
	k := failingPartition{m.Topic, m.Partition}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.streaks[k]
	errText := a.error().Error()
	if s == nil {
		s = &streak{since: now, reported: now, outcomes: map[Outcome]int{}}
		f.streaks[k] = s
		s.failures, s.records, s.status, s.err = 1, 1, a.status, errText
		f.log.WarnContext(ctx, "kafka source: "+f.target+" failing, retrying",
			"url", f.url, "reported_every", f.report.String(), "topic", m.Topic, "partition", m.Partition, "offset", m.Offset,
			"event", e.ID(), "type", e.Type(), "status", a.status, "err", errText)
		return
	}
	s.failures++
	if n == 1 {
		s.records++
	}
	s.status, s.err = a.status, errText
	if now.Sub(s.reported) >= f.report {
		s.reported = now
		f.log.WarnContext(ctx, "kafka source: "+f.target+" still failing",
			"url", f.url, "topic", m.Topic, "partition", m.Partition, "offset", m.Offset, "event", e.ID(),
			"for", now.Sub(s.since).Round(time.Second).String(), "failures", s.failures, "records", s.records,
			"dead_lettered", s.outcomes[DeadLettered], "parked", s.outcomes[Parked], "dropped", s.outcomes[Dropped],
			"status", a.status, "err", errText)
	}
}

// ok notes that the target took a record of m's partition: a streak of
// failures there ends, logged with its totals.
func (f *failureLog) ok(ctx context.Context, m *sarama.ConsumerMessage) {
	k := failingPartition{m.Topic, m.Partition}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.streaks[k]
	if s == nil {
		return
	}
	delete(f.streaks, k)
	f.log.InfoContext(ctx, "kafka source: "+f.target+" recovered",
		"url", f.url, "topic", m.Topic, "partition", m.Partition, "offset", m.Offset,
		"for", f.now().Sub(s.since).Round(time.Millisecond).String(), "failures", s.failures, "records", s.records,
		"dead_lettered", s.outcomes[DeadLettered], "parked", s.outcomes[Parked], "dropped", s.outcomes[Dropped],
		"last_status", s.status, "last_err", s.err)
}

// counted notes the outcome o of a record of m's partition that failed
// with the target. It reports false when no streak is open there (the
// caller logs the record on its own).
func (f *failureLog) counted(m *sarama.ConsumerMessage, o Outcome) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.streaks[failingPartition{m.Topic, m.Partition}]
	if s == nil {
		return false
	}
	s.outcomes[o]++
	return true
}
