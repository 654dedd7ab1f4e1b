package kafka

import (
	"strings"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/config"
)

// DefaultTopicBase is the base name of the member activity topics
// (config.DefaultTopicBase); the topic of a day is "member-activity-yyyyMMdd".
const DefaultTopicBase = config.DefaultTopicBase

// TopicBaseLabel marks a KafkaSource with the base of the dated topics it
// reads: the generated manifests set it, and rotate-topics (kafka/rotation)
// finds the sources to patch by it.
const TopicBaseLabel = "dailyfeed.dev/topic-base"

// dateLayout is the topics' date suffix, Java's "yyyyMMdd".
const dateLayout = "20060102"

// Topics names the dated topics of one base: "{Base}-yyyyMMdd", the date
// taken in Zone (config.TopicTimeZone, default Asia/Seoul) from Now. Tests
// give each run its own Base ("test-<id>-member-activity") and a fixed Now.
type Topics struct {
	Base string
	Zone *time.Location
	Now  func() time.Time
}

// NewTopics returns the dated topics of base in zone, on the clock now
// (time.Now when nil).
func NewTopics(base string, zone *time.Location, now func() time.Time) Topics {
	if now == nil {
		now = time.Now
	}
	if zone == nil {
		zone = time.UTC
	}
	return Topics{Base: base, Zone: zone, Now: now}
}

// For returns the topic of the day t falls on in the topics' zone.
func (t Topics) For(day time.Time) string {
	return t.Base + "-" + day.In(t.zone()).Format(dateLayout)
}

// Today returns today's topic, the one events are published to.
func (t Topics) Today() string { return t.Day(0) }

// Yesterday returns yesterday's topic.
func (t Topics) Yesterday() string { return t.Day(-1) }

// Tomorrow returns tomorrow's topic, created ahead of midnight.
func (t Topics) Tomorrow() string { return t.Day(1) }

// Day returns the topic offset days from today (calendar days in the zone,
// not multiples of 24 hours, so daylight saving changes do not skip a day).
func (t Topics) Day(offset int) string {
	now := t.now().In(t.zone())
	return t.For(time.Date(now.Year(), now.Month(), now.Day()+offset, 12, 0, 0, 0, t.zone()))
}

// Date returns the day of a topic of this base: midnight of that day in
// the zone. It reports false for any other name.
func (t Topics) Date(topic string) (time.Time, bool) {
	base, day, ok := ParseTopic(topic, t.zone())
	if !ok || base != t.Base {
		return time.Time{}, false
	}
	return day, true
}

// Owns reports whether topic is a dated topic of this base.
func (t Topics) Owns(topic string) bool {
	_, ok := t.Date(topic)
	return ok
}

// ParseTopic splits a dated topic name "{base}-yyyyMMdd" into its base and
// its day (midnight in zone). It reports false when the name has no valid
// date suffix.
func ParseTopic(topic string, zone *time.Location) (base string, day time.Time, ok bool) {
	i := strings.LastIndexByte(topic, '-')
	if i <= 0 || len(topic)-i-1 != len(dateLayout) {
		return "", time.Time{}, false
	}
	suffix := topic[i+1:]
	for _, c := range suffix {
		if c < '0' || c > '9' {
			return "", time.Time{}, false
		}
	}
	if zone == nil {
		zone = time.UTC
	}
	d, err := time.ParseInLocation(dateLayout, suffix, zone)
	if err != nil || d.Format(dateLayout) != suffix {
		return "", time.Time{}, false
	}
	return topic[:i], d, true
}

func (t Topics) zone() *time.Location {
	if t.Zone == nil {
		return time.UTC
	}
	return t.Zone
}

func (t Topics) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}
