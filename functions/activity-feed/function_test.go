package activityfeed_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/events"
	activityfeed "github.com/dailyfeed/dailyfeed/functions/activity-feed"
	myactivities "github.com/dailyfeed/dailyfeed/functions/my-activities"
	"github.com/dailyfeed/dailyfeed/internal/activity"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
)

// recordOutbox records every event in the outbox (what the writes
// emitted), as record-activity would, oldest first.
func recordOutbox(t *testing.T, env *contenttest.Env, after int64) int64 {
	t.Helper()
	ctx := context.Background()
	rows, err := env.S.DB.Query(ctx, `SELECT id, event::text FROM outbox WHERE id > $1 ORDER BY id`, after)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	last := after
	for rows.Next() {
		var doc string
		if err := rows.Scan(&last, &doc); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc)
	}
	rows.Close()
	rec := fn.NewDeps(env.S, "record-activity").Activity()
	for _, doc := range docs {
		var e event.Event
		if err := json.Unmarshal([]byte(doc), &e); err != nil {
			t.Fatal(err)
		}
		if _, err := rec.Record(ctx, e); err != nil {
			t.Fatalf("record %s: %v", e.Type(), err)
		}
	}
	return last
}

func page(t *testing.T, c *membertest.Client, m contenttest.Member, path string) paging.Slice[activity.Item] {
	t.Helper()
	res := c.Do("GET", path, nil, contenttest.As(m))
	contenttest.Want(t, res, http.StatusOK, "")
	var p paging.Slice[activity.Item]
	res.Decode(t, &p)
	return p
}

func describe(items []activity.Item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		snippet := "<nil>"
		if it.Target.Snippet != nil {
			snippet = *it.Target.Snippet
		}
		out[i] = fmt.Sprintf("%d %s %s %q deleted=%v", it.MemberID, it.MemberActivityType, it.Target.Kind, snippet, it.Target.Deleted)
	}
	return out
}

// TestBanner: the viewer sees what the members they follow did, newest
// first, with the actor and a snippet; not what others did, not reads or
// cancellations; a deleted post shows as deleted without its content.
func TestBanner(t *testing.T) {
	t.Parallel()
	env := contenttest.New(t, dailyfeed.Functions())
	viewer, a, b, stranger := env.Member(), env.Member(), env.Member(), env.Member()
	for _, m := range []contenttest.Member{a, b} {
		env.Follow(viewer, m)
	}
	last := env.LastOutboxID() // the viewer's own follows are not in its banner

	p1 := env.Post(a, "first post by a")
	time.Sleep(2 * time.Millisecond)
	p2 := env.Post(a, "secret soon deleted")
	time.Sleep(2 * time.Millisecond)
	env.Comment(b, p1.ID, "b comments on a")
	time.Sleep(2 * time.Millisecond)
	contenttest.Want(t, env.Do(b, "POST", fmt.Sprintf("/api/posts/%d/like", p1.ID), nil), http.StatusOK, "")
	time.Sleep(2 * time.Millisecond)
	contenttest.Want(t, env.Do(b, "DELETE", fmt.Sprintf("/api/posts/%d/like", p1.ID), nil), http.StatusOK, "")
	time.Sleep(2 * time.Millisecond)
	env.Post(stranger, "nobody follows me")
	time.Sleep(2 * time.Millisecond)
	env.Follow(b, stranger)
	time.Sleep(2 * time.Millisecond)
	contenttest.Want(t, env.Do(a, "DELETE", fmt.Sprintf("/api/posts/%d", p2.ID), nil), http.StatusOK, "")
	recordOutbox(t, env, last)
	// a read p1: recorded, not shown to followers.
	read, err := events.New("get-post", events.Payload{MemberID: a.ID, TargetMemberID: a.ID, PostID: p1.ID,
		MemberActivityType: events.PostRead, CreatedAt: time.Now()}, env.S.Config.TopicTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fn.NewDeps(env.S, "record-activity").Activity().Record(context.Background(), read); err != nil {
		t.Fatal(err)
	}

	c := env.Client(activityfeed.New())
	got := page(t, c, viewer, "/api/activities")
	want := []string{
		fmt.Sprintf("%d POST_DELETE post \"<nil>\" deleted=true", a.ID),
		fmt.Sprintf("%d MEMBER_FOLLOW member %q deleted=false", b.ID, handleOf(t, env, stranger.ID)),
		fmt.Sprintf("%d LIKE_POST post \"first post by a\" deleted=false", b.ID),
		fmt.Sprintf("%d COMMENT_CREATE comment \"b comments on a\" deleted=false", b.ID),
		fmt.Sprintf("%d POST_CREATE post \"<nil>\" deleted=true", a.ID),
		fmt.Sprintf("%d POST_CREATE post \"first post by a\" deleted=false", a.ID),
	}
	if d := describe(got.Content); fmt.Sprint(d) != fmt.Sprint(want) {
		t.Errorf("banner\n got %q\nwant %q", d, want)
	}
	for _, it := range got.Content {
		if it.Actor == nil || it.Actor.MemberID != it.MemberID || it.Actor.Handle == "" {
			t.Errorf("item %d: actor %+v", it.ID, it.Actor)
		}
	}
	body := c.Do("GET", "/api/activities", nil, contenttest.As(viewer)).Body
	if strings.Contains(string(body), "secret soon deleted") {
		t.Error("the deleted post's content leaked into the banner")
	}

	// my-activities: a's own log has everything, reads included.
	mine := page(t, env.Client(myactivities.New()), a, "/api/activities/me")
	if len(mine.Content) != 4 || mine.Content[0].MemberActivityType != events.PostRead {
		t.Errorf("a's log: %q", describe(mine.Content))
	}

	// No token: 401.
	if res := c.Do("GET", "/api/activities", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", res.Status)
	}
}

func handleOf(t *testing.T, env *contenttest.Env, id int64) string {
	t.Helper()
	var h string
	if err := env.S.DB.QueryRow(context.Background(), `SELECT member_name FROM members WHERE id = $1`, id).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestPagingIsStable: cursor pages cover the banner once each, in order,
// even when new activities arrive between pages; page/size works too.
func TestPagingIsStable(t *testing.T) {
	t.Parallel()
	env := contenttest.New(t, dailyfeed.Functions())
	viewer, a := env.Member(), env.Member()
	env.Follow(viewer, a)
	last := env.LastOutboxID()
	for i := range 7 {
		env.Post(a, fmt.Sprintf("post %d", i))
	}
	last = recordOutbox(t, env, last)
	c := env.Client(activityfeed.New())

	all := page(t, c, viewer, "/api/activities?size=100").Content
	if len(all) != 7 {
		t.Fatalf("%d items, want 7", len(all))
	}
	var walked []int64
	p := page(t, c, viewer, "/api/activities?size=3")
	for {
		for _, it := range p.Content {
			walked = append(walked, it.ID)
		}
		if !p.HasNext {
			break
		}
		if len(walked) == 3 { // a new post arrives between pages
			env.Post(a, "newest")
			last = recordOutbox(t, env, last)
		}
		p = page(t, c, viewer, "/api/activities?size=3&cursor="+p.NextCursor)
	}
	if len(walked) != 7 {
		t.Fatalf("walked %d items, want 7: %v", len(walked), walked)
	}
	for i, it := range all {
		if walked[i] != it.ID {
			t.Errorf("cursor page item %d is %d, want %d", i, walked[i], it.ID)
		}
	}
	second := page(t, c, viewer, "/api/activities?page=1&size=2")
	if len(second.Content) != 2 || !second.HasNext {
		t.Errorf("page 1 size 2: %d items, hasNext %v", len(second.Content), second.HasNext)
	}
	if res := c.Do("GET", "/api/activities?cursor=garbage", nil, contenttest.As(viewer)); res.Status != http.StatusBadRequest {
		t.Errorf("bad cursor: %d, want 400", res.Status)
	}
}
