package updatepost_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	updatepost "github.com/dailyfeed/dailyfeed/functions/update-post"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestUpdatePost(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(updatepost.New())
	me, other := e.Member(), e.Member()
	p := e.Post(me, "hello")
	path := "/api/posts/" + strconv.FormatInt(p.ID, 10)
	contenttest.Want(t, c.Do("PUT", path, map[string]any{"content": "edited"}, contenttest.As(me)), http.StatusOK, "")
	contenttest.Want(t, c.Do("PUT", path, map[string]any{"content": "edited"}, contenttest.As(other)), http.StatusForbidden, "POST_FORBIDDEN")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("PUT", "/api/posts/1", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
