package deletecomment_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	deletecomment "github.com/dailyfeed/dailyfeed/functions/delete-comment"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestDeleteComment(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(deletecomment.New())
	me, other := e.Member(), e.Member()
	cm := e.Comment(me, e.Post(me, "hello").ID, "hi")
	path := "/api/comments/" + strconv.FormatInt(cm.ID, 10)
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(other)), http.StatusForbidden, "COMMENT_FORBIDDEN")
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(me)), http.StatusOK, "")
	contenttest.Want(t, c.Do("DELETE", path, nil, contenttest.As(me)), http.StatusNotFound, "COMMENT_NOT_FOUND")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("DELETE", "/api/comments/1", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
