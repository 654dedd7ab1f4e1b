package chaos

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
	"time"
)

// outcome is what the API said about one operation.
type outcome int

const (
	acked     outcome = iota // 2xx: done
	rejected                 // 4xx: refused, nothing changed
	uncertain                // 5xx or no answer: may or may not have happened
)

// answer is one HTTP exchange.
type answer struct {
	status int // 0: no answer
	code   string
	data   json.RawMessage
	// cut: the request was sent whole and then got no answer (the
	// process stopped under it, or it hung past the client's timeout),
	// as opposed to a connection refused or closed while idle.
	cut bool
}

func (a answer) outcome() outcome {
	switch {
	case a.status >= 200 && a.status < 300:
		return acked
	case a.status >= 400 && a.status < 500:
		return rejected
	}
	return uncertain
}

// api calls the dailyfeed HTTP API.
type api struct {
	base string
	http *http.Client
}

func newAPI(base string) *api {
	tr := &http.Transport{MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}
	return &api{base: base, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (c *api) do(ctx context.Context, method, path, token string, body any) answer {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			panic(err)
		}
		rd = bytes.NewReader(b)
	}
	return c.send(ctx, method, path, token, "application/json", rd, body != nil)
}

func (c *api) send(ctx context.Context, method, path, token, ctype string, rd io.Reader, hasBody bool) answer {
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		panic(err)
	}
	if hasBody {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	var wrote atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote.Store(true) },
	}))
	resp, err := c.http.Do(req)
	if err != nil {
		idle := strings.Contains(err.Error(), "server closed idle connection")
		return answer{cut: wrote.Load() && !idle && ctx.Err() == nil}
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode}
	if err != nil {
		return answer{cut: true} // the answer was cut: we do not know
	}
	var env struct {
		Data json.RawMessage `json:"data"`
		Code string          `json:"code"`
	}
	if json.Unmarshal(raw, &env) == nil {
		a.data, a.code = env.Data, env.Code
	}
	return a
}

// upload posts an image as the multipart field "image".
func (c *api) upload(ctx context.Context, token string, img []byte) answer {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	part, err := w.CreateFormFile("image", "chaos.png")
	if err != nil {
		panic(err)
	}
	_, _ = part.Write(img)
	_ = w.Close()
	return c.send(ctx, http.MethodPost, "/api/images/upload", token, w.FormDataContentType(), &buf, true)
}

// id decodes the id of a created post or comment ({"id": n}).
func (a answer) id() (int64, error) {
	var v struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(a.data, &v); err != nil || v.ID == 0 {
		return 0, fmt.Errorf("no id in %s", a.data)
	}
	return v.ID, nil
}
