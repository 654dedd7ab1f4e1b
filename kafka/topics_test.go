package kafka_test

import (
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed/kafka"
)

var seoul = func() *time.Location {
	z, err := time.LoadLocation("Asia/Seoul")
	if err != nil {
		panic(err)
	}
	return z
}()

func fixed(t time.Time) func() time.Time { return func() time.Time { return t } }

// TestTopicsAcrossMidnight: the date is Seoul's, so 14:59:59 UTC is still
// the 25th and 15:00:00 UTC is already the 26th.
func TestTopicsAcrossMidnight(t *testing.T) {
	tests := []struct {
		now                        time.Time
		yesterday, today, tomorrow string
	}{
		{time.Date(2026, 11, 25, 14, 59, 59, 999999999, time.UTC),
			"member-activity-20261124", "member-activity-20261125", "member-activity-20261126"},
		{time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC),
			"member-activity-20261125", "member-activity-20261126", "member-activity-20261127"},
		{time.Date(2026, 12, 31, 15, 0, 0, 0, time.UTC), // new year in Seoul
			"member-activity-20261231", "member-activity-20270101", "member-activity-20270102"},
		{time.Date(2028, 2, 28, 16, 0, 0, 0, time.UTC), // leap day
			"member-activity-20280228", "member-activity-20280229", "member-activity-20280301"},
	}
	for _, tt := range tests {
		tp := kafka.NewTopics(kafka.DefaultTopicBase, seoul, fixed(tt.now))
		got := [3]string{tp.Yesterday(), tp.Today(), tp.Tomorrow()}
		want := [3]string{tt.yesterday, tt.today, tt.tomorrow}
		if got != want {
			t.Errorf("at %s: got %v, want %v", tt.now, got, want)
		}
	}
}

// TestTopicsDaylightSaving: days are calendar days, not 24 hours.
func TestTopicsDaylightSaving(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-08 is 23 hours long in New York; 2026-11-01 is 25.
	for _, now := range []time.Time{
		time.Date(2026, 3, 8, 23, 30, 0, 0, ny),
		time.Date(2026, 3, 8, 0, 30, 0, 0, ny),
		time.Date(2026, 11, 1, 0, 30, 0, 0, ny),
		time.Date(2026, 11, 1, 23, 30, 0, 0, ny),
	} {
		tp := kafka.NewTopics("a", ny, fixed(now))
		var want, got [3]string
		for i, name := range []string{tp.Yesterday(), tp.Today(), tp.Tomorrow()} {
			day, ok := tp.Date(name)
			if !ok {
				t.Fatalf("Date(%q) failed", name)
			}
			got[i] = day.Format("2006-01-02")
			want[i] = time.Date(now.Year(), now.Month(), now.Day()+i-1, 0, 0, 0, 0, ny).Format("2006-01-02")
		}
		if got != want {
			t.Errorf("at %s: days %v, want %v", now, got, want)
		}
	}
}

func TestParseTopic(t *testing.T) {
	tp := kafka.NewTopics("test-ab12-member-activity", seoul, nil)
	day, ok := tp.Date("test-ab12-member-activity-20261125")
	if !ok || !day.Equal(time.Date(2026, 11, 25, 0, 0, 0, 0, seoul)) || day.Location() != seoul {
		t.Errorf("Date = %v, %v", day, ok)
	}
	base, day, ok := kafka.ParseTopic("member-activity-20261125", seoul)
	if !ok || base != "member-activity" || day.Format("2006-01-02") != "2026-11-25" {
		t.Errorf("ParseTopic = %q, %v, %v", base, day, ok)
	}
	for _, bad := range []string{
		"member-activity", "member-activity-2026112", "member-activity-202611250",
		"member-activity-20261325", "member-activity-20260230", "member-activity-2026-11-", "-20261125",
		"member-activity-+2026112", "test-ab12-member-activity-2026112x",
	} {
		if _, _, ok := kafka.ParseTopic(bad, seoul); ok {
			t.Errorf("ParseTopic(%q) accepted", bad)
		}
	}
	if tp.Owns("member-activity-20261125") {
		t.Error("a test base owns the production topic")
	}
	if !tp.Owns(tp.Today()) {
		t.Error("a base does not own its own topic")
	}
}
