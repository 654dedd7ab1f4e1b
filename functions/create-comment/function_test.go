package createcomment_test

import (
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	createcomment "github.com/dailyfeed/dailyfeed/functions/create-comment"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestCreateComment(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(createcomment.New())
	me := e.Member()
	p := e.Post(e.Member(), "hello")
	contenttest.Want(t, c.Do("POST", "/api/comments", map[string]any{"postId": p.ID, "content": "hi"}, contenttest.As(me)), http.StatusCreated, "")
	contenttest.Want(t, c.Do("POST", "/api/comments", map[string]any{"postId": p.ID + 1000, "content": "hi"}, contenttest.As(me)), http.StatusNotFound, "POST_NOT_FOUND")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("POST", "/api/comments", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
