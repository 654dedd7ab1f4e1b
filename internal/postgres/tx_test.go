package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

// TestTx: the pipelined transaction is a transaction. Its first statement
// (Exec, Query or QueryRow) and its last (CommitQuery) carry BEGIN and
// COMMIT, and whatever fails (a statement in the middle, the last one)
// leaves nothing behind; nothing is seen outside before the commit; the
// connection goes back to the pool healthy.
func TestTx(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres)
	ctx := context.Background()
	testenv.Exec(t, s, `CREATE TABLE tx_rows (id int PRIMARY KEY, note text NOT NULL)`)
	count := func() (n int) {
		t.Helper()
		if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM tx_rows`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	commit := func(tx *postgres.Tx, id int) error {
		return tx.CommitQuery(ctx, func(rows pgx.Rows) error {
			_, err := pgx.CollectRows(rows, pgx.RowTo[int])
			return err
		}, `INSERT INTO tx_rows VALUES ($1, 'last') RETURNING id`, id)
	}
	first := map[string]func(tx *postgres.Tx, id int) error{
		"Exec": func(tx *postgres.Tx, id int) error {
			_, err := tx.Exec(ctx, `INSERT INTO tx_rows VALUES ($1, 'first')`, id)
			return err
		},
		"QueryRow": func(tx *postgres.Tx, id int) error {
			var got int
			return tx.QueryRow(ctx, `INSERT INTO tx_rows VALUES ($1, 'first') RETURNING id`, id).Scan(&got)
		},
		"Query with a mode": func(tx *postgres.Tx, id int) error {
			rows, err := tx.Query(ctx, `INSERT INTO tx_rows VALUES ($1, 'first') RETURNING id`, pgx.QueryExecModeExec, id)
			if err != nil {
				return err
			}
			_, err = pgx.CollectRows(rows, pgx.RowTo[int])
			return err
		},
	}
	id := 0
	for name, run := range first {
		t.Run(name, func(t *testing.T) {
			// started begins a transaction and runs its first statement,
			// which inserts row id (fresh ids: id+1 is free for the last).
			started := func() *postgres.Tx {
				t.Helper()
				tx, err := postgres.Begin(ctx, s.DB)
				if err != nil {
					t.Fatal(err)
				}
				id += 2
				if err := run(tx, id); err != nil {
					t.Fatal(err)
				}
				return tx
			}
			before := count()
			// Committed: both rows.
			tx := started()
			if n := count(); n != before {
				t.Errorf("seen before the commit: %d rows, want %d", n, before)
			}
			if err := commit(tx, id+1); err != nil {
				t.Fatal(err)
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Errorf("rollback after commit: %v", err)
			}
			if n := count(); n != before+2 {
				t.Errorf("after commit: %d rows, want %d", n, before+2)
			}
			// The last statement fails (a duplicate key): neither row.
			tx = started()
			if err := commit(tx, id-1); err == nil {
				t.Fatal("commit of a duplicate key: no error")
			}
			if err := tx.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if n := count(); n != before+2 {
				t.Errorf("after a failed commit: %d rows, want %d", n, before+2)
			}
			// Rolled back after the first statement: nothing.
			if err := started().Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if n := count(); n != before+2 {
				t.Errorf("after rollback: %d rows, want %d", n, before+2)
			}
		})
	}

	// A statement that fails in the middle: the commit is refused.
	tx, err := postgres.Begin(ctx, s.DB)
	if err != nil {
		t.Fatal(err)
	}
	before := count()
	if _, err := tx.Exec(ctx, `INSERT INTO tx_rows VALUES (1000, 'first')`); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1 / 0`); err == nil {
		t.Fatal("division by zero: no error")
	}
	if err := commit(tx, 1001); err == nil {
		t.Error("commit after a failed statement: no error")
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != before {
		t.Errorf("after a failed statement: %d rows, want %d", n, before)
	}
	// A transaction of its last statement alone.
	tx, err = postgres.Begin(ctx, s.DB)
	if err != nil {
		t.Fatal(err)
	}
	if err := commit(tx, 2000); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `SELECT 1`); !errors.Is(err, pgx.ErrTxClosed) {
		t.Errorf("a statement after commit: %v, want ErrTxClosed", err)
	}
	if n := count(); n != before+1 {
		t.Errorf("after a commit of one statement: %d rows, want %d", n, before+1)
	}
	// Every connection went back idle: none is left in a transaction.
	stat := s.DB.Stat()
	if stat.AcquiredConns() != 0 {
		t.Errorf("%d connections still acquired", stat.AcquiredConns())
	}
}
