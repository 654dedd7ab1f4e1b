package myactivities_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed"
	"github.com/dailyfeed/dailyfeed/events"
	myactivities "github.com/dailyfeed/dailyfeed/functions/my-activities"
	"github.com/dailyfeed/dailyfeed/internal/activity"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/paging"
)

// TestOwnLog: the caller's own activities only, every type, newest first.
func TestOwnLog(t *testing.T) {
	t.Parallel()
	env := contenttest.New(t, dailyfeed.Functions())
	me, other := env.Member(), env.Member()
	rec := fn.NewDeps(env.S, "record-activity").Activity()
	base := time.Now().Add(-time.Hour)
	for i, p := range []events.Payload{
		{MemberID: me.ID, TargetMemberID: other.ID, PostID: 1, MemberActivityType: events.LikePost},
		{MemberID: other.ID, TargetMemberID: me.ID, PostID: 2, MemberActivityType: events.LikePost},
		{MemberID: me.ID, TargetMemberID: other.ID, PostID: 1, MemberActivityType: events.PostRead},
	} {
		p.CreatedAt = base.Add(time.Duration(i) * time.Minute)
		e, err := events.New("test", p, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rec.Record(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	c := env.Client(myactivities.New())
	res := c.Do("GET", "/api/activities/me", nil, contenttest.As(me))
	contenttest.Want(t, res, http.StatusOK, "")
	var page paging.Slice[activity.Item]
	res.Decode(t, &page)
	if len(page.Content) != 2 || page.Content[0].MemberActivityType != events.PostRead ||
		page.Content[1].MemberActivityType != events.LikePost || page.Content[0].Actor == nil {
		t.Errorf("my log: %+v", page.Content)
	}
	// The liked post does not exist: shown as deleted, no snippet.
	if it := page.Content[1]; !it.Target.Deleted || it.Target.Snippet != nil || it.Target.Kind != activity.KindPost {
		t.Errorf("target %+v", it.Target)
	}
	if res := c.Do("GET", "/api/activities/me", nil); res.Status != http.StatusUnauthorized {
		t.Errorf("without a token: %d", res.Status)
	}
}
