package deletepost_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	deletepost "github.com/dailyfeed/dailyfeed/functions/delete-post"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestDeletePost(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(deletepost.New())
	me, other := e.Member(), e.Member()
	p := e.Post(me, "hello")
	path := "/api/posts/" + strconv.FormatInt(p.ID, 10)
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(other)), http.StatusForbidden, "POST_FORBIDDEN")
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(me)), http.StatusOK, "")
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(me)), http.StatusNotFound, "POST_NOT_FOUND")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("DELETE", "/api/posts/1", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
