package deactivatemember_test

import (
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	deactivatemember "github.com/dailyfeed/dailyfeed/functions/deactivate-member"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

// TestDeactivationLeavesTrueFollowCounts: a deactivated member leaves the
// follow graph both ways, and the counts of those it followed and of those
// who followed it stay true.
func TestDeactivationLeavesTrueFollowCounts(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	a, b, c := e.Member(), e.Member(), e.Member()
	for _, f := range [][2]contenttest.Member{{a, b}, {b, a}, {c, b}, {c, a}} {
		e.Follow(f[0], f[1])
	}

	res := e.Client(deactivatemember.New()).Do("DELETE", "/api/authentication/deactivate", nil, contenttest.As(a))
	contenttest.Want(t, res, http.StatusOK, "")

	counts := func(m contenttest.Member) (followers, following int64) {
		return e.Int(`SELECT followers_count FROM members WHERE id = $1`, m.ID),
			e.Int(`SELECT following_count FROM members WHERE id = $1`, m.ID)
	}
	if fr, fg := counts(b); fr != 1 || fg != 0 {
		t.Errorf("b: %d followers, %d following; want 1 (c) and 0", fr, fg)
	}
	if fr, fg := counts(c); fr != 0 || fg != 1 {
		t.Errorf("c: %d followers, %d following; want 0 and 1 (b)", fr, fg)
	}
	if n := e.Int(`SELECT count(*) FROM follows WHERE follower_id = $1 OR followee_id = $1`, a.ID); n != 0 {
		t.Errorf("%d follow rows of the deactivated member left", n)
	}
	// The token it held is refused.
	res = e.Client(deactivatemember.New()).Do("DELETE", "/api/authentication/deactivate", nil, contenttest.As(a))
	if res.Status != http.StatusUnauthorized {
		t.Errorf("second deactivate with the old token: %d, want 401", res.Status)
	}
}
