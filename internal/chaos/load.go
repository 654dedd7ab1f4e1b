package chaos

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dailyfeed/dailyfeed/events"
)

// member is one member of the run, driven by exactly one worker: what it
// does is never raced by another worker, so the ledger knows its state.
type member struct {
	id    int64
	token string
	email string
}

type post struct {
	author  int64
	content string // last acknowledged content
	deleted bool
	unsure  bool // an update or delete got no clear answer
}

type comment struct {
	post, author int64
	depth        int
	deleted      bool
	unsure       bool
}

// pair is a (subject, object) relation a member owns: a like of a post or
// comment, a follow.
type pair struct{ who, what int64 }

// state is a relation's state as far as the API told: present, and
// whether an unanswered request may have changed it.
type state struct{ on, unsure bool }

// ledger is everything the API acknowledged, refused or left unanswered.
type ledger struct {
	mu           sync.Mutex
	posts        map[int64]*post
	postIDs      []int64
	comments     map[int64]*comment
	commentIDs   []int64
	postLikes    map[pair]state
	commentLikes map[pair]state
	follows      map[pair]state
	images       []string
	// events per (type, member): acknowledged operations, and those that
	// may or may not have happened.
	events, unsure map[typeMember]int
	// rejected writes whose content must never appear
	refusedContent []string
	statuses       map[string]map[int]int // op -> status -> count
	unclear        atomic.Int64           // 5xx other than 503
	cut            atomic.Int64           // requests sent whole that got no answer
	failed         atomic.Int64           // no answer or 503
	acked          atomic.Int64           // acknowledged event-emitting operations
}

type typeMember struct {
	t events.Type
	m int64
}

func newLedger() *ledger {
	return &ledger{posts: map[int64]*post{}, comments: map[int64]*comment{},
		postLikes: map[pair]state{}, commentLikes: map[pair]state{}, follows: map[pair]state{},
		events: map[typeMember]int{}, unsure: map[typeMember]int{}, statuses: map[string]map[int]int{}}
}

// note records the answer to op; an event-emitting op counts t for m.
func (l *ledger) note(op string, a answer, t events.Type, m int64) outcome {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.statuses[op] == nil {
		l.statuses[op] = map[int]int{}
	}
	l.statuses[op][a.status]++
	if a.status >= 500 && a.status != http.StatusServiceUnavailable {
		l.unclear.Add(1)
	}
	if a.cut {
		l.cut.Add(1)
	}
	if a.status == 0 || a.status == http.StatusServiceUnavailable {
		l.failed.Add(1)
	}
	o := a.outcome()
	if t != "" {
		switch o {
		case acked:
			l.events[typeMember{t, m}]++
			l.acked.Add(1)
		case uncertain:
			l.unsure[typeMember{t, m}]++
		}
	}
	return o
}

func (l *ledger) randomPost(r *rand.Rand) (int64, *post) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.postIDs) == 0 {
		return 0, nil
	}
	id := l.postIDs[r.IntN(len(l.postIDs))]
	return id, l.posts[id]
}

func (l *ledger) randomComment(r *rand.Rand) (int64, *comment) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.commentIDs) == 0 {
		return 0, nil
	}
	id := l.commentIDs[r.IntN(len(l.commentIDs))]
	return id, l.comments[id]
}

// worker drives its members with a random mix of operations until the
// ledger holds enough acknowledged events or ctx ends.
type worker struct {
	api     *api
	l       *ledger
	r       *rand.Rand
	members []member
	others  []member // every member of the run, as targets
	run     string
	png     []byte
	seq     int
}

// op is one kind of operation and its weight in the mix.
type op struct {
	name   string
	weight int
	do     func(w *worker, ctx context.Context, m member)
}

var mix = []op{
	{"create-post", 22, (*worker).createPost},
	{"update-post", 4, (*worker).updatePost},
	{"delete-post", 3, (*worker).deletePost},
	{"get-post", 10, (*worker).getPost},
	{"create-comment", 12, (*worker).createComment},
	{"create-reply", 6, (*worker).createReply},
	{"update-comment", 2, (*worker).updateComment},
	{"delete-comment", 2, (*worker).deleteComment},
	{"like-post", 14, (*worker).togglePostLike},
	{"like-comment", 6, (*worker).toggleCommentLike},
	{"follow", 10, (*worker).toggleFollow},
	{"read-feed", 5, (*worker).readFeed},
	{"read-rankings", 1, (*worker).readRankings},
	{"upload-image", 1, (*worker).uploadImage},
	{"refused-write", 2, (*worker).refusedWrite},
}

var mixTotal = func() int {
	n := 0
	for _, o := range mix {
		n += o.weight
	}
	return n
}()

func (w *worker) pick() op {
	n := w.r.IntN(mixTotal)
	for _, o := range mix {
		if n < o.weight {
			return o
		}
		n -= o.weight
	}
	return mix[0]
}

func (w *worker) loop(ctx context.Context, target int64) {
	for ctx.Err() == nil && w.l.acked.Load() < target {
		m := w.members[w.r.IntN(len(w.members))]
		o := w.pick()
		before := w.l.failed.Load()
		o.do(w, ctx, m)
		if w.l.failed.Load() != before {
			// As a client would: back off a little when the API is down or
			// says so.
			sleep(ctx, time.Duration(50+w.r.IntN(100))*time.Millisecond)
		}
	}
}

func (w *worker) text(kind string) string {
	w.seq++
	return fmt.Sprintf("chaos %s %s %d 오늘 공부 #%d", w.run, kind, w.members[0].id, w.seq)
}

func (w *worker) createPost(ctx context.Context, m member) {
	content := w.text("post")
	a := w.api.do(ctx, "POST", "/api/posts", m.token, map[string]string{"content": content})
	if w.l.note("create-post", a, events.PostCreate, m.id) != acked {
		return
	}
	id, err := a.id()
	if err != nil {
		w.l.note("create-post (no id)", answer{status: 599}, "", 0)
		return
	}
	w.l.mu.Lock()
	w.l.posts[id] = &post{author: m.id, content: content}
	w.l.postIDs = append(w.l.postIDs, id)
	w.l.mu.Unlock()
}

// ownPost picks a live post of m, if any.
func (w *worker) ownPost(m member) (int64, *post) {
	for range 8 {
		id, p := w.l.randomPost(w.r)
		if p != nil && p.author == m.id && !p.deleted {
			return id, p
		}
	}
	return 0, nil
}

func (w *worker) updatePost(ctx context.Context, m member) {
	id, p := w.ownPost(m)
	if p == nil {
		return
	}
	content := w.text("edit")
	a := w.api.do(ctx, "PUT", "/api/posts/"+strconv.FormatInt(id, 10), m.token, map[string]string{"content": content})
	switch w.l.note("update-post", a, events.PostUpdate, m.id) {
	case acked:
		w.l.mu.Lock()
		p.content = content
		w.l.mu.Unlock()
	case uncertain:
		w.l.mu.Lock()
		p.unsure = true
		w.l.mu.Unlock()
	}
}

func (w *worker) deletePost(ctx context.Context, m member) {
	id, p := w.ownPost(m)
	if p == nil {
		return
	}
	a := w.api.do(ctx, "DELETE", "/api/posts/"+strconv.FormatInt(id, 10), m.token, nil)
	switch w.l.note("delete-post", a, events.PostDelete, m.id) {
	case acked:
		w.l.mu.Lock()
		p.deleted = true
		w.l.mu.Unlock()
	case uncertain:
		w.l.mu.Lock()
		p.unsure = true
		w.l.mu.Unlock()
	}
}

func (w *worker) getPost(ctx context.Context, m member) {
	id, p := w.l.randomPost(w.r)
	if p == nil {
		return
	}
	a := w.api.do(ctx, "GET", "/api/timeline/posts/"+strconv.FormatInt(id, 10), m.token, nil)
	if p.author == m.id {
		w.l.note("get-post (own)", a, "", 0) // an author's own read is no view: no event
		return
	}
	w.l.note("get-post", a, events.PostRead, m.id)
}

func (w *worker) createComment(ctx context.Context, m member) {
	id, p := w.l.randomPost(w.r)
	if p == nil {
		return
	}
	w.comment(ctx, m, "create-comment", "/api/comments", map[string]any{"postId": id, "content": w.text("comment")}, id, 0)
}

func (w *worker) createReply(ctx context.Context, m member) {
	cid, c := w.l.randomComment(w.r)
	if c == nil || c.depth >= 2 {
		return
	}
	w.comment(ctx, m, "create-reply", "/api/comments/replies",
		map[string]any{"postId": c.post, "parentId": cid, "content": w.text("reply")}, c.post, c.depth+1)
}

func (w *worker) comment(ctx context.Context, m member, name, path string, body map[string]any, postID int64, depth int) {
	a := w.api.do(ctx, "POST", path, m.token, body)
	if w.l.note(name, a, events.CommentCreate, m.id) != acked {
		return
	}
	id, err := a.id()
	if err != nil {
		w.l.note(name+" (no id)", answer{status: 599}, "", 0)
		return
	}
	w.l.mu.Lock()
	w.l.comments[id] = &comment{post: postID, author: m.id, depth: depth}
	w.l.commentIDs = append(w.l.commentIDs, id)
	w.l.mu.Unlock()
}

func (w *worker) ownComment(m member) (int64, *comment) {
	for range 8 {
		id, c := w.l.randomComment(w.r)
		if c != nil && c.author == m.id && !c.deleted {
			return id, c
		}
	}
	return 0, nil
}

func (w *worker) updateComment(ctx context.Context, m member) {
	id, c := w.ownComment(m)
	if c == nil {
		return
	}
	a := w.api.do(ctx, "PUT", "/api/comments/"+strconv.FormatInt(id, 10), m.token, map[string]string{"content": w.text("comment edit")})
	w.l.note("update-comment", a, events.CommentUpdate, m.id)
}

func (w *worker) deleteComment(ctx context.Context, m member) {
	id, c := w.ownComment(m)
	if c == nil {
		return
	}
	a := w.api.do(ctx, "DELETE", "/api/comments/"+strconv.FormatInt(id, 10), m.token, nil)
	switch w.l.note("delete-comment", a, events.CommentDelete, m.id) {
	case acked:
		w.l.mu.Lock()
		c.deleted = true
		w.l.mu.Unlock()
	case uncertain:
		w.l.mu.Lock()
		c.unsure = true
		w.l.mu.Unlock()
	}
}

// toggle likes or unlikes (follows or unfollows) what by m, as the
// ledger believes its state; a 409 or 404 answer tells the true state.
func (w *worker) toggle(ctx context.Context, m member, rel map[pair]state, what int64, path, name string, on, off events.Type) {
	k := pair{m.id, what}
	w.l.mu.Lock()
	s := rel[k]
	w.l.mu.Unlock()
	method, t := "POST", on
	if s.on {
		method, t = "DELETE", off
	}
	a := w.api.do(ctx, method, path, m.token, nil)
	o := w.l.note(name+" "+method, a, t, m.id)
	w.l.mu.Lock()
	defer w.l.mu.Unlock()
	s = rel[k]
	switch {
	case o == acked:
		s = state{on: method == "POST"}
	case o == uncertain:
		s.unsure = true
	case a.code == "ALREADY_LIKED" || a.code == "ALREADY_FOLLOWING":
		s = state{on: true}
	case a.code == "LIKE_NOT_FOUND" || a.code == "FOLLOW_NOT_FOUND":
		s = state{on: false}
	}
	rel[k] = s
}

func (w *worker) togglePostLike(ctx context.Context, m member) {
	id, p := w.l.randomPost(w.r)
	if p == nil {
		return
	}
	w.toggle(ctx, m, w.l.postLikes, id, "/api/posts/"+strconv.FormatInt(id, 10)+"/like", "like-post", events.LikePost, events.LikePostCancel)
}

func (w *worker) toggleCommentLike(ctx context.Context, m member) {
	id, c := w.l.randomComment(w.r)
	if c == nil {
		return
	}
	w.toggle(ctx, m, w.l.commentLikes, id, "/api/comments/"+strconv.FormatInt(id, 10)+"/like", "like-comment", events.LikeComment, events.LikeCommentCancel)
}

func (w *worker) toggleFollow(ctx context.Context, m member) {
	o := w.others[w.r.IntN(len(w.others))]
	if o.id == m.id {
		return
	}
	w.toggle(ctx, m, w.l.follows, o.id, "/api/members/follow/"+strconv.FormatInt(o.id, 10), "follow", events.MemberFollow, events.MemberUnfollow)
}

func (w *worker) readFeed(ctx context.Context, m member) {
	w.l.note("follow-feed", w.api.do(ctx, "GET", "/api/timeline/posts/followings?size=20", m.token, nil), "", 0)
}

func (w *worker) readRankings(ctx context.Context, m member) {
	w.l.note("popular-posts", w.api.do(ctx, "GET", "/api/timeline/posts/most-popular?size=10", m.token, nil), "", 0)
	w.l.note("most-commented-posts", w.api.do(ctx, "GET", "/api/timeline/posts/most-commented?size=10", m.token, nil), "", 0)
}

func (w *worker) uploadImage(ctx context.Context, m member) {
	a := w.api.upload(ctx, m.token, w.png)
	if w.l.note("upload-image", a, "", 0) != acked {
		return
	}
	var id string
	if err := jsonInto(a.data, &id); err != nil || id == "" {
		w.l.note("upload-image (no id)", answer{status: 599}, "", 0)
		return
	}
	w.l.mu.Lock()
	w.l.images = append(w.l.images, id)
	w.l.mu.Unlock()
}

// refusedWrite sends a write that must be refused with a 4xx and change
// nothing: an empty post, someone else's post edited, a comment on a
// missing post, a self-follow.
func (w *worker) refusedWrite(ctx context.Context, m member) {
	content := w.text("refused")
	var a answer
	var name string
	switch w.r.IntN(4) {
	case 0:
		name = "refused: empty post"
		a = w.api.do(ctx, "POST", "/api/posts", m.token, map[string]string{"content": ""})
	case 1:
		id, p := w.l.randomPost(w.r)
		if p == nil || p.author == m.id {
			return
		}
		name = "refused: edit of another's post"
		a = w.api.do(ctx, "PUT", "/api/posts/"+strconv.FormatInt(id, 10), m.token, map[string]string{"content": content})
	case 2:
		name = "refused: comment on a missing post"
		a = w.api.do(ctx, "POST", "/api/comments", m.token, map[string]any{"postId": int64(1) << 50, "content": content})
	case 3:
		name = "refused: self-follow"
		a = w.api.do(ctx, "POST", "/api/members/follow/"+strconv.FormatInt(m.id, 10), m.token, nil)
	}
	w.l.note(name, a, "", 0)
	if a.outcome() == acked {
		w.l.unclear.Add(1) // a write that must be refused was accepted
	}
	w.l.mu.Lock()
	w.l.refusedContent = append(w.l.refusedContent, content)
	w.l.mu.Unlock()
}

// tinyPNG is a small valid image, different per worker.
func tinyPNG(seed uint64) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for x := range 16 {
		for y := range 16 {
			img.Set(x, y, color.RGBA{uint8(seed), uint8(x * 16), uint8(y * 16), 255})
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
