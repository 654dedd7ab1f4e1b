// Package contenttest serves the content and follow write functions over a
// test stack and helps their tests: members with access tokens, calls
// through the functions' own Handle (so their route matching and path
// values too), and the state to check afterwards: counts and outbox rows.
// It imports no function: its callers give the constructors
// (dailyfeed.Functions()).
package contenttest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/content"
	"github.com/dailyfeed/dailyfeed/internal/fn"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/internal/timeline"
)

// Needs is what the write functions use.
const Needs = stack.Postgres | stack.Redis | stack.Kafka

// Functions are the constructors of functions by name, as the all-in-one
// has them (dailyfeed.Functions): a test kit builds the functions it
// drives from the table its caller gives, and imports none.
type Functions = map[string]func() fn.Instance

// Writes are the content and follow write functions.
var Writes = []string{
	"create-post", "update-post", "delete-post", "like-post", "unlike-post",
	"create-comment", "create-reply", "update-comment", "delete-comment",
	"like-comment", "unlike-comment", "follow-member", "unfollow-member",
}

// Serve serves the routes of the functions called names, made with fns,
// over s. A name fns has no constructor for is a programming error.
func Serve(s *stack.Stack, fns Functions, names ...string) http.Handler {
	instances := map[string]fn.Instance{}
	for _, name := range names {
		newFn, ok := fns[name]
		if !ok {
			panic(fmt.Sprintf("contenttest: no constructor of function %q", name))
		}
		instances[name] = newFn()
	}
	rt := fn.NewRouter(instances)
	rt.Share(s)
	return rt
}

// Handler serves every content and follow write route over s.
func Handler(s *stack.Stack, fns Functions) http.Handler {
	return Serve(s, fns, Writes...)
}

// Env is a test's stack (its own schema, Redis prefix and topics) and a
// client of the write functions.
type Env struct {
	T testing.TB
	S *stack.Stack
	C *membertest.Client
}

// New opens a test stack with what the write functions need, and serves
// them, made with fns (dailyfeed.Functions()).
func New(t testing.TB, fns Functions) *Env {
	t.Helper()
	return Over(t, testenv.Stack(t, Needs), fns)
}

// Over returns the env of an open stack, serving the write functions made
// with fns.
func Over(t testing.TB, s *stack.Stack, fns Functions) *Env {
	return &Env{T: t, S: s, C: &membertest.Client{T: t, Handler: Handler(s, fns)}}
}

// Member is a member with an access token.
type Member struct {
	ID    int64
	Token string
}

var seq atomic.Int64

// Member inserts an active member and issues it an access token.
func (e *Env) Member() Member {
	e.T.Helper()
	ctx := context.Background()
	handle := fmt.Sprintf("writer_%d", seq.Add(1))
	var id int64
	err := e.S.DB.QueryRow(ctx, `INSERT INTO members (email, password_hash, member_name, handle)
		VALUES ($1, 'x', $2, $2) RETURNING id`, handle+"@example.com", handle).Scan(&id)
	if err != nil {
		e.T.Fatalf("insert member: %v", err)
	}
	tok, err := fn.AuthService(e.S).IssueAccess(ctx, id, 0)
	if err != nil {
		e.T.Fatalf("issue access token: %v", err)
	}
	return Member{ID: id, Token: tok.Token}
}

// Do calls method path as m (no token when m is the zero Member) with body
// (see membertest.Client.Do).
func (e *Env) Do(m Member, method, path string, body any) membertest.Response {
	e.T.Helper()
	if m.Token == "" {
		return e.C.Do(method, path, body)
	}
	return e.C.Do(method, path, body, membertest.Bearer(m.Token))
}

// Want fails the test unless res has status (and, for errors, code).
func Want(t testing.TB, res membertest.Response, status int, code string) {
	t.Helper()
	if res.Status != status || res.Code != code {
		t.Fatalf("got %d %s, want %d %s: %s", res.Status, res.Code, status, code, res.Body)
	}
}

// WantLikes fails the test unless res is a 200 whose data is the like
// count n (a like's or an unlike's answer).
func WantLikes(t testing.TB, res membertest.Response, n int) {
	t.Helper()
	Want(t, res, http.StatusOK, "")
	if string(res.Data) != strconv.Itoa(n) {
		t.Errorf("data %s, want the like count %d", res.Data, n)
	}
}

// Post creates a post by m and returns it.
func (e *Env) Post(m Member, text string) content.Post {
	e.T.Helper()
	res := e.Do(m, "POST", "/api/posts", map[string]any{"content": text})
	Want(e.T, res, http.StatusCreated, "")
	var p content.Post
	res.Decode(e.T, &p)
	return p
}

// Comment creates a top-level comment by m on post and returns it.
func (e *Env) Comment(m Member, post int64, text string) content.Comment {
	e.T.Helper()
	res := e.Do(m, "POST", "/api/comments", map[string]any{"postId": post, "content": text})
	Want(e.T, res, http.StatusCreated, "")
	var c content.Comment
	res.Decode(e.T, &c)
	return c
}

// Reply creates a reply by m to parent (on post) and returns it.
func (e *Env) Reply(m Member, post, parent int64, text string) content.Comment {
	e.T.Helper()
	res := e.Do(m, "POST", "/api/comments/replies", map[string]any{"postId": post, "parentId": parent, "content": text})
	Want(e.T, res, http.StatusCreated, "")
	var c content.Comment
	res.Decode(e.T, &c)
	return c
}

// LikePost has m like post, and fails the test unless it answers 200.
func (e *Env) LikePost(m Member, post int64) {
	e.T.Helper()
	e.write(m, "POST", "/api/posts/%d/like", post)
}

// UnlikePost has m cancel its like of post, and fails the test unless it
// answers 200.
func (e *Env) UnlikePost(m Member, post int64) {
	e.T.Helper()
	e.write(m, "DELETE", "/api/posts/%d/like", post)
}

// DeletePost has m delete post, and fails the test unless it answers 200.
func (e *Env) DeletePost(m Member, post int64) {
	e.T.Helper()
	e.write(m, "DELETE", "/api/posts/%d", post)
}

// Follow has a follow b, and fails the test unless it answers 201.
func (e *Env) Follow(a, b Member) {
	e.T.Helper()
	Want(e.T, e.Do(a, "POST", fmt.Sprintf("/api/members/follow/%d", b.ID), nil), http.StatusCreated, "")
}

// Unfollow has a unfollow b, and fails the test unless it answers 200.
func (e *Env) Unfollow(a, b Member) {
	e.T.Helper()
	e.write(a, "DELETE", "/api/members/follow/%d", b.ID)
}

// LikeComment has m like comment, and fails the test unless it answers 200.
func (e *Env) LikeComment(m Member, comment int64) {
	e.T.Helper()
	e.write(m, "POST", "/api/comments/%d/like", comment)
}

// DeleteComment has m delete comment, and fails the test unless it answers
// 200.
func (e *Env) DeleteComment(m Member, comment int64) {
	e.T.Helper()
	e.write(m, "DELETE", "/api/comments/%d", comment)
}

// write calls method on the path of id (format) as m, without a body, and
// fails the test unless it answers 200.
func (e *Env) write(m Member, method, format string, id int64) {
	e.T.Helper()
	Want(e.T, e.Do(m, method, fmt.Sprintf(format, id), nil), http.StatusOK, "")
}

// Int returns the single integer the query selects.
func (e *Env) Int(sql string, args ...any) int64 {
	e.T.Helper()
	var n int64
	if err := e.S.DB.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		e.T.Fatalf("%s: %v", sql, err)
	}
	return n
}

// Event is an outbox row, as the tests check it.
type Event struct {
	OutboxID int64
	Type     string // the CloudEvent type
	Key      string // the Kafka message key
	Source   string
	DedupKey string
	Data     Payload
}

// Payload is the event's data.
type Payload struct {
	MemberID           int64  `json:"memberId"`
	PostID             int64  `json:"postId"`
	CommentID          int64  `json:"commentId"`
	TargetMemberID     int64  `json:"targetMemberId"`
	MemberActivityType string `json:"memberActivityType"`
}

// Outbox returns the outbox rows with an id above after, oldest first.
func (e *Env) Outbox(after int64) []Event {
	e.T.Helper()
	rows, err := e.S.DB.Query(context.Background(), `
		SELECT id, event_type, message_key, event->>'source', coalesce(event->>'dedupkey', ''), (event->'data')::text
		FROM outbox WHERE id > $1 ORDER BY id`, after)
	if err != nil {
		e.T.Fatalf("select outbox: %v", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var ev Event
		var data string
		if err := rows.Scan(&ev.OutboxID, &ev.Type, &ev.Key, &ev.Source, &ev.DedupKey, &data); err != nil {
			e.T.Fatalf("scan outbox: %v", err)
		}
		if err := json.Unmarshal([]byte(data), &ev.Data); err != nil {
			e.T.Fatalf("outbox data %s: %v", data, err)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		e.T.Fatalf("select outbox: %v", err)
	}
	return out
}

// ReadEvent fails the test unless evs, the outbox rows one read committed,
// are one event (typ names it) when want is set, none otherwise. It
// returns the event, and whether there is one to check further.
func ReadEvent(t testing.TB, evs []Event, want bool, typ string) (Event, bool) {
	t.Helper()
	switch {
	case !want && len(evs) != 0:
		t.Fatalf("outbox rows %+v, want none", evs)
	case want && len(evs) != 1:
		t.Fatalf("outbox rows %+v, want one %s", evs, typ)
	}
	if !want {
		return Event{}, false
	}
	return evs[0], true
}

// LastOutboxID returns the id of the newest outbox row (0 when empty).
func (e *Env) LastOutboxID() int64 {
	e.T.Helper()
	return e.Int(`SELECT coalesce(max(id), 0) FROM outbox`)
}

// Client returns a client calling f alone (shared e's stack), as its own
// deployment would be called.
func (e *Env) Client(f fn.Instance) *membertest.Client {
	f.Share(e.S)
	return &membertest.Client{T: e.T, Handler: http.HandlerFunc(f.Handle)}
}

// As sends m's access token.
func As(m Member) membertest.Request { return membertest.Bearer(m.Token) }

// Auth returns the request options that send m's token: none for the zero
// Member, which stands for an anonymous caller in table tests.
func Auth(m Member) []membertest.Request {
	if m.Token == "" {
		return nil
	}
	return []membertest.Request{As(m)}
}

// PostIDs returns the ids of posts, in order (never nil).
func PostIDs(ps []timeline.Post) []int64 {
	out := []int64{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// CommentIDs returns the ids of comments, in order (never nil).
func CommentIDs(cs []content.Comment) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// PageWant is what a page request should answer: the status and code, and
// for a 200 the ids of the page, in order, and hasNext.
type PageWant struct {
	Status  int
	Code    string
	IDs     []int64
	HasNext bool
}

// GetPage calls GET path as m (the zero Member: anonymously) and checks the
// answer against want; ids lists the ids of a page's items. It returns the
// decoded page, and false when the answer was not a 200 (nothing to check
// further).
func GetPage[T any](t *testing.T, c *membertest.Client, as Member, path string, want PageWant, ids func([]T) []int64) (paging.Slice[T], bool) {
	t.Helper()
	res := c.Do("GET", path, nil, Auth(as)...)
	Want(t, res, want.Status, want.Code)
	var page paging.Slice[T]
	if want.Status != http.StatusOK {
		return page, false
	}
	res.Decode(t, &page)
	if got := ids(page.Content); !slices.Equal(got, want.IDs) {
		t.Fatalf("ids %v, want %v", got, want.IDs)
	}
	if page.HasNext != want.HasNext {
		t.Errorf("hasNext %v, want %v", page.HasNext, want.HasNext)
	}
	return page, true
}

// CursorIDs follows the cursor pages of a page route as as (the zero
// Member: anonymously), from first (its path and query, without a cursor)
// for at most max pages, each next one asked for as first plus
// "&cursor=" and the page's nextCursor. It returns the ids of every page,
// in order. between, unless nil, runs before each next page with the ids
// seen so far (a write while paging). A page that is not a 200, or that
// has a next page but no cursor, fails the test.
func CursorIDs[T any](t *testing.T, c *membertest.Client, as Member, first string, max int, ids func([]T) []int64, between func(seen []int64)) []int64 {
	t.Helper()
	var seen []int64
	next := first
	for range max {
		res := c.Do("GET", next, nil, Auth(as)...)
		Want(t, res, http.StatusOK, "")
		var page paging.Slice[T]
		res.Decode(t, &page)
		seen = append(seen, ids(page.Content)...)
		if !page.HasNext {
			break
		}
		if page.NextCursor == "" {
			t.Fatalf("a page with a next page has no cursor: %s", res.Body)
		}
		if between != nil {
			between(seen)
		}
		next = first + "&cursor=" + page.NextCursor
	}
	return seen
}
