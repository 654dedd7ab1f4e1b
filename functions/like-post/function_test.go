package likepost_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	likepost "github.com/dailyfeed/dailyfeed/functions/like-post"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestLikePost(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(likepost.New())
	me := e.Member()
	p := e.Post(e.Member(), "hello")
	path := "/api/posts/" + strconv.FormatInt(p.ID, 10) + "/like"
	contenttest.WantLikes(t, c.Do("POST", path, nil, contenttest.As(me)), 1)
	contenttest.Want(t, c.Do("POST", path, nil, contenttest.As(me)), http.StatusConflict, "ALREADY_LIKED")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("POST", "/api/posts/1/like", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
