package unfollowmember_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	unfollowmember "github.com/dailyfeed/dailyfeed/functions/unfollow-member"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestUnfollowMember(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(unfollowmember.New())
	me, other := e.Member(), e.Member()
	path := "/api/members/follow/" + strconv.FormatInt(other.ID, 10)
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(me)), http.StatusNotFound, "FOLLOW_NOT_FOUND")
	contenttest.Want(t, e.Do(me, "POST", path, nil), http.StatusCreated, "")
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(me)), http.StatusOK, "")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("DELETE", "/api/members/follow/1", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
