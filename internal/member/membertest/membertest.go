// Package membertest gives HTTP tests a small client over a handler they
// build (the member and authentication functions, the all-in-one): sign
// up, log in, call with a token, read the envelope. Other packages' tests
// use it to get authenticated members. It imports no function: its own
// tests serve the member routes (handler_test.go).
package membertest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/openapi"
)

// Password is the password of members made by SignUp.
const Password = "Test-pass1!"

// Clock is a settable clock for stack.Stack.Now.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Client calls a handler in-process.
type Client struct {
	T       testing.TB
	Handler http.Handler
}

// Response is a recorded response with its decoded envelope.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	// Data is the success envelope's data (raw JSON).
	Data json.RawMessage
	// Code is the failure envelope's code.
	Code    string
	Message string
	Cookies []*http.Cookie
}

// Request is an optional part of a call.
type Request func(*http.Request)

// Bearer sends token in the Authorization header.
func Bearer(token string) Request {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

// Cookie sends a cookie.
func Cookie(c *http.Cookie) Request {
	return func(r *http.Request) { r.AddCookie(c) }
}

// Do calls method path with body (a []byte is sent as is, anything else
// as JSON, nil as no body).
func (c *Client) Do(method, path string, body any, opts ...Request) Response {
	c.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			c.T.Fatalf("marshal body: %v", err)
		}
		rd = bytes.NewReader(raw)
	}
	req := httptest.NewRequest(method, path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req)
	}
	rec := httptest.NewRecorder()
	c.Handler.ServeHTTP(rec, req)
	res := Response{Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes(), Cookies: rec.Result().Cookies()}
	CheckAPI(c.T, req, rec.Code, rec.Header(), res.Body)
	var env struct {
		Data    json.RawMessage `json:"data"`
		Code    string          `json:"code"`
		Message string          `json:"message"`
	}
	if err := json.Unmarshal(res.Body, &env); err == nil {
		res.Data, res.Code, res.Message = env.Data, env.Code, env.Message
	}
	return res
}

// CheckAPI fails t unless the response to req matches the OpenAPI
// description (status, content type, required headers, body schema and
// envelope). Client.Do checks every response; tests that call a handler
// without Client call it themselves.
func CheckAPI(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	v, err := openapi.Shared()
	if err != nil {
		t.Fatalf("openapi: %v", err)
	}
	if err := v.Validate(req, status, header, body); err != nil {
		t.Errorf("response does not match openapi.json: %v\nbody: %.600s", err, body)
	}
}

// Decode decodes the response's data into v.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("decode data %s: %v", r.Data, err)
	}
}

// Cookie returns the response cookie called name, or nil.
func (r Response) Cookie(name string) *http.Cookie {
	for _, c := range r.Cookies {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Member is a signed-up member with a session.
type Member struct {
	ID      int64
	Email   string
	Handle  string
	Token   string       // access token
	Refresh *http.Cookie // refresh_token cookie
}

var seq atomic.Int64

// SignUp signs up a new member with a unique e-mail and handle and logs it in.
func (c *Client) SignUp() Member {
	c.T.Helper()
	n := seq.Add(1)
	stamp := time.Now().UnixNano() % 1_000_000_000
	m := Member{
		Email:  fmt.Sprintf("member%d_%d@example.com", stamp, n),
		Handle: fmt.Sprintf("m%d_%d", stamp, n),
	}
	res := c.Do("POST", "/api/authentication/signup", map[string]any{
		"email": m.Email, "password": Password, "memberName": "Test Member", "handle": m.Handle,
		"gender": "OTHER", "countryCode": "KR",
	})
	if res.Status != http.StatusCreated {
		c.T.Fatalf("signup: %d %s", res.Status, res.Body)
	}
	var p struct {
		MemberID int64 `json:"memberId"`
	}
	res.Decode(c.T, &p)
	m.ID = p.MemberID
	return c.Login(m)
}

// Login opens a new session for m.
func (c *Client) Login(m Member) Member {
	c.T.Helper()
	res := c.Do("POST", "/api/authentication/login", map[string]string{"email": m.Email, "password": Password})
	if res.Status != http.StatusOK {
		c.T.Fatalf("login: %d %s", res.Status, res.Body)
	}
	var d struct {
		AccessToken string `json:"accessToken"`
	}
	res.Decode(c.T, &d)
	m.Token, m.Refresh = d.AccessToken, res.Cookie("refresh_token")
	if m.Token == "" || m.Refresh == nil {
		c.T.Fatalf("login gave no tokens: %s", res.Body)
	}
	return m
}
