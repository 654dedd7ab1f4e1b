package migrations

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/search/terms"
)

// Steps are the Go steps of migrations, by version: internal/postgres runs
// Steps[version] right after the version's SQL, in the same transaction.
// They are for what SQL cannot do, such as making search terms with the Go
// tokenizer.
var Steps = map[string]func(ctx context.Context, tx pgx.Tx) error{
	"0013_search_terms": searchTerms,
}

// backfillBatch is how many rows one backfill statement updates.
const backfillBatch = 5000

// searchTerms fills search_terms of the posts and comments already there
// (0013_search_terms.sql) and then builds their GIN indexes, which is
// faster than maintaining them row by row during the backfill.
func searchTerms(ctx context.Context, tx pgx.Tx) error {
	if err := backfill(ctx, tx, `SELECT id, title, content FROM posts WHERE id > $1 ORDER BY id LIMIT $2`, "posts"); err != nil {
		return err
	}
	if err := backfill(ctx, tx, `SELECT id, NULL::text, content FROM comments WHERE id > $1 ORDER BY id LIMIT $2`, "comments"); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
		CREATE INDEX posts_search_terms_idx ON posts USING gin (search_terms) WHERE deleted_at IS NULL;
		CREATE INDEX comments_search_terms_idx ON comments USING gin (search_terms) WHERE deleted_at IS NULL;
		ANALYZE posts;
		ANALYZE comments`)
	if err != nil {
		return fmt.Errorf("search indexes: %w", err)
	}
	return nil
}

// backfill sets search_terms of every row of table that query (rows after
// id $1, at most $2) returns as (id, title, content), in batches.
func backfill(ctx context.Context, tx pgx.Tx, query, table string) error {
	var after int64
	for {
		rows, err := tx.Query(ctx, query, after, backfillBatch)
		if err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		var ids []int64
		var vectors []string
		for rows.Next() {
			var id int64
			var title *string
			var content string
			if err := rows.Scan(&id, &title, &content); err != nil {
				rows.Close()
				return fmt.Errorf("read %s: %w", table, err)
			}
			v := terms.Vector(content)
			if title != nil {
				v = terms.Vector(*title, content)
			}
			ids, vectors = append(ids, id), append(vectors, v)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		if len(ids) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE `+table+` t SET search_terms = v.terms::tsvector
			FROM unnest($1::bigint[], $2::text[]) v(id, terms) WHERE t.id = v.id`, ids, vectors)
		if err != nil {
			return fmt.Errorf("backfill %s: %w", table, err)
		}
		after = ids[len(ids)-1]
	}
}
