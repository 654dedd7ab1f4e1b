package unlikecomment_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	unlikecomment "github.com/dailyfeed/dailyfeed/functions/unlike-comment"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestUnlikeComment(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(unlikecomment.New())
	me := e.Member()
	cm := e.Comment(me, e.Post(me, "hello").ID, "hi")
	path := "/api/comments/" + strconv.FormatInt(cm.ID, 10) + "/like"
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(me)), http.StatusNotFound, "LIKE_NOT_FOUND")
	contenttest.Want(t, e.Do(me, "POST", path, nil), http.StatusOK, "")
	contenttest.WantLikes(t, c.Do("DELETE", path, nil, contenttest.As(me)), 0)
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("DELETE", "/api/comments/1/like", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
