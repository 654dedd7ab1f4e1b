package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Tx is a transaction on one connection of a pool that costs no round
// trip of its own: BEGIN goes out in one pipeline with the first
// statement, and COMMIT with the last one (CommitQuery). A write of n
// statements takes n round trips instead of n+2 (pgx.Tx sends BEGIN and
// COMMIT alone). It is not safe for concurrent use, like any transaction.
//
// Statements in between run as usual on the connection. A statement that
// fails aborts the transaction; Rollback ends it and returns the
// connection (deferred after Begin, it is a no-op once committed).
type Tx struct {
	conn  *pgxpool.Conn
	begun bool // BEGIN has been sent
	ended bool // committed or rolled back; the connection is back
}

// Begin returns a transaction on a connection of pool; it sends nothing
// before the first statement.
func Begin(ctx context.Context, pool *pgxpool.Pool) (*Tx, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &Tx{conn: conn}, nil
}

// Exec runs sql in the transaction.
func (t *Tx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if t.ended {
		return pgconn.CommandTag{}, pgx.ErrTxClosed
	}
	if t.begun || hasMode(args) {
		if err := t.begin(ctx); err != nil {
			return pgconn.CommandTag{}, err
		}
		return t.conn.Exec(ctx, sql, args...)
	}
	br := t.send(ctx, false, sql, args)
	t.begun = true
	tag, err := br.Exec()
	return tag, errors.Join(err, br.Close())
}

// Query runs sql in the transaction; the rows must be closed before the
// next statement, as on any connection.
func (t *Tx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	if t.ended {
		return nil, pgx.ErrTxClosed
	}
	if t.begun || hasMode(args) {
		if err := t.begin(ctx); err != nil {
			return nil, err
		}
		return t.conn.Query(ctx, sql, args...)
	}
	br := t.send(ctx, false, sql, args)
	t.begun = true
	return pipelined(br)
}

// QueryRow runs sql in the transaction and returns its first row.
func (t *Tx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := t.Query(ctx, sql, args...)
	return firstRow{rows: rows, err: err}
}

// CommitQuery runs sql, the transaction's last statement, and COMMIT in
// one round trip, and scan reads the statement's rows. The error is the
// statement's or the commit's, and then nothing is committed (Rollback
// ends the transaction). COMMIT goes out with the statement, so an error
// of scan itself does not stop it: it is returned after the commit.
func (t *Tx) CommitQuery(ctx context.Context, scan func(pgx.Rows) error, sql string, args ...any) error {
	if t.ended {
		return pgx.ErrTxClosed
	}
	br := t.send(ctx, true, sql, args)
	t.begun = true
	var scanErr error
	rows, err := br.Query()
	if err == nil {
		scanErr = scan(rows)
		rows.Close()
		err = rows.Err()
	}
	if err == nil {
		_, err = br.Exec() // COMMIT
	}
	if err = errors.Join(err, br.Close()); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	t.ended = true
	t.conn.Release()
	if scanErr != nil {
		return fmt.Errorf("committed; reading the last statement: %w", scanErr)
	}
	return nil
}

// Rollback rolls the transaction back, unless it has committed, and
// returns its connection to the pool (a connection whose rollback failed
// is closed by the pool).
func (t *Tx) Rollback(ctx context.Context) error {
	if t.ended {
		return nil
	}
	t.ended = true
	defer t.conn.Release()
	if !t.begun || t.conn.Conn().PgConn().TxStatus() == 'I' {
		return nil
	}
	if _, err := t.conn.Exec(ctx, "ROLLBACK"); err != nil {
		return fmt.Errorf("rollback: %w", err)
	}
	return nil
}

// begin sends BEGIN alone, if it has not gone out yet.
func (t *Tx) begin(ctx context.Context) error {
	if t.begun {
		return nil
	}
	if _, err := t.conn.Exec(ctx, "BEGIN"); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t.begun = true
	return nil
}

// send pipelines sql (after BEGIN when the transaction has not begun, and
// before COMMIT when commit is set) and returns the results positioned at
// sql's: BEGIN's result is read here.
func (t *Tx) send(ctx context.Context, commit bool, sql string, args []any) pgx.BatchResults {
	b := &pgx.Batch{}
	if !t.begun {
		b.Queue("BEGIN")
	}
	b.Queue(sql, args...)
	if commit {
		b.Queue("COMMIT")
	}
	br := t.conn.SendBatch(ctx, b)
	if !t.begun {
		if _, err := br.Exec(); err != nil {
			return failed{BatchResults: br, err: fmt.Errorf("begin: %w", err)}
		}
	}
	return br
}

// hasMode reports whether args start with a pgx.QueryExecMode, which a
// pipeline does not take: such a statement runs alone, after BEGIN.
func hasMode(args []any) bool {
	if len(args) == 0 {
		return false
	}
	_, ok := args[0].(pgx.QueryExecMode)
	return ok
}

// failed is the results of a pipeline whose BEGIN failed.
type failed struct {
	pgx.BatchResults
	err error
}

func (f failed) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, f.err }
func (f failed) Query() (pgx.Rows, error)         { return nil, f.err }

// pipelined returns the rows of the pipeline's statement; closing them
// closes the pipeline.
func pipelined(br pgx.BatchResults) (pgx.Rows, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, errors.Join(err, br.Close())
	}
	return &batchRows{Rows: rows, br: br}, nil
}

type batchRows struct {
	pgx.Rows
	br  pgx.BatchResults
	err error
}

func (r *batchRows) Close() {
	if r.br == nil {
		return
	}
	r.Rows.Close()
	r.err = r.br.Close()
	r.br = nil
}

func (r *batchRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *batchRows) Err() error { return errors.Join(r.Rows.Err(), r.err) }

// firstRow is pgx.Row over rows: the first row, pgx.ErrNoRows when there
// is none.
type firstRow struct {
	rows pgx.Rows
	err  error
}

func (r firstRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
