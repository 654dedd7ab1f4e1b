// Command kafka-broker is dailyfeed's local Kafka: a single-node broker built
// on github.com/twmb/franz-go/pkg/kfake that speaks the Kafka protocol well
// enough for sarama producers, consumer groups and the admin client.
//
// It binds a loopback address only, and with -data it keeps topics, records
// and committed offsets on disk so they survive a restart. Topics are not
// auto-created unless -auto-create is given: dailyfeed creates its dated
// topics explicitly, and producing to a missing topic should fail loudly.
//
//	kafka-broker -addr 127.0.0.1:9092 -data .local/kafka
//
// Every flag has an environment variable default: KAFKA_BROKER_ADDR,
// KAFKA_BROKER_DATA, KAFKA_BROKER_PARTITIONS, KAFKA_BROKER_AUTO_CREATE,
// KAFKA_BROKER_LOG_LEVEL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/twmb/franz-go/pkg/kfake"
)

// config is everything run needs.
type config struct {
	Addr       string // loopback host:port to listen on and advertise
	DataDir    string // persistence directory; empty keeps everything in memory
	Partitions int    // partitions of auto-created topics and CreateTopics with -1
	AutoCreate bool   // create unknown topics on metadata requests
	LogLevel   string // kfake's own log level: none, error, warn, info, debug
}

func main() {
	cfg := config{}
	flag.StringVar(&cfg.Addr, "addr", env("KAFKA_BROKER_ADDR", "127.0.0.1:9092"), "loopback `host:port` to listen on")
	flag.StringVar(&cfg.DataDir, "data", env("KAFKA_BROKER_DATA", ""), "data `dir` for topics and offsets (empty: in memory)")
	flag.IntVar(&cfg.Partitions, "partitions", envInt("KAFKA_BROKER_PARTITIONS", 3), "default partitions of a new topic")
	flag.BoolVar(&cfg.AutoCreate, "auto-create", env("KAFKA_BROKER_AUTO_CREATE", "") == "true", "auto-create topics on metadata requests")
	flag.StringVar(&cfg.LogLevel, "log-level", env("KAFKA_BROKER_LOG_LEVEL", "warn"), "kfake log `level`: none, error, warn, info, debug")
	flag.Parse()
	if cfg.LogLevel == "debug" {
		slog.SetLogLoggerLevel(slog.LevelDebug)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, slog.Default()); err != nil {
		slog.Error("kafka-broker", "err", err)
		os.Exit(1)
	}
}

// run starts the broker, serves until ctx is done, then closes the cluster,
// which flushes its state to DataDir.
func run(ctx context.Context, cfg config, log *slog.Logger) error {
	c, err := start(cfg, log)
	if err != nil {
		return err
	}
	log.Info("kafka broker listening", "addr", c.ListenAddrs()[0], "data", cfg.DataDir, "partitions", cfg.Partitions, "auto_create", cfg.AutoCreate)
	<-ctx.Done()
	log.Info("kafka broker stopping")
	c.Close()
	return nil
}

// start builds a one-broker kfake cluster on cfg.Addr.
func start(cfg config, log *slog.Logger) (*kfake.Cluster, error) {
	port, err := loopbackPort(cfg.Addr)
	if err != nil {
		return nil, err
	}
	level, err := kfakeLevel(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	opts := []kfake.Opt{
		// One port means one broker. kfake listens on "127.0.0.1:<port>"
		// and advertises whatever address the listener reports, so the
		// listen function below binds exactly cfg.Addr (also right for
		// ::1 or "localhost") and that is what clients are told.
		kfake.Ports(port),
		kfake.ListenFn(func(network, _ string) (net.Listener, error) {
			return net.Listen(network, cfg.Addr)
		}),
		kfake.ClusterID("dailyfeed-local"),
		kfake.DefaultNumPartitions(cfg.Partitions),
		kfake.WithLogger(slogLogger{log: log, level: level}),
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	if cfg.AutoCreate {
		opts = append(opts, kfake.AllowAutoTopicCreation())
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("start kfake on %s: %w", cfg.Addr, err)
	}
	return c, nil
}

// loopbackPort returns the port of addr after checking its host is a
// loopback address: this broker has no authentication and must never be
// reachable from outside the machine.
func loopbackPort(addr string) (int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, fmt.Errorf("listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return 0, fmt.Errorf("listen address %q: host must be loopback (127.0.0.1, ::1 or localhost)", addr)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return 0, fmt.Errorf("listen address %q: bad port", addr)
	}
	return port, nil
}

// slogLogger forwards kfake's printf-style log lines to slog.
type slogLogger struct {
	log   *slog.Logger
	level kfake.LogLevel
}

func (l slogLogger) Logf(level kfake.LogLevel, msg string, args ...any) {
	if level > l.level {
		return
	}
	sl := map[kfake.LogLevel]slog.Level{
		kfake.LogLevelError: slog.LevelError,
		kfake.LogLevelWarn:  slog.LevelWarn,
		kfake.LogLevelInfo:  slog.LevelInfo,
		kfake.LogLevelDebug: slog.LevelDebug,
	}[level]
	l.log.Log(context.Background(), sl, "kfake: "+fmt.Sprintf(msg, args...))
}

func kfakeLevel(s string) (kfake.LogLevel, error) {
	switch s {
	case "none":
		return kfake.LogLevelNone, nil
	case "error":
		return kfake.LogLevelError, nil
	case "warn":
		return kfake.LogLevelWarn, nil
	case "info":
		return kfake.LogLevelInfo, nil
	case "debug":
		return kfake.LogLevelDebug, nil
	}
	return 0, errors.New("log level must be none, error, warn, info or debug")
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}
