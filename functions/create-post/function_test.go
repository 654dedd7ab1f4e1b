package createpost_test

import (
	"net/http"
	"testing"

	"github.com/dailyfeed/dailyfeed"
	createpost "github.com/dailyfeed/dailyfeed/functions/create-post"
	"github.com/dailyfeed/dailyfeed/internal/content/contenttest"
)

func TestCreatePost(t *testing.T) {
	t.Parallel()
	e := contenttest.New(t, dailyfeed.Functions())
	c := e.Client(createpost.New())
	me := e.Member()
	res := c.Do("POST", "/api/posts", map[string]any{"content": "hello"}, contenttest.As(me))
	contenttest.Want(t, res, http.StatusCreated, "")
	contenttest.Want(t, c.Do("POST", "/api/posts", map[string]any{"content": ""}, contenttest.As(me)), http.StatusBadRequest, "VALIDATION_FAILED")
	// Without a token: 401, nothing written.
	contenttest.Want(t, c.Do("POST", "/api/posts", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}
