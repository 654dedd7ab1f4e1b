// Package migrations embeds dailyfeed's schema as ordered SQL files
// (NNNN_name.sql). internal/postgres applies them in order and records each
// in schema_migrations, so applying them again changes nothing.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
