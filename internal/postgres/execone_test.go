package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// execOnly is a DB whose Exec answers tag and err.
type execOnly struct {
	tag string
	err error
}

func (d execOnly) Exec(context.Context, string, ...any) (pgconn.CommandTag, error) {
	return pgconn.NewCommandTag(d.tag), d.err
}
func (execOnly) Query(context.Context, string, ...any) (pgx.Rows, error) { return nil, nil }
func (execOnly) QueryRow(context.Context, string, ...any) pgx.Row        { return nil }

// TestExecOne: a changed row is nil, no row changed is the domain's
// answer, and a failure is wrapped with what the statement is.
func TestExecOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	none, down := errors.New("none"), errors.New("down")
	if err := postgres.ExecOne(ctx, execOnly{tag: "DELETE 1"}, none, "delete x", "DELETE"); err != nil {
		t.Errorf("one row: %v", err)
	}
	if err := postgres.ExecOne(ctx, execOnly{tag: "INSERT 0 0"}, none, "insert x", "INSERT"); err != none {
		t.Errorf("no row: %v, want %v", err, none)
	}
	err := postgres.ExecOne(ctx, execOnly{err: down}, none, "delete x", "DELETE")
	if !errors.Is(err, down) || err.Error() != "delete x: down" {
		t.Errorf("failure: %v", err)
	}
}
