package updatecomment_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	updatecomment "github.com/dailyfeed/dailyfeed/functions/update-comment"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestUpdateComment(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(updatecomment.New())
	me, other := e.Member(), e.Member()
	cm := e.Comment(me, e.Post(me, "hello").ID, "hi")
	path := "/api/comments/" + strconv.FormatInt(cm.ID, 10)
	contenttest.Want(t, c.Do("PUT", path, map[string]any{"content": "edited"}, contenttest.As(me)), http.StatusOK, "")
	contenttest.Want(t, c.Do("PUT", path, map[string]any{"content": "edited"}, contenttest.As(other)), http.StatusForbidden, "COMMENT_FORBIDDEN")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("PUT", "/api/comments/1", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
