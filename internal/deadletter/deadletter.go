// Package deadletter keeps the events the KafkaSources could not deliver
// (store-dead-letter) and delivers them again on demand
// (replay-dead-letters, `make replay-dead-letters`).
//
// A dead letter is kept whole: the CloudEvent in JSON format exactly as it
// arrived (every attribute, every extension, the data), plus which sink
// refused it and why, read from Knative's extensions knativeerrordest (the
// sink's URL), knativeerrorcode (its last HTTP status) and
// knativeerrordata (its answer, base64). One row per event and sink: the
// same event dead-lettered again for the same sink (a failed replay, a
// redelivery to the dead-letter sink) counts an attempt on its row.
//
// Replay POSTs chosen dead letters (by id, by sink, or every waiting one)
// back to their sink in binary mode, without the knativeerror* extensions,
// and marks those the sink accepted (2xx) replayed; a refused replay keeps
// the row waiting with the reason. Replay is safe because sinks are
// idempotent: an event that was in fact delivered before changes nothing.
// Replay is an operator's action, never automatic: an event that fails for
// a permanent reason would otherwise loop.
package deadletter

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/cloudevents/sdk-go/v2/types"
	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/postgres"
	"github.com/dailyfeed/dailyfeed/kafka"
)

// Letter is one dead letter.
type Letter struct {
	ID          int64   `json:"id"`
	EventID     string  `json:"eventId"`
	EventType   string  `json:"eventType"`
	EventSource string  `json:"eventSource"`
	Sink        string  `json:"sink"`
	SinkURL     string  `json:"sinkUrl"`
	ErrorCode   *int    `json:"errorCode"`
	ErrorData   *string `json:"errorData"`
	// Event is the CloudEvent's attributes and extensions (JSON format);
	// its data is Data. Rows kept before data was kept apart hold the data
	// in Event and a nil Data.
	Event json.RawMessage `json:"event"`
	Data  []byte          `json:"data"`
	// IsCloudEvent is false for a record that was never a CloudEvent: it is
	// shown, never replayed.
	IsCloudEvent bool    `json:"cloudEvent"`
	Topic        *string `json:"kafkaTopic"`
	Partition    *int    `json:"kafkaPartition"`
	Offset       *int64  `json:"kafkaOffset"`
	Key          []byte  `json:"kafkaKey"`
	// ParkedReason is set when the delivery kept the record itself: why
	// the dead-letter sink did not take it.
	ParkedReason *string    `json:"parkedReason"`
	Attempts     int        `json:"attempts"`
	CreatedAt    time.Time  `json:"createdAt"`
	UpdatedAt    time.Time  `json:"updatedAt"`
	ReplayedAt   *time.Time `json:"replayedAt"`
	ReplayError  *string    `json:"replayError"`
}

// ErrNotCloudEvent is the error of a letter whose record was never a
// CloudEvent: there is nothing a sink could accept, so it is not replayed.
var ErrNotCloudEvent = errors.New("the record was never a CloudEvent: shown, not replayed")

// CloudEvent decodes the kept event: its attributes, and its data byte for
// byte.
func (l Letter) CloudEvent() (event.Event, error) {
	if !l.IsCloudEvent {
		return event.Event{}, fmt.Errorf("dead letter %d: %w", l.ID, ErrNotCloudEvent)
	}
	var e event.Event
	if err := json.Unmarshal(l.Event, &e); err != nil {
		return event.Event{}, fmt.Errorf("dead letter %d: decode event: %w", l.ID, err)
	}
	if l.Data != nil {
		e.DataEncoded = l.Data
		e.DataBase64 = false
		if len(l.Data) == 0 {
			e.DataEncoded = nil
		}
	}
	if err := e.Validate(); err != nil {
		return event.Event{}, fmt.Errorf("dead letter %d: %w", l.ID, err)
	}
	return e, nil
}

// Store is the dead_letters table.
type Store struct {
	DB  postgres.DB
	Now func() time.Time
}

func (s Store) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// SinkOf names the function a knativeerrordest URL points at: the last
// path segment (the local runner serves sinks at /<fn>), else the first
// label of the host (<fn>.<namespace>.svc.cluster.local on a cluster).
//
// The name is storable text: the path is percent-decoded, and "%00" would
// otherwise put a NUL into the column (found by FuzzKeptValues; PostgreSQL
// would refuse the row, and the letter could be neither kept nor parked).
func SinkOf(dest string) string { return text(sinkOf(dest)) }

func sinkOf(dest string) string {
	u, err := url.Parse(dest)
	if err != nil || dest == "" {
		return "unknown"
	}
	if p := strings.Trim(u.Path, "/"); p != "" {
		return p[strings.LastIndexByte(p, '/')+1:]
	}
	if h := u.Hostname(); h != "" {
		if _, err := strconv.Atoi(strings.ReplaceAll(h, ".", "")); err == nil {
			return h // an IP address: no name to take
		}
		host, _, _ := strings.Cut(h, ".")
		return host
	}
	return "unknown"
}

// Keep stores e, a dead-lettered event, whole. It refuses nothing: any
// attribute, any data (invalid JSON, binary, empty, huge), a record that
// was never a CloudEvent. Only a database failure is an error (retried).
func (s Store) Keep(ctx context.Context, e event.Event) (Letter, error) {
	return s.keep(ctx, e, nil)
}

// Park is Keep for the delivery itself, when the dead-letter sink did not
// take e: the row records why (reason). It implements kafka.Parker.
func (s Store) Park(ctx context.Context, e event.Event, reason string) error {
	_, err := s.keep(ctx, e, &reason)
	return err
}

// record is where a dead-lettered event's Kafka record was, read from the
// extensions the delivery adds.
type record struct {
	topic     *string
	partition *int
	offset    *int64
	key       []byte
	headers   *string
}

func recordOf(ext map[string]any) record {
	var r record
	if v := str(ext[kafka.TopicExtension]); v != "" {
		v = text(v)
		r.topic = &v
	}
	if n, err := strconv.Atoi(str(ext[kafka.PartitionExtension])); err == nil {
		r.partition = &n
	}
	if n, err := strconv.ParseInt(str(ext[kafka.OffsetExtension]), 10, 64); err == nil {
		r.offset = &n
	}
	if b, err := base64.StdEncoding.DecodeString(str(ext[kafka.KeyExtension])); err == nil && len(b) > 0 {
		r.key = b
	}
	// json.Valid takes invalid UTF-8 inside strings; the json column does not.
	if b, err := base64.StdEncoding.DecodeString(str(ext[kafka.HeadersExtension])); err == nil && json.Valid(b) && utf8.Valid(b) {
		h := string(b)
		r.headers = &h
	}
	if r.topic == nil || r.partition == nil || r.offset == nil {
		r.topic, r.partition, r.offset = nil, nil, nil // coordinates are all or nothing
	}
	return r
}

// text makes s storable in a PostgreSQL text column: valid UTF-8 without
// NUL (PostgreSQL refuses both).
func text(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// attributes returns e without its data, as a JSON document: it cannot
// fail on the data, which is kept apart, byte for byte.
func attributes(e event.Event) ([]byte, error) {
	a := e.Clone()
	a.DataEncoded = nil
	a.DataBase64 = false
	doc, err := json.Marshal(a)
	return bytes.ToValidUTF8(doc, []byte("\uFFFD")), err
}

func (s Store) keep(ctx context.Context, e event.Event, parked *string) (Letter, error) {
	ext := e.Extensions()
	dest := text(str(ext[kafka.ErrorDestExtension]))
	var code *int
	if v := str(ext[kafka.ErrorCodeExtension]); v != "" {
		if n, err := strconv.Atoi(v); err == nil {
			code = &n
		}
	}
	var data *string
	if v := str(ext[kafka.ErrorDataExtension]); v != "" {
		d := v
		if b, err := base64.StdEncoding.DecodeString(v); err == nil {
			d = string(b)
		} else if b, err := base64.StdEncoding.DecodeString(v[:len(v)/4*4]); err == nil {
			d = string(b) // truncated by the sender at 1024 characters
		}
		d = text(d)
		data = &d
	}
	doc, err := attributes(e)
	if err != nil {
		return Letter{}, fmt.Errorf("keep dead letter %s: encode attributes: %w", text(e.ID()), err)
	}
	body := e.Data()
	if body == nil {
		body = []byte{}
	}
	if parked != nil {
		p := text(*parked)
		parked = &p
	}
	rec := recordOf(ext)
	conflict := `(event_source, event_id, sink) WHERE kafka_topic IS NULL`
	if rec.topic != nil {
		conflict = `(kafka_topic, kafka_partition, kafka_offset, sink) WHERE kafka_topic IS NOT NULL`
	}
	q := `
		INSERT INTO dead_letters (event_id, event_type, event_source, sink, sink_url, error_code, error_data,
			event, data, cloud_event, kafka_topic, kafka_partition, kafka_offset, kafka_key, kafka_headers,
			parked_reason, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17)
		ON CONFLICT ` + conflict + ` DO UPDATE SET
			sink_url = EXCLUDED.sink_url, error_code = EXCLUDED.error_code, error_data = EXCLUDED.error_data,
			event = EXCLUDED.event, data = EXCLUDED.data, parked_reason = EXCLUDED.parked_reason,
			attempts = dead_letters.attempts + 1, updated_at = EXCLUDED.updated_at,
			replayed_at = NULL, replay_error = NULL
		RETURNING ` + columns
	l, err := scan(s.DB.QueryRow(ctx, q, text(e.ID()), text(e.Type()), text(e.Source()), SinkOf(dest), dest, code, data,
		string(doc), body, e.Type() != kafka.NotCloudEventType, rec.topic, rec.partition, rec.offset, rec.key,
		rec.headers, parked, s.now()))
	if err != nil {
		return Letter{}, fmt.Errorf("keep dead letter %s: %w", text(e.ID()), err)
	}
	return l, nil
}

func str(v any) string {
	if v == nil {
		return ""
	}
	s, err := types.ToString(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return s
}

const columns = `id, event_id, event_type, event_source, sink, sink_url, error_code, error_data, event,
	data, cloud_event, kafka_topic, kafka_partition, kafka_offset, kafka_key, parked_reason,
	attempts, created_at, updated_at, replayed_at, replay_error`

func scan(row pgx.Row) (Letter, error) {
	var l Letter
	var doc []byte
	err := row.Scan(&l.ID, &l.EventID, &l.EventType, &l.EventSource, &l.Sink, &l.SinkURL, &l.ErrorCode, &l.ErrorData,
		&doc, &l.Data, &l.IsCloudEvent, &l.Topic, &l.Partition, &l.Offset, &l.Key, &l.ParkedReason,
		&l.Attempts, &l.CreatedAt, &l.UpdatedAt, &l.ReplayedAt, &l.ReplayError)
	l.Event = doc
	return l, err
}

// Selector chooses dead letters: by ids (waiting or not), else by sink,
// else every one (All). Only waiting ones (never replayed successfully)
// are chosen by sink or All.
type Selector struct {
	IDs  []int64 `json:"ids,omitempty"`
	Sink string  `json:"sink,omitempty"`
	All  bool    `json:"all,omitempty"`
	// Limit bounds one call (default 1000).
	Limit int `json:"limit,omitempty"`
}

// ErrNothingSelected is the error of a selector that names nothing.
var ErrNothingSelected = errors.New("choose dead letters by ids, by sink or all")

// List returns the dead letters sel chooses, oldest first.
func (s Store) List(ctx context.Context, sel Selector) ([]Letter, error) {
	limit := sel.Limit
	if limit <= 0 {
		limit = 1000
	}
	var rows pgx.Rows
	var err error
	switch {
	case len(sel.IDs) > 0:
		rows, err = s.DB.Query(ctx, `SELECT `+columns+` FROM dead_letters WHERE id = ANY($1) ORDER BY id LIMIT $2`, sel.IDs, limit)
	case sel.Sink != "":
		rows, err = s.DB.Query(ctx, `SELECT `+columns+` FROM dead_letters WHERE sink = $1 AND replayed_at IS NULL ORDER BY id LIMIT $2`, sel.Sink, limit)
	case sel.All:
		rows, err = s.DB.Query(ctx, `SELECT `+columns+` FROM dead_letters WHERE replayed_at IS NULL ORDER BY id LIMIT $1`, limit)
	default:
		return nil, ErrNothingSelected
	}
	if err != nil {
		return nil, fmt.Errorf("select dead letters: %w", err)
	}
	defer rows.Close()
	var out []Letter
	for rows.Next() {
		l, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan dead letter: %w", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select dead letters: %w", err)
	}
	return out, nil
}

// markReplayed records the outcome of replaying letter id: replayed now
// (reason "") or still waiting with the reason.
func (s Store) markReplayed(ctx context.Context, id int64, reason string) error {
	var err error
	if reason == "" {
		_, err = s.DB.Exec(ctx, `UPDATE dead_letters SET replayed_at = $2, replay_error = NULL, updated_at = $2 WHERE id = $1`, id, s.now())
	} else {
		_, err = s.DB.Exec(ctx, `UPDATE dead_letters SET replay_error = $2, updated_at = $3 WHERE id = $1`, id, reason, s.now())
	}
	if err != nil {
		return fmt.Errorf("mark dead letter %d: %w", id, err)
	}
	return nil
}
