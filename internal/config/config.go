// Package config reads dailyfeed's configuration from the environment (the
// map func-go passes to Start). Every setting has a loopback default so a
// local run needs none; README.md lists them all.
package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // dated topics need the zone database in minimal images
)

// Config is every setting of dailyfeed.
type Config struct {
	DatabaseURL    string // DATABASE_URL
	DatabaseSchema string // DATABASE_SCHEMA: search_path schema (tests isolate by schema)

	RedisAddr     string // REDIS_ADDR
	RedisPassword string // REDIS_PASSWORD
	RedisDB       int    // REDIS_DB
	RedisPrefix   string // REDIS_PREFIX: namespace of every key

	KafkaBrokers    []string       // KAFKA_BROKERS, comma separated
	KafkaAcks       string         // KAFKA_ACKS: "1" (leader) or "all" (all + idempotent)
	TopicBase       string         // TOPIC_BASE: name of the dated activity topics, {base}-yyyyMMdd
	TopicTimeZone   *time.Location // TOPIC_TIMEZONE: time zone of the dated topics' date
	TopicPartitions int            // TOPIC_PARTITIONS
	TopicRetention  time.Duration  // TOPIC_RETENTION: dated topics older than this are deleted

	S3Endpoint  string // S3_ENDPOINT
	S3Region    string // S3_REGION
	S3AccessKey string // S3_ACCESS_KEY
	S3SecretKey string // S3_SECRET_KEY
	S3Bucket    string // S3_BUCKET
	// S3NotifyARN is the notification target the bucket sends "object
	// created" events of image originals to (MinIO's Kafka target,
	// arn:minio:sqs::<ID>:kafka); "" or "off" configures none.
	S3NotifyARN string // S3_NOTIFY_ARN

	ImageUploadsTopic      string        // IMAGE_UPLOADS_TOPIC: the topic of the bucket notifications (MinIO's MINIO_NOTIFY_KAFKA_TOPIC_<ID>)
	ImageMaxPixels         int64         // IMAGE_MAX_PIXELS: largest width×height accepted (413 above)
	ImageDecodeConcurrency int           // IMAGE_DECODE_CONCURRENCY: decodes one process runs at once
	ImageDecodeWait        time.Duration // IMAGE_DECODE_WAIT: how long a decode waits for a slot before 429

	FeedHeavyThreshold int64         // FEED_HEAVY_THRESHOLD: authors with this many followers are merged at read time
	FeedTimelineCap    int           // FEED_TIMELINE_CAP: posts kept in a member's Redis timeline
	FeedTimelineTTL    time.Duration // FEED_TIMELINE_TTL: a timeline not read this long expires

	JWTIssuer      string        // JWT_ISSUER
	JWTAudience    string        // JWT_AUDIENCE
	AccessTokenTTL time.Duration // JWT_ACCESS_TTL
	RefreshTTL     time.Duration // JWT_REFRESH_TTL
	KeyRotation    time.Duration // JWT_KEY_ROTATION: age at which a new primary key is made
	KeyGrace       time.Duration // JWT_KEY_GRACE: how long a replaced key still verifies
	JWKSURL        string        // JWKS_URL: when set, verifiers fetch keys here instead of Postgres
	CookieSecure   bool          // COOKIE_SECURE: mark the refresh cookie Secure
}

// ModeEnv selects what a function process does: unset, it serves; set to
// MigrateMode (the migrate Job of knative/jobs runs the all-in-one image
// so), it applies the migrations, creates the bucket and exits. It is read
// by the all-in-one's Start only and is no ConfigMap setting.
const (
	ModeEnv     = "DAILYFEED_MODE"
	MigrateMode = "migrate"
)

// FromEnv reads the configuration from the process environment.
func FromEnv() (Config, error) {
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return Load(env)
}

// The defaults of TOPIC_BASE and TOPIC_TIMEZONE. On a cluster they are
// generation-time settings: `make manifests` names the KafkaSources'
// dated topics, their topic-base label and the PingSources' time zone
// from these constants and leaves the two variables out of the ConfigMap,
// so every function uses these values and agrees with the sources by
// construction (change them here and regenerate). Locally and in tests the
// variables give each run a base of its own.
const (
	DefaultTopicBase     = "member-activity"
	DefaultTopicTimeZone = "Asia/Seoul"
)

// Load reads the configuration from env, applying defaults.
func Load(env map[string]string) (Config, error) {
	r := reader{env: env}
	c := Config{
		DatabaseURL:    r.str("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dailyfeed?sslmode=disable"),
		DatabaseSchema: r.str("DATABASE_SCHEMA", ""),

		RedisAddr:     r.str("REDIS_ADDR", "127.0.0.1:6379"),
		RedisPassword: r.str("REDIS_PASSWORD", ""),
		RedisDB:       r.int("REDIS_DB", 0),
		RedisPrefix:   r.str("REDIS_PREFIX", "dailyfeed:"),

		KafkaBrokers:    strings.Split(r.str("KAFKA_BROKERS", "127.0.0.1:9092"), ","),
		KafkaAcks:       r.str("KAFKA_ACKS", "1"),
		TopicBase:       r.str("TOPIC_BASE", DefaultTopicBase),
		TopicTimeZone:   r.location("TOPIC_TIMEZONE", DefaultTopicTimeZone),
		TopicPartitions: r.int("TOPIC_PARTITIONS", 3),
		TopicRetention:  r.duration("TOPIC_RETENTION", 7*24*time.Hour),

		S3Endpoint:  r.str("S3_ENDPOINT", "http://127.0.0.1:9000"),
		S3Region:    r.str("S3_REGION", "us-east-1"),
		S3AccessKey: r.str("S3_ACCESS_KEY", "minioadmin"),
		S3SecretKey: r.str("S3_SECRET_KEY", "minioadmin"),
		S3Bucket:    r.str("S3_BUCKET", "dailyfeed"),
		S3NotifyARN: r.str("S3_NOTIFY_ARN", "arn:minio:sqs::DAILYFEED:kafka"),

		ImageUploadsTopic:      r.str("IMAGE_UPLOADS_TOPIC", "image-uploads"),
		ImageMaxPixels:         int64(r.int("IMAGE_MAX_PIXELS", 40_000_000)),
		ImageDecodeConcurrency: r.int("IMAGE_DECODE_CONCURRENCY", 1),
		ImageDecodeWait:        r.duration("IMAGE_DECODE_WAIT", 2*time.Second),

		FeedHeavyThreshold: int64(r.int("FEED_HEAVY_THRESHOLD", 10_000)),
		FeedTimelineCap:    r.int("FEED_TIMELINE_CAP", 800),
		FeedTimelineTTL:    r.duration("FEED_TIMELINE_TTL", 7*24*time.Hour),

		JWTIssuer:      r.str("JWT_ISSUER", "dailyfeed"),
		JWTAudience:    r.str("JWT_AUDIENCE", "dailyfeed-api"),
		AccessTokenTTL: r.duration("JWT_ACCESS_TTL", time.Hour),
		RefreshTTL:     r.duration("JWT_REFRESH_TTL", 30*24*time.Hour),
		KeyRotation:    r.duration("JWT_KEY_ROTATION", 24*time.Hour),
		KeyGrace:       r.duration("JWT_KEY_GRACE", 48*time.Hour),
		JWKSURL:        r.str("JWKS_URL", ""),
		CookieSecure:   r.bool("COOKIE_SECURE", false),
	}
	if r.err != nil {
		return Config{}, r.err
	}
	if c.KafkaAcks != "1" && c.KafkaAcks != "all" {
		return Config{}, fmt.Errorf("KAFKA_ACKS must be 1 or all, not %q", c.KafkaAcks)
	}
	return c, nil
}

type reader struct {
	env map[string]string
	err error
}

func (r *reader) str(key, def string) string {
	if v, ok := r.env[key]; ok && v != "" {
		return v
	}
	return def
}

func (r *reader) fail(key, v string, err error) {
	if r.err == nil {
		r.err = fmt.Errorf("config %s=%q: %w", key, v, err)
	}
}

func (r *reader) int(key string, def int) int {
	v := r.str(key, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		r.fail(key, v, err)
	}
	return n
}

func (r *reader) bool(key string, def bool) bool {
	v := r.str(key, "")
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(key, v, err)
	}
	return b
}

func (r *reader) duration(key string, def time.Duration) time.Duration {
	v := r.str(key, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		r.fail(key, v, err)
	}
	return d
}

func (r *reader) location(key, def string) *time.Location {
	v := r.str(key, def)
	loc, err := time.LoadLocation(v)
	if err != nil {
		r.fail(key, v, err)
		return time.UTC
	}
	return loc
}
