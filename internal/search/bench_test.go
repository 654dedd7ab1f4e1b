package search

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/search/terms"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// vocabulary of the seeded posts: Korean words with their particles
// attached, and English words.
var vocabulary = []string{
	"오늘", "한국어", "공부를", "공부했다", "친구와", "커피를", "마셨다", "날씨가", "좋아요", "서울에서",
	"여행", "사진을", "찍었다", "맛있는", "저녁", "운동을", "했어요", "책을", "읽었다", "영화를", "봤다",
	"today", "coffee", "golang", "learning", "weather", "travel", "photo", "dinner", "running",
	"reading", "movie", "friends", "weekend", "code", "search", "index", "database",
}

// seed inserts n posts of 8–27 pseudo-random words (a hash of the row
// and word number, so every run has the same table) by 50 authors, one deleted in ten, and analyzes.
func seed(t testing.TB, s *stack.Stack, n int) {
	t.Helper()
	testenv.Exec(t, s, `INSERT INTO members (email, password_hash, member_name, handle)
		SELECT 'seed' || g || '@example.com', 'x', 'seed ' || g, 'seed_' || g FROM generate_series(1, 50) g`)
	testenv.Exec(t, s, `
		INSERT INTO posts (author_id, content, created_at, updated_at, activity_at, deleted_at)
		SELECT (SELECT min(id) FROM members) + g % 50,
			(SELECT string_agg(($2::text[])[1 + abs(hashint4(g * 31 + w)) % array_length($2::text[], 1)], ' ')
			 FROM generate_series(1, 8 + g % 20) w),
			now() - g * interval '1 minute', now() - g * interval '1 minute', now() - g * interval '1 minute',
			CASE WHEN g % 10 = 0 THEN now() END
		FROM generate_series(1, $1::int) g`, n, vocabulary)
	fillTerms(t, s)
	testenv.Exec(t, s, `VACUUM ANALYZE posts`) // also moves the GIN pending lists into the indexes
}

// fillTerms sets search_terms of the seeded posts with the tokenizer, as
// create-post does.
func fillTerms(t testing.TB, s *stack.Stack) {
	t.Helper()
	ctx := context.Background()
	rows, err := s.DB.Query(ctx, `SELECT id, content FROM posts`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var vectors []string
	for rows.Next() {
		var id int64
		var text string
		if err := rows.Scan(&id, &text); err != nil {
			t.Fatal(err)
		}
		ids, vectors = append(ids, id), append(vectors, terms.Vector(text))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	testenv.Exec(t, s, `UPDATE posts p SET search_terms = v.t::tsvector FROM unnest($1::bigint[], $2::text[]) v(id, t) WHERE p.id = v.id`, ids, vectors)
}

// BenchmarkSearchPosts searches a table of 20 000 posts: a three-character
// Korean word, a two-character one, one character, an English word, two
// words, and a keyword that matches nothing.
func BenchmarkSearchPosts(b *testing.B) {
	s := testenv.Stack(b, stack.Postgres)
	seed(b, s, 20_000)
	svc := Service{DB: s.DB}
	ctx := context.Background()
	for _, raw := range []string{"한국어", "공부", "책", "golang", "커피를 weekend", "없는단어"} {
		kw, err := ParseKeyword(raw)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(strings.ReplaceAll(raw, " ", "_"), func(b *testing.B) {
			var total int64
			for b.Loop() {
				hits, err := svc.Posts(ctx, 1, kw, paging.Page{Size: DefaultSize})
				if err != nil {
					b.Fatal(err)
				}
				total = *hits.TotalElements
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
}

// TestSearchPlans checks the plans of the search query on a seeded table:
// every keyword is served by an index, the GIN index on search_terms or
// the newest-first index, never by a scan of posts. The planner may still
// prefer a scan on a small table, so scans are disabled while explaining.
// -v prints the plans (EXPLAIN ANALYZE) with scans enabled.
func TestSearchPlans(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	seed(t, s, 5_000)
	for _, raw := range []string{"없는단어", "golang", "커피를 weekend", "공부", "밥"} {
		kw, err := ParseKeyword(raw)
		if err != nil {
			t.Fatal(err)
		}
		// A window of a day, as an older window of a search reads it.
		day := time.Now().Add(-24 * time.Hour)
		args := []any{kw.Query, day, day.Add(24 * time.Hour), MaxHits}
		if testing.Verbose() {
			t.Logf("%s:\n%s", raw, explain(t, s.DB, "EXPLAIN ANALYZE "+postsSQL.window, args))
		}
		tx, err := s.DB.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(context.Background(), "SET LOCAL enable_seqscan = off"); err != nil {
			t.Fatal(err)
		}
		plan := explain(t, tx, "EXPLAIN "+postsSQL.window, args)
		_ = tx.Rollback(context.Background())
		if !strings.Contains(plan, "posts_search_terms_idx") && !strings.Contains(plan, "posts_created_idx") || strings.Contains(plan, "Seq Scan on posts") {
			t.Errorf("keyword %q is not served by an index:\n%s", raw, plan)
		}
	}
}

// explain runs an EXPLAIN and returns the plan.
func explain(t *testing.T, db postgres.DB, sql string, args []any) string {
	t.Helper()
	rows, err := db.Query(context.Background(), sql, append([]any{pgx.QueryExecModeExec}, args...)...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return strings.Join(lines, "\n")
}

// TestPageMatchesAllMatches compares the bounded plan (the newest
// RecentScan rows first, then older matches from the GIN index) with the
// plain query over every match, on a table larger than RecentScan, for
// keywords common and rare enough to take either path.
func TestPageMatchesAllMatches(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	seed(t, s, 3*RecentScan)
	// A rare word, only in old posts: found by the second step alone.
	testenv.Exec(t, s, `UPDATE posts SET content = content || ' 희귀단어', search_terms = NULL WHERE id IN (SELECT id FROM posts ORDER BY created_at LIMIT 50)`)
	// A word of middle frequency: in every third of the oldest half of the
	// posts and none of the newer ones (a word that was common and is no
	// longer), found by the second step among many older matches.
	testenv.Exec(t, s, `UPDATE posts SET content = content || ' 지난유행' WHERE id % 3 = 0 AND id IN (SELECT id FROM posts ORDER BY created_at LIMIT $1)`, 3*RecentScan/2)
	fillTerms(t, s)
	ctx := context.Background()
	for _, svc := range []Service{
		{DB: s.DB}, // the windows of production: two on this table
		{DB: s.DB, Windows: Windows{First: 100, Growth: 2}}, // six windows
	} {
		for _, raw := range []string{"한국어", "공부", "책", "golang", "커피를 weekend", "희귀단어", "지난유행", "없는단어"} {
			kw, err := ParseKeyword(raw)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := s.DB.Query(ctx, `SELECT id FROM posts WHERE deleted_at IS NULL AND search_terms @@ $1::tsquery
			ORDER BY created_at DESC, id DESC LIMIT $2`, kw.Query, MaxHits)
			if err != nil {
				t.Fatal(err)
			}
			want, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for p := 0; ; p++ {
				hits, err := svc.Posts(ctx, 1, kw, paging.Page{Page: p, Size: 100})
				if err != nil {
					t.Fatal(err)
				}
				if *hits.TotalElements != int64(len(want)) {
					t.Errorf("%s: total %d, want %d", raw, *hits.TotalElements, len(want))
				}
				for _, h := range hits.Content {
					got = append(got, h.ID)
				}
				if !hits.HasNext {
					break
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s, windows %+v: %d hits differ from the %d of every match", raw, svc.Windows, len(got), len(want))
			}
		}
	}
}

// TestBoundsKeptAWhile: a search with the window bounds of an earlier one
// still finds every match: posts written since (newer than the newest it
// knew), posts older than the oldest it knew, and the first post of an
// empty table.
func TestBoundsKeptAWhile(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	ctx := context.Background()
	svc := Service{DB: s.DB, Windows: Windows{First: 100, Growth: 2}, Bounds: &Bounds{}}
	search := func(raw string) []int64 {
		t.Helper()
		kw, err := ParseKeyword(raw)
		if err != nil {
			t.Fatal(err)
		}
		hits, err := svc.Posts(ctx, 1, kw, paging.Page{Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{}
		for _, h := range hits.Content {
			ids = append(ids, h.ID)
		}
		return ids
	}
	post := func(text string, age time.Duration) int64 {
		t.Helper()
		var id int64
		err := s.DB.QueryRow(ctx, `INSERT INTO posts (author_id, content, created_at, updated_at, activity_at, search_terms)
			VALUES ((SELECT min(id) FROM members), $1, now() - $2::interval, now(), now(), $3::tsvector) RETURNING id`,
			text, age.String(), terms.Vector(text)).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	testenv.Exec(t, s, `INSERT INTO members (email, password_hash, member_name, handle) VALUES ('b@example.com', 'x', 'b', 'bounds_b')`)
	if got := search("새소식"); len(got) != 0 {
		t.Fatalf("empty table: %v", got)
	}
	first := post("첫 새소식", time.Minute)
	if got := search("새소식"); fmt.Sprint(got) != fmt.Sprint([]int64{first}) {
		t.Fatalf("the first post of an empty table: %v, want [%d]", got, first)
	}
	seed(t, s, 1000) // rows from now back 1 000 minutes
	svc.Bounds = &Bounds{}
	search("오늘") // reads the bounds (of five windows), and keeps them
	// After the newest row the bounds know, and before the oldest.
	newer := post("더 새로운 새소식", -time.Minute)
	older := post("아주 오래된 새소식", 24*365*time.Hour)
	got := search("새소식")
	if want := []int64{newer, first, older}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("with kept bounds: %v, want %v", got, want)
	}
}
