package events_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

// FuzzParse is the decoding every sink does (record-activity, fanout-feed,
// update-stats): a structured CloudEvent as the delivery hands it over,
// then events.Parse. It answers 400 MALFORMED_EVENT (dead-lettered, not
// retried), or a payload that validates, agrees with the event's type and
// subject, and re-encodes to an event that parses to the same payload.
func FuzzParse(f *testing.F) {
	zone := time.FixedZone("KST", 9*3600)
	for _, p := range []events.Payload{
		{MemberID: 1, PostID: 2, TargetMemberID: 3, MemberActivityType: events.Types()[0], CreatedAt: time.Date(2026, 1, 2, 3, 4, 5, 6000, zone)},
	} {
		for _, typ := range events.Types() {
			p.MemberActivityType = typ
			p.CommentID = 0
			if ev, err := events.New("fuzz", fill(p), zone); err == nil {
				raw, _ := json.Marshal(ev)
				f.Add(raw)
			}
		}
	}
	for _, s := range []string{
		`{}`, `{"specversion":"1.0","id":"1","source":"/x","type":"nope"}`,
		`{"specversion":"1.0","id":"1","source":"/x","type":"dailyfeed.activity.post.create","data":{"memberId":-1}}`,
		`{"specversion":"1.0","id":"1","source":"/x","type":"dailyfeed.activity.post.create","datacontenttype":"text/plain","data":"x"}`,
		`{"specversion":"1.0","id":"1","source":"/x","type":"dailyfeed.activity.post.create","data_base64":"AAAA"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var e event.Event
		if err := json.Unmarshal(raw, &e); err != nil {
			return // the SDK refuses it before any sink sees it
		}
		p, err := events.Parse(e)
		if err != nil {
			if errcode.Of(err) != events.MalformedEvent || errcode.HTTPStatus(err) != http.StatusBadRequest {
				t.Fatalf("%s: %v, want 400 MALFORMED_EVENT", raw, err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("%s: parsed an invalid payload %+v: %v", raw, p, err)
		}
		if e.Type() != p.MemberActivityType.CEType() {
			t.Fatalf("%s: type %q, payload %q", raw, e.Type(), p.MemberActivityType)
		}
		again, err := events.New("fuzz", p, time.UTC)
		if err != nil {
			t.Fatalf("%s: re-encode %+v: %v", raw, p, err)
		}
		q, err := events.Parse(again)
		if err != nil {
			t.Fatalf("%s: the re-encoding does not parse: %v", raw, err)
		}
		p.CreatedAt = p.CreatedAt.Truncate(time.Microsecond)
		if !q.CreatedAt.Equal(p.CreatedAt) {
			t.Fatalf("%s: createdAt %v re-encodes as %v", raw, p.CreatedAt, q.CreatedAt)
		}
		q.CreatedAt = p.CreatedAt
		if q != p {
			t.Fatalf("%s: %+v re-encodes as %+v", raw, p, q)
		}
	})
}

// fill makes p a valid payload of its type by trying the id fields.
func fill(p events.Payload) events.Payload {
	for _, try := range []events.Payload{
		{PostID: 2}, {PostID: 2, CommentID: 5}, {},
	} {
		q := p
		q.PostID, q.CommentID = try.PostID, try.CommentID
		if q.Validate() == nil {
			return q
		}
	}
	return p
}
