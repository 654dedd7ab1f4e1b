package likecomment_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	likecomment "github.com/dailyfeed/dailyfeed/functions/like-comment"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestLikeComment(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(likecomment.New())
	me := e.Member()
	cm := e.Comment(me, e.Post(me, "hello").ID, "hi")
	path := "/api/comments/" + strconv.FormatInt(cm.ID, 10) + "/like"
	contenttest.WantLikes(t, c.Do("POST", path, nil, contenttest.As(me)), 1)
	contenttest.Want(t, c.Do("POST", path, nil, contenttest.As(me)), http.StatusConflict, "ALREADY_LIKED")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("POST", "/api/comments/1/like", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
