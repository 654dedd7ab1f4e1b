package events_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/dailyfeed/dailyfeed/events"
	"github.com/dailyfeed/dailyfeed/internal/errcode"
)

var seoul = mustZone("Asia/Seoul")

func mustZone(name string) *time.Location {
	z, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return z
}

// at is 2026-11-25 23:59:58.123456789 in Seoul (14:59:58 UTC), given in UTC
// to show the key is written in the topic zone.
var at = time.Date(2026, 11, 25, 14, 59, 58, 123456789, time.UTC)

// payload returns a complete payload of t.
func payload(t events.Type) events.Payload {
	p := events.Payload{MemberID: 7, TargetMemberID: 9, MemberActivityType: t, CreatedAt: at}
	switch {
	case strings.HasPrefix(string(t), "MEMBER_"):
	case strings.Contains(string(t), "COMMENT"):
		p.PostID, p.CommentID = 11, 42
	default:
		p.PostID = 11
	}
	return p
}

func TestGolden(t *testing.T) {
	const ts = "2026-11-25 23:59:58.123456000"
	tests := []struct {
		typ     events.Type
		ceType  string
		subject string
		key     string
	}{
		{events.PostCreate, "dailyfeed.post.created.v1", "11", "member_activity:kafka_event:POST_CREATE###11###7"},
		{events.PostUpdate, "dailyfeed.post.updated.v1", "11", "member_activity:kafka_event:POST_UPDATE###11###7###" + ts},
		{events.PostDelete, "dailyfeed.post.deleted.v1", "11", "member_activity:kafka_event:POST_DELETE###11###7###" + ts},
		{events.PostRead, "dailyfeed.post.read.v1", "11", "member_activity:kafka_event:POST_READ###11###7###" + ts},
		{events.CommentCreate, "dailyfeed.comment.created.v1", "42", "member_activity:kafka_event:COMMENT_CREATE###42###7"},
		{events.CommentUpdate, "dailyfeed.comment.updated.v1", "42", "member_activity:kafka_event:COMMENT_UPDATE###42###7###" + ts},
		{events.CommentDelete, "dailyfeed.comment.deleted.v1", "42", "member_activity:kafka_event:COMMENT_DELETE###42###7###" + ts},
		{events.CommentRead, "dailyfeed.comment.read.v1", "42", "member_activity:kafka_event:COMMENT_READ###42###7###" + ts},
		{events.LikePost, "dailyfeed.post.liked.v1", "11", "member_activity:kafka_event:LIKE_POST###11###7"},
		{events.LikePostCancel, "dailyfeed.post.unliked.v1", "11", "member_activity:kafka_event:LIKE_POST_CANCEL###11###7"},
		{events.LikeComment, "dailyfeed.comment.liked.v1", "42", "member_activity:kafka_event:LIKE_COMMENT###42###7"},
		{events.LikeCommentCancel, "dailyfeed.comment.unliked.v1", "42", "member_activity:kafka_event:LIKE_COMMENT_CANCEL###42###7"},
		{events.MemberFollow, "dailyfeed.member.followed.v1", "9", "member_activity:kafka_event:MEMBER_FOLLOW###9###7###" + ts},
		{events.MemberUnfollow, "dailyfeed.member.unfollowed.v1", "9", "member_activity:kafka_event:MEMBER_UNFOLLOW###9###7###" + ts},
	}
	if len(tests) != len(events.Types()) {
		t.Fatalf("golden table has %d types, events.Types() %d", len(tests), len(events.Types()))
	}
	for i, tt := range tests {
		t.Run(string(tt.typ), func(t *testing.T) {
			if events.Types()[i] != tt.typ {
				t.Fatalf("Types()[%d] = %s", i, events.Types()[i])
			}
			e, err := events.New("create-thing", payload(tt.typ), seoul)
			if err != nil {
				t.Fatal(err)
			}
			id, err := uuid.Parse(e.ID())
			if err != nil || id.Version() != 7 {
				t.Errorf("id %q is not a UUIDv7 (%v)", e.ID(), err)
			}
			got := map[string]any{
				"specversion":     e.SpecVersion(),
				"source":          e.Source(),
				"type":            e.Type(),
				"subject":         e.Subject(),
				"time":            e.Time().Format(time.RFC3339Nano),
				"datacontenttype": e.DataContentType(),
				"dedupkey":        events.DedupKeyOf(e),
				"key":             events.Key(e),
			}
			want := map[string]any{
				"specversion":     "1.0",
				"source":          "/dailyfeed/create-thing",
				"type":            tt.ceType,
				"subject":         tt.subject,
				"time":            "2026-11-25T23:59:58.123456+09:00",
				"datacontenttype": "application/json",
				"dedupkey":        tt.key,
				"key":             tt.subject,
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("attributes (-want +got):\n%s", d)
			}
			if got := tt.typ.CEType(); got != tt.ceType {
				t.Errorf("CEType = %q", got)
			}
			if back, ok := events.TypeOf(tt.ceType); !ok || back != tt.typ {
				t.Errorf("TypeOf(%q) = %q, %v", tt.ceType, back, ok)
			}
			p, err := events.Parse(e)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			wantP := payload(tt.typ)
			wantP.CreatedAt = at.Truncate(time.Microsecond)
			if d := cmp.Diff(wantP, p); d != "" {
				t.Errorf("Parse (-want +got):\n%s", d)
			}
			if got := events.DedupKey(p, seoul); got != tt.key {
				t.Errorf("DedupKey of the parsed payload = %q, want %q", got, tt.key)
			}
		})
	}
}

func TestPayloadJSON(t *testing.T) {
	e, err := events.New("create-comment", payload(events.CommentCreate), seoul)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"memberId":7,"postId":11,"commentId":42,"targetMemberId":9,"memberActivityType":"COMMENT_CREATE","createdAt":"2026-11-25T23:59:58.123456+09:00"}`
	if got := string(e.Data()); got != want {
		t.Errorf("data\n got %s\nwant %s", got, want)
	}
	f, err := events.New("follow-member", payload(events.MemberFollow), seoul)
	if err != nil {
		t.Fatal(err)
	}
	const wantF = `{"memberId":7,"targetMemberId":9,"memberActivityType":"MEMBER_FOLLOW","createdAt":"2026-11-25T23:59:58.123456+09:00"}`
	if got := string(f.Data()); got != wantF {
		t.Errorf("data\n got %s\nwant %s", got, wantF)
	}
}

// TestDedupKeyZone pins the key's timestamp to the given zone and nine
// fraction digits.
func TestDedupKeyZone(t *testing.T) {
	p := payload(events.PostUpdate)
	p.CreatedAt = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	tests := map[*time.Location]string{
		seoul:    "member_activity:kafka_event:POST_UPDATE###11###7###2026-01-02 12:04:05.000000006",
		time.UTC: "member_activity:kafka_event:POST_UPDATE###11###7###2026-01-02 03:04:05.000000006",
	}
	for zone, want := range tests {
		if got := events.DedupKey(p, zone); got != want {
			t.Errorf("DedupKey in %s = %q, want %q", zone, got, want)
		}
	}
}

// TestFollowKeysDistinct: follow → unfollow → follow again are three events
// with three keys.
func TestFollowKeysDistinct(t *testing.T) {
	seen := map[string]bool{}
	for i, typ := range []events.Type{events.MemberFollow, events.MemberUnfollow, events.MemberFollow} {
		p := payload(typ)
		p.CreatedAt = at.Add(time.Duration(i) * time.Second)
		e, err := events.New("follow-member", p, seoul)
		if err != nil {
			t.Fatal(err)
		}
		k := events.DedupKeyOf(e)
		if seen[k] {
			t.Errorf("dedup key %q repeated", k)
		}
		seen[k] = true
	}
}

func TestNewRejectsIncompletePayloads(t *testing.T) {
	tests := map[string]func(*events.Payload){
		"unknown type":       func(p *events.Payload) { p.MemberActivityType = "POST_SHARE" },
		"no member":          func(p *events.Payload) { p.MemberID = 0 },
		"no target":          func(p *events.Payload) { p.TargetMemberID = 0 },
		"no post":            func(p *events.Payload) { p.PostID = 0 },
		"comment on a post":  func(p *events.Payload) { p.CommentID = 3 },
		"no time":            func(p *events.Payload) { p.CreatedAt = time.Time{} },
		"negative member id": func(p *events.Payload) { p.MemberID = -1 },
		"comment without post": func(p *events.Payload) {
			*p = payload(events.CommentUpdate)
			p.PostID = 0
		},
		"self follow": func(p *events.Payload) {
			*p = payload(events.MemberFollow)
			p.TargetMemberID = p.MemberID
		},
		"follow with post": func(p *events.Payload) {
			*p = payload(events.MemberUnfollow)
			p.PostID = 1
		},
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			p := payload(events.PostDelete)
			change(&p)
			if _, err := events.New("delete-post", p, seoul); err == nil {
				t.Fatal("New accepted the payload")
			} else if errcode.Of(err) != errcode.Internal {
				t.Errorf("New's error is coded %s; a bad payload is the producer's bug", errcode.Of(err))
			}
		})
	}
	if _, err := events.New("", payload(events.PostCreate), seoul); err == nil {
		t.Error("New accepted an empty function name")
	}
	if _, err := events.New("x", payload(events.PostCreate), nil); err == nil {
		t.Error("New accepted a nil zone")
	}
}

func TestParseRejectsMalformedEvents(t *testing.T) {
	good, err := events.New("like-post", payload(events.LikePost), seoul)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]func(e *event.Event){
		"unknown type":  func(e *event.Event) { e.SetType("dailyfeed.post.shared.v1") },
		"no id":         func(e *event.Event) { e.SetID("") },
		"xml":           func(e *event.Event) { _ = e.SetData("application/xml", []byte("<a/>")) },
		"bad json":      func(e *event.Event) { _ = e.SetData(events.ContentType, []byte("{")) },
		"no data":       func(e *event.Event) { e.DataEncoded = nil },
		"type mismatch": func(e *event.Event) { e.SetType(events.LikePostCancel.CEType()) },
		"wrong subject": func(e *event.Event) { e.SetSubject("12") },
		"no dedup key":  func(e *event.Event) { e.SetExtension(events.DedupKeyExtension, nil) },
		"missing post id": func(e *event.Event) {
			setData(t, e, `{"memberId":7,"targetMemberId":9,"memberActivityType":"LIKE_POST","createdAt":"2026-11-25T23:59:58+09:00"}`)
		},
		"missing time": func(e *event.Event) {
			setData(t, e, `{"memberId":7,"postId":11,"targetMemberId":9,"memberActivityType":"LIKE_POST"}`)
		},
		"id as string": func(e *event.Event) {
			setData(t, e, `{"memberId":"7","postId":11,"targetMemberId":9,"memberActivityType":"LIKE_POST","createdAt":"2026-11-25T23:59:58+09:00"}`)
		},
	}
	for name, change := range tests {
		t.Run(name, func(t *testing.T) {
			e := good.Clone()
			change(&e)
			_, err := events.Parse(e)
			if !errcode.Is(err, events.MalformedEvent) {
				t.Fatalf("Parse = %v, want a %s error", err, events.MalformedEvent)
			}
			if s := errcode.CloudEventStatus(err); s != http.StatusBadRequest {
				t.Errorf("CloudEventStatus = %d, want 400 (dead-letter, no retry)", s)
			}
		})
	}
	// A charset parameter and extra unknown fields are accepted.
	e := good.Clone()
	var m map[string]any
	_ = json.Unmarshal(e.Data(), &m)
	m["extra"] = true
	b, _ := json.Marshal(m)
	_ = e.SetData("application/json; charset=utf-8", b)
	if _, err := events.Parse(e); err != nil {
		t.Errorf("Parse with charset and extra field: %v", err)
	}
}

func setData(t *testing.T, e *event.Event, data string) {
	t.Helper()
	if err := e.SetData(events.ContentType, []byte(data)); err != nil {
		t.Fatal(err)
	}
}

// TestRoundTripJSON: an event survives the CloudEvents JSON format (the
// outbox stores it that way).
func TestRoundTripJSON(t *testing.T) {
	e, err := events.New("unlike-comment", payload(events.LikeCommentCancel), seoul)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back event.Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if events.DedupKeyOf(back) != events.DedupKeyOf(e) || back.ID() != e.ID() {
		t.Errorf("round trip changed the event: %s", b)
	}
	if _, err := events.Parse(back); err != nil {
		t.Errorf("Parse after the JSON round trip: %v", err)
	}
}
