package createreply_test

import (
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	createreply "github.com/dailyfeed/dailyfeed/functions/create-reply"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestCreateReply(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(createreply.New())
	me := e.Member()
	p := e.Post(e.Member(), "hello")
	top := e.Comment(me, p.ID, "top")
	contenttest.Want(t, c.Do("POST", "/api/comments/replies", map[string]any{"postId": p.ID, "parentId": top.ID, "content": "re"}, contenttest.As(me)), http.StatusCreated, "")
	contenttest.Want(t, c.Do("POST", "/api/comments/replies", map[string]any{"postId": p.ID, "content": "re"}, contenttest.As(me)), http.StatusBadRequest, "VALIDATION_FAILED")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("POST", "/api/comments/replies", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
