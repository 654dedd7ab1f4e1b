package chaos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Ports are the loopback ports of one run's private servers and
// processes, apart from the shared development stack's, so a run may
// restart and kill them while other tests use theirs.
type Ports struct {
	Postgres, Redis, Kafka, MinIO, API, Sinks, Metrics int
}

// PortsFrom returns the ports base+1 ... base+8.
func PortsFrom(base int) Ports {
	return Ports{Postgres: base + 1, Redis: base + 2, Kafka: base + 3, MinIO: base + 4,
		API: base + 6, Sinks: base + 7, Metrics: base + 8} // +5: MinIO's console
}

// Servers drives one run's private stack through scripts/stack.sh, with
// its own state folder: start, stop, restart, kill.
type Servers struct {
	Root  string // the repository
	Dir   string // the run's state folder
	Bin   string // shared built servers (minio, kafka-broker)
	Ports Ports
	Log   io.Writer
}

func (s *Servers) env() []string {
	return append(os.Environ(),
		"STACK_DIR="+s.Dir,
		"STACK_BIN="+s.Bin,
		"STACK_PG_PORT="+strconv.Itoa(s.Ports.Postgres),
		"STACK_REDIS_PORT="+strconv.Itoa(s.Ports.Redis),
		"STACK_KAFKA_PORT="+strconv.Itoa(s.Ports.Kafka),
		"STACK_MINIO_PORT="+strconv.Itoa(s.Ports.MinIO),
		"STACK_MINIO_CONSOLE_PORT="+strconv.Itoa(s.Ports.MinIO+1),
		"DATABASE_URL="+s.DatabaseURL(),
	)
}

// DatabaseURL is the run's database.
func (s *Servers) DatabaseURL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/dailyfeed?sslmode=disable", s.Ports.Postgres)
}

// stack runs scripts/stack.sh verb parts...
func (s *Servers) stack(ctx context.Context, verb string, parts ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(s.Root, "scripts", "stack.sh"), append([]string{verb}, parts...)...)
	cmd.Dir = s.Root
	cmd.Env = s.env()
	cmd.Stdout, cmd.Stderr = s.Log, s.Log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("stack.sh %s %s: %w", verb, strings.Join(parts, " "), err)
	}
	return nil
}

// Up starts parts (all when none) and waits until they answer.
func (s *Servers) Up(ctx context.Context, parts ...string) error { return s.stack(ctx, "up", parts...) }

// Down stops parts (all when none) the way an operator would.
func (s *Servers) Down(ctx context.Context, parts ...string) error {
	return s.stack(ctx, "down", parts...)
}

// Restart stops part and starts it again.
func (s *Servers) Restart(ctx context.Context, part string) error {
	if err := s.Down(ctx, part); err != nil {
		return err
	}
	return s.Up(ctx, part)
}

// Kill sends SIGKILL to part (no chance to flush or close anything),
// waits until it is gone and starts it again after pause.
func (s *Servers) Kill(ctx context.Context, part string, pause time.Duration) error {
	raw, err := os.ReadFile(filepath.Join(s.Dir, "run", part+".pid"))
	if err != nil {
		return fmt.Errorf("kill %s: %w", part, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil || pid <= 1 {
		return fmt.Errorf("kill %s: bad pid file %q", part, raw)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill %s (pid %d): %w", part, pid, err)
	}
	if err := waitGone(ctx, pid); err != nil {
		return fmt.Errorf("kill %s: %w", part, err)
	}
	sleep(ctx, pause)
	return s.Up(ctx, part)
}

func waitGone(ctx context.Context, pid int) error {
	for range 200 {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return nil
		}
		// A killed child of a session leader is a zombie until reaped:
		// its /proc state says so.
		if st, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			if f := strings.Fields(string(st)); len(f) > 2 && f[2] == "Z" {
				return nil
			}
		}
		if !sleep(ctx, 50*time.Millisecond) {
			return ctx.Err()
		}
	}
	return fmt.Errorf("pid %d still alive", pid)
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
