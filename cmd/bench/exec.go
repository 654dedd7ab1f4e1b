package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// probe is the request a cold-start run polls until it is answered 2xx.
type probe struct {
	name, method, path, token, body string
}

func (p probe) request(ctx context.Context, addr string) (*http.Request, error) {
	var body io.Reader
	if p.body != "" {
		body = strings.NewReader(p.body)
	}
	req, err := http.NewRequestWithContext(ctx, p.method, "http://"+addr+p.path, body)
	if err != nil {
		return nil, err
	}
	if p.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if p.token != "" {
		req.Header.Set("Authorization", "Bearer "+p.token)
	}
	return req, nil
}

// coldTimeout bounds one run: a process that answers nothing 2xx by then
// is a failed run.
const coldTimeout = 15 * time.Second

// firstAnswer execs bin on a free loopback port (LISTEN_ADDRESS, with env
// added to this process's environment) and returns the time from just
// before exec to the first 2xx answer to p, polled every millisecond on
// fresh connections. The process is stopped (SIGTERM, then SIGKILL) before
// it returns.
func firstAnswer(ctx context.Context, bin string, env []string, p probe) (time.Duration, error) {
	addr, err := freeAddr()
	if err != nil {
		return 0, err
	}
	var logs lockedBuffer
	cmd := exec.Command(bin)
	cmd.Env = append(append(os.Environ(), "LISTEN_ADDRESS="+addr), env...)
	cmd.Stdout, cmd.Stderr = &logs, &logs
	hc := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 2 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, coldTimeout)
	defer cancel()

	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("exec %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer stopProcess(cmd, exited)
	last := "no answer"
	for ctx.Err() == nil {
		select {
		case err := <-exited:
			exited <- err // for stopProcess
			return 0, fmt.Errorf("exited before answering (%v); output: %s", err, tail(logs.String(), 600))
		default:
		}
		req, err := p.request(ctx, addr)
		if err != nil {
			return 0, err
		}
		resp, err := hc.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				return time.Since(start), nil
			}
			last = resp.Status
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("no 2xx within %s (last: %s); output: %s", coldTimeout, last, tail(logs.String(), 600))
}

// stopProcess ends a started process whose Wait result arrives on exited:
// SIGTERM, SIGKILL after 5 s.
func stopProcess(cmd *exec.Cmd, exited <-chan error) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
	}
}

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func logRunError(target, probe string, run int, err error) {
	slog.Warn("cold start run failed", "target", target, "probe", probe, "run", run, "err", err)
}
