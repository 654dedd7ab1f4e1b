package followmember_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	followmember "github.com/dailyfeed/dailyfeed/functions/follow-member"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestFollowMember(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(followmember.New())
	me, other := e.Member(), e.Member()
	path := "/api/members/follow/" + strconv.FormatInt(other.ID, 10)
	contenttest.Want(t, c.Do("POST", path, nil, contenttest.As(me)), http.StatusCreated, "")
	contenttest.Want(t, c.Do("POST", path, nil, contenttest.As(me)), http.StatusConflict, "ALREADY_FOLLOWING")
	contenttest.Want(t, c.Do("POST", "/api/members/follow/"+strconv.FormatInt(me.ID, 10), nil, contenttest.As(me)), http.StatusBadRequest, "CANNOT_FOLLOW_SELF")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("POST", "/api/members/follow/1", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
