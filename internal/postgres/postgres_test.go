package postgres_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
	"github.com/dailyfeed/dailyfeed/migrations"
)

// TestMigrateIsSafeToRerun: the stack applied every migration at start;
// applying them again, also concurrently, changes nothing.
func TestMigrateIsSafeToRerun(t *testing.T) {
	s := testenv.Stack(t, stack.Postgres)
	ctx := context.Background()
	errs := make(chan error, 3)
	for range 3 {
		go func() { errs <- postgres.Migrate(ctx, s.DB) }()
	}
	for range 3 {
		if err := <-errs; err != nil {
			t.Fatalf("re-run: %v", err)
		}
	}
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	var applied int
	if err := s.DB.QueryRow(ctx, "SELECT count(*) FROM schema_migrations").Scan(&applied); err != nil {
		t.Fatal(err)
	}
	if applied != len(files) {
		t.Errorf("%d migrations recorded, %d files", applied, len(files))
	}
}

func TestDatabaseLocaleSupportsKorean(t *testing.T) {
	s := testenv.Stack(t, stack.Postgres)
	var ctype string
	if err := s.DB.QueryRow(context.Background(), "SELECT datctype FROM pg_database WHERE datname = current_database()").Scan(&ctype); err != nil {
		t.Fatal(err)
	}
	if ctype != "C.UTF-8" && ctype != "C.utf8" {
		t.Errorf("database LC_CTYPE is %q; pg_trgm needs C.UTF-8 for Korean (see scripts/stack.sh)", ctype)
	}
}
