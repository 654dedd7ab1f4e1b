// Package chaos is dailyfeed's chaos run (`make chaos`): on a private
// loopback stack of its own it drives a sustained mix of writes and reads
// through the HTTP API from many members while a fault schedule kills and
// restarts every server and process and produces malformed records to the
// topics; then it accounts for every operation the API acknowledged
// against the truth in PostgreSQL and prints lost / duplicated / wrong /
// stuck, all of which must be 0.
//
// The run's servers are its own (state under $TMPDIR, ports from
// Options.PortBase): it restarts and kills them while the development
// stack and other tests keep theirs. The sinks and the delivery run as
// their own process (cmd/sinks), the API as the all-in-one function with
// LOCAL_SINKS=off, as on a cluster.
package chaos

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/dailyfeed/dailyfeed/internal/config"
	"github.com/dailyfeed/dailyfeed/internal/route"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// Options size a run.
type Options struct {
	Events   int64         // acknowledged event-emitting operations to drive
	Members  int           // members signed up
	Workers  int           // concurrent clients
	Schedule []Fault       // faults, in order, spread over the run
	PortBase int           // private ports PortBase+1 ... +8
	Dir      string        // state folder (default $TMPDIR/dailyfeed-chaos-<PortBase>)
	Drain    time.Duration // how long the delivery may take to catch up at the end
	Log      io.Writer     // progress (default stderr)
	// CheckTheCheck plants a lost activity row, a lost fan-out and a wrong
	// count after the accounting and accounts again (Report.Planted): a
	// test of the accounting itself.
	CheckTheCheck bool
}

// Report is what a run found.
type Report struct {
	Tally
	Events       int64                  `json:"events"`     // acknowledged event-emitting operations
	Operations   int64                  `json:"operations"` // every request sent
	Members      int                    `json:"members"`
	Seconds      float64                `json:"seconds"` // load phase
	EventsPerSec float64                `json:"eventsPerSecond"`
	Faults       map[string]int         `json:"faults"`
	MaxLag       int64                  `json:"maxLagRecords"`
	MaxLagAge    float64                `json:"maxLagAgeSeconds"`
	Retries      int64                  `json:"retries"` // delivery attempts beyond one per record
	Poison       int                    `json:"poison"`  // malformed records produced
	Unclear      int64                  `json:"unclear"` // 5xx answers other than 503, refused writes accepted
	Cut          int64                  `json:"cut"`     // requests sent whole that got no answer (a shutdown that dropped them)
	Drained      float64                `json:"drainSeconds"`
	Statuses     map[string]map[int]int `json:"statuses"`
	// Planted is the accounting after the planted defects (CheckTheCheck).
	Planted *Tally `json:"planted,omitempty"`
}

// Run performs one chaos run.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.Log == nil {
		o.Log = os.Stderr
	}
	root, err := repoRoot(ctx)
	if err != nil {
		return Report{}, err
	}
	if o.PortBase == 0 {
		o.PortBase = 25400
	}
	if o.Dir == "" {
		// Under the temporary folder, not the checkout: the run's
		// PostgreSQL runs as an unprivileged user, which must reach it.
		o.Dir = filepath.Join(os.TempDir(), fmt.Sprintf("dailyfeed-chaos-%d", o.PortBase))
	}
	if o.Drain == 0 {
		o.Drain = 3 * time.Minute
	}
	r := &runner{o: o, log: o.Log, faults: map[string]int{}}
	r.srv = &Servers{Root: root, Dir: o.Dir, Bin: filepath.Join(root, ".local", "bin"), Ports: PortsFrom(o.PortBase), Log: o.Log}
	defer r.stop()
	if err := r.start(ctx, root); err != nil {
		return Report{}, err
	}
	return r.run(ctx)
}

type runner struct {
	o         Options
	log       io.Writer
	srv       *Servers
	api, sink *Process
	l         *ledger
	members   []member

	mu      sync.Mutex
	faults  map[string]int
	poison  []coords
	maxLag  int64
	maxAge  time.Duration
	retries atomic.Int64
}

type coords struct {
	topic     string
	partition int32
	offset    int64
}

func (r *runner) logf(format string, args ...any) {
	fmt.Fprintf(r.log, "chaos %s: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func repoRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}").Output()
	if err != nil {
		return "", fmt.Errorf("find the repository: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (r *runner) env() []string {
	p := r.srv.Ports
	return []string{
		"DATABASE_URL=" + r.srv.DatabaseURL(),
		"REDIS_ADDR=127.0.0.1:" + strconv.Itoa(p.Redis),
		"KAFKA_BROKERS=127.0.0.1:" + strconv.Itoa(p.Kafka),
		"S3_ENDPOINT=http://127.0.0.1:" + strconv.Itoa(p.MinIO),
		"LISTEN_ADDRESS=127.0.0.1:" + strconv.Itoa(p.API),
		"SINKS_LISTEN_ADDRESS=127.0.0.1:" + strconv.Itoa(p.Sinks),
		"LOCAL_SINKS=off",
		"OTEL_SDK_DISABLED=true",
	}
}

// start brings up fresh servers and the two processes.
func (r *runner) start(ctx context.Context, root string) error {
	_ = r.srv.Down(ctx) // a previous run's leftovers (only what it started)
	for _, d := range []string{"postgres", "redis", "kafka", "minio", "log", "run"} {
		if err := os.RemoveAll(filepath.Join(r.o.Dir, d)); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Join(r.o.Dir, "log"), 0o755); err != nil {
		return err
	}
	// A PostgreSQL started by the run runs as an unprivileged user, which
	// must reach the state folder.
	_ = os.Chmod(r.o.Dir, 0o755)
	r.logf("starting private servers under %s", r.o.Dir)
	if err := r.srv.Up(ctx); err != nil {
		return err
	}
	bin := filepath.Join(r.o.Dir, "bin")
	r.logf("building the all-in-one function, the sinks and the migrate job")
	for _, b := range []struct{ pkg, out string }{{"./cmd/dailyfeed", "dailyfeed"}, {"./cmd/sinks", "sinks"}, {"./cmd/migrate", "migrate"}} {
		if err := build(ctx, root, b.pkg, filepath.Join(bin, b.out)); err != nil {
			return err
		}
	}
	// The setup job runs once, before the functions start, as on a cluster.
	migrate := exec.CommandContext(ctx, filepath.Join(bin, "migrate"))
	migrate.Env = append(os.Environ(), r.env()...)
	if out, err := migrate.CombinedOutput(); err != nil {
		return fmt.Errorf("migrate job: %w\n%s", err, out)
	}
	p := r.srv.Ports
	logs := filepath.Join(r.o.Dir, "log")
	r.api = &Process{Name: "api", Binary: filepath.Join(bin, "dailyfeed"), LogDir: logs,
		Env: append(r.env(), "METRICS_ADDRESS=off"), Ready: fmt.Sprintf("http://127.0.0.1:%d/health/readiness", p.API)}
	r.sink = &Process{Name: "sinks", Binary: filepath.Join(bin, "sinks"), LogDir: logs,
		Env: append(r.env(), "METRICS_ADDRESS=127.0.0.1:"+strconv.Itoa(p.Metrics)), Ready: fmt.Sprintf("http://127.0.0.1:%d/delivery", p.Sinks)}
	if err := r.api.Start(ctx); err != nil {
		return err
	}
	return r.sink.Start(ctx)
}

func (r *runner) stop() {
	if r.sink != nil {
		r.sink.Stop(30 * time.Second)
	}
	if r.api != nil {
		r.api.Stop(30 * time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_ = r.srv.Down(ctx)
}

func (r *runner) run(ctx context.Context) (Report, error) {
	o := r.o
	c := newAPI(fmt.Sprintf("http://127.0.0.1:%d", r.srv.Ports.API))
	tag := strconv.FormatInt(time.Now().UnixNano()%1e9, 36)
	members, err := signUp(ctx, c, tag, o.Members, min(o.Workers, 8))
	if err != nil {
		return Report{}, err
	}
	r.members = members
	r.l = newLedger()
	r.logf("%d members signed up; driving %d events with %d clients, %d faults scheduled", len(members), o.Events, o.Workers, len(o.Schedule))

	sampling, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	var bg sync.WaitGroup
	bg.Go(func() { r.sample(sampling) })

	load, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	began := time.Now()
	var wg sync.WaitGroup
	for i := range o.Workers {
		var own []member
		for j := i; j < len(members); j += o.Workers {
			own = append(own, members[j])
		}
		if len(own) == 0 {
			continue
		}
		w := &worker{api: c, l: r.l, r: rand.New(rand.NewPCG(uint64(i), uint64(began.UnixNano()))), members: own,
			others: members, run: tag, png: tinyPNG(uint64(i))}
		wg.Go(func() { w.loop(load, o.Events) })
	}
	faultErr := r.schedule(load, tag)
	wg.Wait()
	loadTook := time.Since(began)
	if faultErr != nil {
		return Report{}, faultErr
	}
	r.logf("load done: %d events acknowledged in %s", r.l.acked.Load(), loadTook.Round(time.Second))

	drainStart := time.Now()
	stuck := r.drain(ctx)
	drained := time.Since(drainStart)
	stopSampling()
	bg.Wait()

	db, err := pgxpool.New(ctx, r.srv.DatabaseURL())
	if err != nil {
		return Report{}, err
	}
	defer db.Close()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + strconv.Itoa(r.srv.Ports.Redis)})
	defer rdb.Close()
	a := &accountant{db: db, redis: rdb, prefix: "dailyfeed:", l: r.l, heavy: 10_000, timelineCap: 800}
	a.t.add(&a.t.Stuck, stuck, "records or outbox rows still waiting after %s", o.Drain)
	a.deadLetters(ctx, r.poison, len(sinkNames()))
	a.images(ctx, c, members)
	tally := a.run(ctx)
	var planted *Tally
	if o.CheckTheCheck {
		if err := plant(ctx, db, rdb, a.prefix); err != nil {
			return Report{}, err
		}
		again := &accountant{db: db, redis: rdb, prefix: a.prefix, l: r.l, heavy: a.heavy, timelineCap: a.timelineCap}
		t := again.run(ctx)
		planted = &t
	}

	rep := Report{Tally: tally, Events: r.l.acked.Load(), Members: len(members), Seconds: loadTook.Seconds(),
		Faults: r.faults, MaxLag: r.maxLag, MaxLagAge: r.maxAge.Seconds(), Retries: r.retries.Load(),
		Poison: len(r.poison), Unclear: r.l.unclear.Load(), Cut: r.l.cut.Load(), Drained: drained.Seconds(), Statuses: r.l.statuses, Planted: planted}
	for _, st := range r.l.statuses {
		for _, n := range st {
			rep.Operations += int64(n)
		}
	}
	rep.EventsPerSec = float64(rep.Events) / loadTook.Seconds()
	if rep.Cut > 0 {
		// Counted as unanswered (their effect allowed once, never twice),
		// and reported: a request the API dropped at SIGTERM and one that
		// raced the closing of an idle keep-alive connection look alike to
		// a client (on a cluster the queue-proxy drains before SIGTERM).
		rep.Findings = append(rep.Findings, fmt.Sprintf("note: %d requests were sent whole and got no answer (dropped at a shutdown, raced a closing idle connection, or hung)", rep.Cut))
	}
	if rep.Unclear > 0 {
		rep.Wrong += int(rep.Unclear)
		rep.Findings = append(rep.Findings, fmt.Sprintf("%d answers were neither a success, a 4xx nor a clear 503", rep.Unclear))
	}
	return rep, nil
}

// plant removes one activity row and one post from a timeline and makes
// one like count wrong.
func plant(ctx context.Context, db *pgxpool.Pool, rdb *redis.Client, prefix string) error {
	if _, err := db.Exec(ctx, `DELETE FROM activities WHERE id = (SELECT min(id) FROM activities)`); err != nil {
		return fmt.Errorf("plant: %w", err)
	}
	if _, err := db.Exec(ctx, `UPDATE posts SET like_count = like_count + 1 WHERE id = (SELECT min(id) FROM posts WHERE deleted_at IS NULL)`); err != nil {
		return fmt.Errorf("plant: %w", err)
	}
	keys, _, err := rdb.Scan(ctx, 0, prefix+"timeline:*", 1000).Result()
	if err != nil {
		return fmt.Errorf("plant: %w", err)
	}
	for _, k := range keys {
		ids, err := rdb.ZRangeArgs(ctx, redis.ZRangeArgs{Key: k, Start: 0, Stop: 0, Rev: true}).Result()
		if err == nil && len(ids) == 1 && ids[0] != "0" {
			return rdb.ZRem(ctx, k, ids[0]).Err()
		}
	}
	return fmt.Errorf("plant: no timeline holds a post")
}

// sinkNames are the sinks the delivery feeds (not the dead-letter sink).
func sinkNames() []string {
	var out []string
	for _, f := range route.Functions {
		if f.Kind == route.CloudEvent && f.Group == route.Sink && !f.DeadLetter && len(f.Topics) == 0 && f.Topic == "" {
			out = append(out, f.Name)
		}
	}
	return out
}

func (r *runner) brokers() []string {
	return []string{"127.0.0.1:" + strconv.Itoa(r.srv.Ports.Kafka)}
}

func (r *runner) topics() kafka.Topics {
	zone, _ := time.LoadLocation(config.DefaultTopicTimeZone)
	return kafka.NewTopics(kafka.DefaultTopicBase, zone, time.Now)
}

func (r *runner) groups() []string {
	var g []string
	for _, n := range sinkNames() {
		g = append(g, "dailyfeed-"+n)
	}
	return g
}

// lag measures the delivery lag of every sink on the current topics.
func (r *runner) lag(ctx context.Context) (int64, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ls, err := kafka.Lags(ctx, r.brokers(), r.groups(), r.topics().Window())
	if err != nil {
		return 0, 0, err
	}
	var sum int64
	var age time.Duration
	for _, l := range ls {
		sum += l.Lag
		age = max(age, l.OldestAge)
	}
	return sum, age, nil
}

// sample keeps the largest delivery lag seen and the delivery retries.
func (r *runner) sample(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		if sum, age, err := r.lag(ctx); err == nil {
			r.mu.Lock()
			r.maxLag, r.maxAge = max(r.maxLag, sum), max(r.maxAge, age)
			r.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// drain waits until the outbox is empty and every sink has caught up; it
// returns what still waits after Options.Drain.
func (r *runner) drain(ctx context.Context) int {
	db, err := pgxpool.New(ctx, r.srv.DatabaseURL())
	if err != nil {
		return 1
	}
	defer db.Close()
	deadline := time.Now().Add(r.o.Drain)
	for {
		var pending int
		_ = db.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE sent_at IS NULL`).Scan(&pending)
		lag, _, err := r.lag(ctx)
		if err == nil && pending == 0 && lag == 0 {
			return 0
		}
		if time.Now().After(deadline) {
			r.logf("still waiting after %s: %d outbox rows pending, lag %d (err %v)", r.o.Drain, pending, lag, err)
			return pending + int(lag)
		}
		if !sleep(ctx, time.Second) {
			return pending + int(lag)
		}
	}
}

func signUp(ctx context.Context, c *api, tag string, n, par int) ([]member, error) {
	out := make([]member, n)
	errs := make(chan error, n)
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			m := member{email: fmt.Sprintf("chaos_%s_%d@example.com", tag, i)}
			const password = "Chaos-pass1!"
			body := map[string]any{"email": m.email, "password": password, "memberName": "Chaos Member",
				"handle": fmt.Sprintf("c%s_%d", tag, i), "gender": "OTHER", "countryCode": "KR"}
			for attempt := 0; ; attempt++ {
				a := c.do(ctx, "POST", "/api/authentication/signup", "", body)
				if a.status == 201 || a.code == "EMAIL_ALREADY_EXISTS" || a.code == "MEMBER_ALREADY_EXISTS" {
					break
				}
				if attempt == 5 {
					errs <- fmt.Errorf("signup %d: %d %s", i, a.status, a.code)
					return
				}
				sleep(ctx, time.Second)
			}
			a := c.do(ctx, "POST", "/api/authentication/login", "", map[string]string{"email": m.email, "password": password})
			var login struct {
				MemberID    int64  `json:"memberId"`
				AccessToken string `json:"accessToken"`
			}
			if a.status != 200 || jsonInto(a.data, &login) != nil || login.AccessToken == "" {
				errs <- fmt.Errorf("login %d: %d %s", i, a.status, a.code)
				return
			}
			m.id, m.token = login.MemberID, login.AccessToken
			out[i] = m
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	slog.Debug("members signed up", "n", n)
	return out, nil
}
