package unlikepost_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	unlikepost "github.com/dailyfeed/dailyfeed/functions/unlike-post"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestUnlikePost(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(unlikepost.New())
	me := e.Member()
	p := e.Post(e.Member(), "hello")
	path := "/api/posts/" + strconv.FormatInt(p.ID, 10) + "/like"
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(me)), http.StatusNotFound, "LIKE_NOT_FOUND")
	contenttest.Want(t, e.Do(me, "POST", path, nil), http.StatusOK, "")
	contenttest.WantLikes(t, c.Do("DELETE", path, nil, contenttest.As(me)), 0)
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("DELETE", "/api/posts/1/like", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
